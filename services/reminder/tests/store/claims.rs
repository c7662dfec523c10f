//! Claiming due reminders: concurrent workers never get the same reminder, a dead worker's
//! lease is taken over once it runs out, and a worker that lost its lease cannot write over
//! the new owner's work.

use std::collections::HashSet;

use chrono::TimeDelta;
use vipcare_reminder::domain::{Reason, Reminder, ReminderState, Touchpoint};
use vipcare_reminder::store::dispatch::{self, Completion};
use vipcare_reminder::store::{StoreError, history, reminders};
use vipcare_storage::Database;

use crate::harness::{Ask, created, minutes, now, stores};

const BACKLOG: usize = 2_000;

/// Claims batches for `worker` until none is left.
async fn drain(db: Database, worker: &'static str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let claim = dispatch::claim_due(db.conn(), now(), worker, minutes(5), 25)
            .await
            .expect("a claim");
        if claim.reminders.is_empty() {
            return ids;
        }
        assert!(
            claim
                .reminders
                .iter()
                .all(|r| r.state == ReminderState::Dispatching)
        );
        ids.extend(claim.reminders.into_iter().map(|r| r.id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_claimers_never_get_the_same_reminder() {
    for store in stores().await {
        let label = store.label;
        let fill: Vec<_> = (0..4)
            .map(|part| {
                let db = store.db.clone();
                tokio::spawn(async move {
                    let mut ids = Vec::new();
                    for i in 0..BACKLOG / 4 {
                        let customer = format!("c-{part}-{i}");
                        ids.push(created(&db, Ask::new(&customer, Touchpoint::Care)).await.id);
                    }
                    ids
                })
            })
            .collect();
        let mut backlog = HashSet::new();
        for part in fill {
            backlog.extend(part.await.unwrap());
        }
        // Not due yet: never claimed.
        let later = created(&store.db, Ask::new("c-x", Touchpoint::Care).at(minutes(1))).await;

        let a = tokio::spawn(drain(store.db.clone(), "worker-a"));
        let b = tokio::spawn(drain(store.db.clone(), "worker-b"));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert!(
            !a.is_empty() && !b.is_empty(),
            "{label}: both claimed ({}, {})",
            a.len(),
            b.len()
        );
        let a_set: HashSet<_> = a.iter().cloned().collect();
        let b_set: HashSet<_> = b.iter().cloned().collect();
        assert_eq!(
            a_set.len(),
            a.len(),
            "{label}: a claimed one reminder twice"
        );
        assert!(
            a_set.is_disjoint(&b_set),
            "{label}: a reminder went to both workers"
        );
        let union: HashSet<_> = a_set.union(&b_set).cloned().collect();
        assert_eq!(union, backlog, "{label}: every due reminder claimed");
        assert!(!union.contains(&later.id));

        let sample = history::of_reminder(store.db.conn(), &a[0]).await.unwrap();
        let moves: Vec<_> = sample.iter().map(|h| (h.state, h.reason)).collect();
        assert_eq!(
            moves,
            [
                (ReminderState::Scheduled, Reason::Created),
                (ReminderState::Dispatching, Reason::Due)
            ],
            "{label}"
        );
    }
}

fn sent(
    mut r: Reminder,
    at: chrono::DateTime<chrono::Utc>,
) -> (Reminder, Vec<vipcare_reminder::domain::HistoryEntry>) {
    let entry = r
        .move_to(
            ReminderState::Sent,
            at,
            Reason::ProviderAccepted,
            None,
            None,
        )
        .unwrap();
    (r, vec![entry])
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_the_old_owner_is_refused() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        let r = created(&store.db, Ask::new("c-1", Touchpoint::Care)).await;
        let lease = TimeDelta::seconds(30);
        let old = dispatch::claim_due(conn, now(), "w-old", lease, 10)
            .await
            .unwrap();
        assert_eq!(old.reminders.len(), 1);
        assert_eq!(old.lease.until, now() + lease);

        // While the lease runs, nobody else gets it.
        let early = dispatch::claim_due(conn, now() + TimeDelta::seconds(29), "w-new", lease, 10)
            .await
            .unwrap();
        assert!(early.reminders.is_empty(), "{label}");
        // The old worker died; its lease runs out and the reminder is taken over.
        let at = now() + TimeDelta::seconds(31);
        let new = dispatch::claim_due(conn, at, "w-new", lease, 10)
            .await
            .unwrap();
        assert_eq!(new.reminders.len(), 1, "{label}");
        assert_eq!(new.reminders[0].id, r.id);

        // The old worker comes back and tries to write its result: refused, nothing written.
        let (mine, moves) = sent(old.reminders[0].clone(), at);
        let done = [Completion {
            reminder: &mine,
            changes: &moves,
            attempt: None,
        }];
        match dispatch::complete(conn, &old.lease, &done, &[]).await {
            Err(StoreError::LeaseLost { reminder_ids }) => {
                assert_eq!(reminder_ids, [r.id.as_str()])
            }
            other => panic!("{label}: {other:?}"),
        }
        let record = reminders::get_record(conn, &r.id).await.unwrap();
        assert_eq!(record.reminder.state, ReminderState::Dispatching, "{label}");
        assert_eq!(record.history.len(), 3, "{label}");

        // The new owner's result lands.
        let (theirs, moves) = sent(new.reminders[0].clone(), at);
        let done = [Completion {
            reminder: &theirs,
            changes: &moves,
            attempt: None,
        }];
        dispatch::complete(conn, &new.lease, &done, &[])
            .await
            .unwrap();
        let record = reminders::get_record(conn, &r.id).await.unwrap();
        let moves: Vec<_> = record.history.iter().map(|h| (h.state, h.reason)).collect();
        assert_eq!(
            moves,
            [
                (ReminderState::Scheduled, Reason::Created),
                (ReminderState::Dispatching, Reason::Due),
                (ReminderState::Dispatching, Reason::LeaseTakenOver),
                (ReminderState::Sent, Reason::ProviderAccepted),
            ],
            "{label}"
        );
        // Sent is not due work: no one claims it again, however late.
        let after = dispatch::claim_due(conn, at + TimeDelta::hours(1), "w-3", lease, 10)
            .await
            .unwrap();
        assert!(after.reminders.is_empty(), "{label}");
    }
}

#[tokio::test]
async fn a_renewed_lease_holds_and_a_released_reminder_waits_for_its_time() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        let r = created(&store.db, Ask::new("c-1", Touchpoint::Care)).await;
        let claim = dispatch::claim_due(conn, now(), "w-1", TimeDelta::seconds(30), 10)
            .await
            .unwrap();
        let (lease, renewed) = dispatch::renew(conn, &claim.lease, now() + minutes(5))
            .await
            .unwrap();
        assert_eq!(renewed, 1);
        let taken =
            dispatch::claim_due(conn, now() + minutes(1), "w-2", TimeDelta::seconds(30), 10)
                .await
                .unwrap();
        assert!(
            taken.reminders.is_empty(),
            "{label}: the renewed lease holds"
        );

        // Quiet hours found at send time: back to wait until they end.
        let until = now() + TimeDelta::hours(2);
        let mut mine = claim.reminders[0].clone();
        let entry = mine
            .defer(until, now(), Reason::QuietHours, Some("22:00-08:00"))
            .unwrap();
        let moves = [entry];
        let done = [Completion {
            reminder: &mine,
            changes: &moves,
            attempt: None,
        }];
        // The lease as first claimed is no longer the one the row carries.
        let stale = dispatch::release(conn, &claim.lease, &done).await;
        assert!(
            matches!(stale, Err(StoreError::LeaseLost { .. })),
            "{label}: {stale:?}"
        );
        dispatch::release(conn, &lease, &done).await.unwrap();
        let stored = reminders::get(conn, &r.id).await.unwrap().unwrap();
        assert_eq!(
            (stored.state, stored.planned_send_at),
            (ReminderState::Deferred, until),
            "{label}"
        );

        let before = dispatch::claim_due(conn, until - minutes(1), "w-2", minutes(1), 10)
            .await
            .unwrap();
        assert!(before.reminders.is_empty(), "{label}");
        let due = dispatch::claim_due(conn, until, "w-2", minutes(1), 10)
            .await
            .unwrap();
        assert_eq!(due.reminders.len(), 1, "{label}");
    }
}
