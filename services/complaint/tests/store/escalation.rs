//! The escalation pass's reads and writes: only complaints whose check has come are read, in
//! the order they came; a level fires once per clock however many passes record it, and again
//! on the new clock of a reopen; a schedule computed from a stale read is not written.

use std::sync::Arc;

use tokio::sync::Barrier;
use vipcare_complaint::domain::{Level, Move, RootCauseGap};
use vipcare_complaint::store::escalations::{self, Escalation};
use vipcare_complaint::store::{Schedule, StoredComplaint, complaints};
use vipcare_storage::Database;

use crate::harness::{Ask, minutes, now, opened, save, stores};

async fn with_check(db: &Database, customer: &str, check_in: Option<i64>) -> StoredComplaint {
    let mut c = Ask::new(customer).build();
    c.schedule = Schedule {
        overdue_at: None,
        next_check: check_in.map(|m| now() + minutes(m)),
    };
    complaints::insert(db.conn(), &c).await.unwrap();
    c
}

fn by_clock(c: &StoredComplaint, level: Level, minute: i64) -> Escalation {
    Escalation {
        level,
        clock_started_at: c.clock.started_at(),
        manual: false,
        escalated_by: None,
        reason: format!("pass at minute {minute}"),
        escalated_at: now() + minutes(minute),
    }
}

#[tokio::test]
async fn a_pass_reads_only_the_due_complaints_soonest_first() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let third = with_check(db, "c-1", Some(0)).await;
        let first = with_check(db, "c-2", Some(-30)).await;
        with_check(db, "c-3", Some(1)).await;
        with_check(db, "c-4", None).await;
        let second = with_check(db, "c-5", Some(-10)).await;

        let due = escalations::due_for_check(db.conn(), now(), 10)
            .await
            .unwrap();
        let ids: Vec<_> = due.iter().map(|c| c.complaint.id.clone()).collect();
        let wanted = [&first, &second, &third].map(|c| c.complaint.id.clone());
        assert_eq!(
            ids, wanted,
            "{label}: due ones only, at the instant too, in check order"
        );
        let batch = escalations::due_for_check(db.conn(), now(), 2)
            .await
            .unwrap();
        assert_eq!(batch.len(), 2, "{label}: a batch at a time");
        assert_eq!(batch[0].complaint.id, first.complaint.id, "{label}");

        // The pass reschedules what it checked; a move meanwhile wins over it.
        let done = Schedule::default();
        assert!(
            complaints::reschedule(db.conn(), &first.complaint.id, 1, done)
                .await
                .unwrap()
        );
        let moved = save(db, &second, Move::Acknowledge, now()).await;
        assert!(
            !complaints::reschedule(db.conn(), &second.complaint.id, 1, done)
                .await
                .unwrap(),
            "{label}: the stale schedule is not written"
        );
        let read = complaints::get(db.conn(), &second.complaint.id)
            .await
            .unwrap();
        assert_eq!(
            read.schedule, moved.schedule,
            "{label}: the move's schedule stands"
        );
        let due = escalations::due_for_check(db.conn(), now(), 10)
            .await
            .unwrap();
        assert!(
            due.iter().all(|c| c.complaint.id != first.complaint.id),
            "{label}: a complaint with nothing left to check is not read again"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_fires_once_per_clock_however_many_passes_record_it() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let id = c.complaint.id.clone();

        // Two replicas' passes, released together.
        let barrier = Arc::new(Barrier::new(2));
        let passes: Vec<_> = [1, 2]
            .into_iter()
            .map(|minute| {
                let (db, barrier) = (db.clone(), barrier.clone());
                let (id, escalation) = (id.clone(), by_clock(&c, Level::Level1, minute));
                tokio::spawn(async move {
                    barrier.wait().await;
                    escalations::record(db.conn(), &id, &escalation)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut fired = Vec::new();
        for pass in passes {
            fired.push(pass.await.unwrap());
        }
        assert_eq!(
            fired.iter().filter(|f| **f).count(),
            1,
            "{label}: {fired:?}"
        );
        let again = escalations::record(db.conn(), &id, &by_clock(&c, Level::Level1, 3)).await;
        assert!(!again.unwrap(), "{label}: a later pass fires nothing");
        assert_eq!(
            escalations::fired_levels(db.conn(), &id, c.clock.started_at())
                .await
                .unwrap(),
            [Level::Level1],
            "{label}"
        );
        assert_eq!(
            escalations::of_complaint(db.conn(), &id)
                .await
                .unwrap()
                .len(),
            1
        );

        // Resolved and reopened: a new clock, on which the level may fire again.
        let resolve = Move::Resolve {
            resolution: "已处理".into(),
            root_cause_gap: Some(RootCauseGap::Standard),
            cannot_be_solved: None,
        };
        let c = save(db, &c, resolve, now() + minutes(10)).await;
        let reopen = Move::Reopen {
            reason: "问题又出现了".into(),
        };
        let c = save(db, &c, reopen, now() + minutes(20)).await;
        let on_new_clock = by_clock(&c, Level::Level1, 30);
        assert!(
            escalations::record(db.conn(), &id, &on_new_clock)
                .await
                .unwrap(),
            "{label}"
        );
        let all = escalations::of_complaint(db.conn(), &id).await.unwrap();
        assert_eq!(all.len(), 2, "{label}: one per clock");
        assert_eq!(all[1], on_new_clock, "{label}");
        let read = complaints::get(db.conn(), &id).await.unwrap();
        assert_eq!(
            read.update_time,
            now() + minutes(30),
            "{label}: firing changes the complaint"
        );
        assert_eq!(read.complaint.version, 3, "{label}: but is no move");
    }
}
