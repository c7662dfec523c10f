//! The report's reads: the complaints opened in a period, by pages in opening order, each with
//! the timeline entries its earlier handlings are read back from (reopened ones only), its
//! promises and its compensation not rejected.

use vipcare_complaint::domain::{
    Compensation, CompensationKind, CompensationState, EntryKind, Move, Promise, RootCauseGap,
};
use vipcare_complaint::store::{compensations, promises, report};

use crate::harness::{Ask, minutes, now, opened, save, stores};

fn entry(id: &str, state: CompensationState) -> Compensation {
    Compensation {
        id: id.into(),
        kind: CompensationKind::BillCredit,
        amount_fen: 3_000,
        reason: "double charge".into(),
        proposed_by: "staff-1".into(),
        proposed_at: now(),
        state,
        decided_by: (state != CompensationState::Proposed).then(|| "staff-9".into()),
        decided_at: (state != CompensationState::Proposed).then(now),
    }
}

#[tokio::test]
async fn a_period_is_read_by_pages_with_what_each_complaint_is_judged_by() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let before = opened(db, Ask::new("c-0").at(minutes(-120))).await;
        let first = opened(db, Ask::new("c-1").at(minutes(-30))).await;
        let second = opened(db, Ask::new("c-2").at(minutes(-20))).await;
        let third = opened(db, Ask::new("c-3").at(minutes(-10))).await;
        let resolve = Move::Resolve {
            resolution: "refunded".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        let resolved = save(db, &second, resolve, now() - minutes(5)).await;
        let reason = "charged again".to_owned();
        save(db, &resolved, Move::Reopen { reason }, now()).await;
        let promise = Promise::new(
            "p-1".into(),
            "call back",
            now() + minutes(60),
            "staff-1",
            now(),
        )
        .unwrap();
        promises::add(db.conn(), &first.complaint.id, &promise, None)
            .await
            .unwrap();
        for (id, state) in [
            ("k-1", CompensationState::Approved),
            ("k-2", CompensationState::Rejected),
            ("k-3", CompensationState::Proposed),
        ] {
            compensations::propose(db.conn(), &first.complaint.id, &entry(id, state), None)
                .await
                .unwrap();
        }

        let (from, before_end) = (now() - minutes(60), now() + minutes(60));
        let (page, next) = report::page(db.conn(), from, before_end, None, 2)
            .await
            .unwrap();
        let ids: Vec<_> = page.iter().map(|f| f.stored.complaint.id.clone()).collect();
        assert_eq!(
            ids,
            [first.complaint.id.clone(), second.complaint.id.clone()],
            "{label}"
        );
        assert!(
            !ids.contains(&before.complaint.id),
            "{label}: opened before the period"
        );
        let kept: Vec<_> = page[0]
            .compensations
            .iter()
            .map(|k| k.id.as_str())
            .collect();
        assert_eq!(
            kept,
            ["k-1", "k-3"],
            "{label}: the rejected one is left out"
        );
        assert_eq!(page[0].promises, [promise], "{label}");
        assert!(
            page[0].earlier.is_empty(),
            "{label}: never reopened, nothing to read back"
        );
        let kinds: Vec<_> = page[1].earlier.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EntryKind::Opened, EntryKind::Resolved, EntryKind::Reopened],
            "{label}"
        );

        let (page, next) = report::page(db.conn(), from, before_end, next.as_ref(), 2)
            .await
            .unwrap();
        let ids: Vec<_> = page.iter().map(|f| f.stored.complaint.id.clone()).collect();
        assert_eq!(ids, [third.complaint.id.as_str()], "{label}");
        assert!(next.is_none(), "{label}: the last page");
    }
}
