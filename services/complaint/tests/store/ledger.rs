//! Compensation decided once (a second decision, from a stale read, is refused and changes
//! nothing), promises kept once and escalated once, follow-ups kept in order, and child rows
//! refused for an unknown complaint or a stale version.

use vipcare_complaint::domain::{
    Compensation, CompensationKind, CompensationLimits, CompensationState, FollowUp, Move, Promise,
    ProposedCompensation,
};
use vipcare_complaint::store::follow_ups::{self, StoredFollowUp};
use vipcare_complaint::store::{StoreError, compensations, complaints, promises};

use crate::harness::{Ask, minutes, now, opened, save, stores};

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[tokio::test]
async fn a_compensation_is_decided_once() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let id = &c.complaint.id;
        let values = ProposedCompensation {
            kind: CompensationKind::BillCredit,
            amount_fen: 50_000,
            reason: "多扣话费补偿".into(),
            proposed_by: "staff-1".into(),
        };
        let limits = CompensationLimits::default();
        let proposed = Compensation::propose(new_id(), values, "DIAMOND", &limits, now()).unwrap();
        assert_eq!(
            proposed.state,
            CompensationState::Proposed,
            "above the tier's limit"
        );
        compensations::propose(db.conn(), id, &proposed, Some(1))
            .await
            .unwrap();

        // Two supervisors read it while it was proposed; one approves, then one rejects.
        let read = compensations::get(db.conn(), &proposed.id).await.unwrap();
        let (mut approval, mut rejection) = (read.compensation.clone(), read.compensation);
        approval.approve("boss-a", now() + minutes(5)).unwrap();
        rejection.reject("boss-b", now() + minutes(6)).unwrap();
        let approved = compensations::decide(db.conn(), &approval, None)
            .await
            .unwrap();
        assert_eq!(approved.compensation, approval, "{label}");
        let second = compensations::decide(db.conn(), &rejection, Some("too much")).await;
        assert!(
            matches!(
                second,
                Err(StoreError::Decided(CompensationState::Approved))
            ),
            "{label}: {second:?}"
        );
        let ledger = compensations::of_complaint(db.conn(), id).await.unwrap();
        assert_eq!(ledger.len(), 1, "{label}");
        assert_eq!(
            ledger[0].compensation.decided_by.as_deref(),
            Some("boss-a"),
            "{label}"
        );
        assert_eq!(
            ledger[0].rejection_reason, None,
            "{label}: the refused decision left nothing"
        );

        let unknown = compensations::propose(db.conn(), "no-such", &proposed, None).await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound { .. })),
            "{label}: {unknown:?}"
        );
        let moved = save(db, &c, Move::Acknowledge, now() + minutes(7)).await;
        let stale = Compensation {
            id: new_id(),
            ..proposed.clone()
        };
        let refused = compensations::propose(db.conn(), id, &stale, Some(1)).await;
        assert!(
            matches!(refused, Err(StoreError::VersionMismatch { current: 2, .. })),
            "{label}: {refused:?}"
        );
        assert_eq!(moved.complaint.version, 2);
        assert_eq!(
            compensations::of_complaint(db.conn(), id)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn a_promise_is_kept_once_and_escalated_once() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let id = &c.complaint.id;
        let soon = Promise::new(
            new_id(),
            "今天中午前回电",
            now() + minutes(60),
            "staff-1",
            now(),
        )
        .unwrap();
        let later = Promise::new(
            new_id(),
            "周五前退款",
            now() + minutes(600),
            "staff-1",
            now(),
        )
        .unwrap();
        promises::add(db.conn(), id, &soon, Some(1)).await.unwrap();
        promises::add(db.conn(), id, &later, None).await.unwrap();

        let kept_at = now() + minutes(30);
        let kept = promises::fulfil(db.conn(), id, &soon.id, "staff-2", kept_at, None)
            .await
            .unwrap();
        assert_eq!(kept.promise.kept_on_time(), Some(true), "{label}");
        let again = promises::fulfil(
            db.conn(),
            id,
            &soon.id,
            "staff-3",
            now() + minutes(40),
            None,
        )
        .await;
        assert!(
            matches!(&again, Err(StoreError::AlreadyFulfilled(a)) if a.at == kept_at),
            "{label}: {again:?}"
        );
        let read = promises::get(db.conn(), id, &soon.id).await.unwrap();
        assert_eq!(
            read.fulfilled_by.as_deref(),
            Some("staff-2"),
            "{label}: the first stands"
        );

        let overdue_at = now() + minutes(601);
        let overdue = promises::overdue(db.conn(), overdue_at, 10).await.unwrap();
        let ids: Vec<_> = overdue.iter().map(|p| p.promise.id.clone()).collect();
        assert_eq!(
            ids,
            [later.id.as_str()],
            "{label}: the kept one is not overdue"
        );
        assert!(
            promises::overdue(db.conn(), now() + minutes(600), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            promises::mark_escalated(db.conn(), &later.id, overdue_at)
                .await
                .unwrap()
        );
        assert!(
            !promises::mark_escalated(db.conn(), &later.id, overdue_at)
                .await
                .unwrap()
        );
        assert!(
            promises::overdue(db.conn(), overdue_at, 10)
                .await
                .unwrap()
                .is_empty()
        );

        let unknown = promises::fulfil(db.conn(), id, "no-such", "staff-2", kept_at, None).await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound { .. })),
            "{label}: {unknown:?}"
        );
    }
}

#[tokio::test]
async fn follow_ups_are_listed_in_the_order_planned() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let mut planned = Vec::new();
        for (i, note) in ["回访确认退款到账", "一周后检查信号"]
            .into_iter()
            .enumerate()
        {
            let at = now() + minutes(i as i64);
            let follow_up = FollowUp::new(at + minutes(60 * 24), note, i == 0, at).unwrap();
            let new = StoredFollowUp {
                id: new_id(),
                complaint_id: c.complaint.id.clone(),
                follow_up,
                scheduled_by: "staff-1".into(),
                scheduled_at: at,
            };
            follow_ups::add(db.conn(), &new, Some(1)).await.unwrap();
            planned.push(new);
        }
        let listed = follow_ups::of_complaint(db.conn(), &c.complaint.id)
            .await
            .unwrap();
        assert_eq!(listed, planned, "{label}");
        let read = complaints::get(db.conn(), &c.complaint.id).await.unwrap();
        assert_eq!(read.update_time, now() + minutes(1), "{label}");
    }
}
