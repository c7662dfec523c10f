//! Scheduling, deduplication, superseding and cancelling: what a caller stores is what it reads
//! back with its history; a dedupe key holds one reminder per customer even under concurrent
//! requests; a newer data-usage or balance reminder replaces the waiting older ones; only a
//! waiting reminder can be cancelled.

use vipcare_reminder::domain::{Reason, ReminderState, Touchpoint};
use vipcare_reminder::store::reminders::{self, Scheduled, Which};
use vipcare_reminder::store::{StoreError, dispatch};

use crate::harness::{Ask, created, minutes, now, schedule, stores};

#[tokio::test]
async fn a_stored_reminder_reads_back_with_its_first_history_entry() {
    for store in stores().await {
        let label = store.label;
        let (reminder, _) = Ask::new("c-1", Touchpoint::PlanChange)
            .at(minutes(30))
            .build();
        let inserted = reminders::insert(store.db.conn(), &reminder, false).await;
        let back = match inserted.unwrap() {
            Scheduled::Created(reminder) => reminder,
            other => panic!("{label}: {other:?}"),
        };
        let record = reminders::get_record(store.db.conn(), &reminder.id)
            .await
            .unwrap();
        assert_eq!(record.reminder, back, "{label}: reads back as stored");
        assert_eq!(record.reminder.planned_send_at, now() + minutes(30));
        assert_eq!(record.history.len(), 1);
        assert_eq!(record.history[0].state, ReminderState::Scheduled);
        assert_eq!(record.history[0].reason, Reason::Created);
        assert!(record.attempts.is_empty());
        let missing = reminders::get_record(store.db.conn(), "no-such-id").await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_used_dedupe_key_returns_the_first_reminder_and_stores_nothing() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let first = created(db, Ask::new("c-1", Touchpoint::PlanChange).key("plan-7")).await;
        let (again, _) = Ask::new("c-1", Touchpoint::PlanChange)
            .key("plan-7")
            .build();
        match reminders::insert(db.conn(), &again, false).await.unwrap() {
            Scheduled::Deduplicated(existing) => assert_eq!(existing.id, first.id, "{label}"),
            other => panic!("{label}: {other:?}"),
        }
        assert_eq!(
            reminders::get(db.conn(), &again.id).await.unwrap(),
            None,
            "{label}"
        );
        // The key is the customer's: another customer, or no key, is a new reminder.
        created(db, Ask::new("c-2", Touchpoint::PlanChange).key("plan-7")).await;
        created(db, Ask::new("c-1", Touchpoint::PlanChange)).await;
        created(db, Ask::new("c-1", Touchpoint::PlanChange)).await;
        // Even once the first has ended, the key still names it.
        reminders::cancel(db.conn(), Which::Id(&first.id), None, now())
            .await
            .unwrap();
        match schedule(db, Ask::new("c-1", Touchpoint::PlanChange).key("plan-7"))
            .await
            .unwrap()
        {
            Scheduled::Deduplicated(existing) => {
                assert_eq!(existing.state, ReminderState::Cancelled, "{label}")
            }
            other => panic!("{label}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_reminder() {
    for store in stores().await {
        let label = store.label;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let db = store.db.clone();
                tokio::spawn(async move {
                    schedule(&db, Ask::new("c-1", Touchpoint::Care).key("birthday-2026")).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        let mut new = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                Scheduled::Created(reminder) => {
                    new += 1;
                    ids.push(reminder.id);
                }
                Scheduled::Deduplicated(existing) => ids.push(existing.id),
            }
        }
        assert_eq!(new, 1, "{label}");
        ids.dedup();
        assert_eq!(ids.len(), 1, "{label}: every caller got the same reminder");
    }
}

#[tokio::test]
async fn a_newer_balance_reminder_supersedes_the_waiting_older_ones_only() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let claimed = created(db, Ask::new("c-1", Touchpoint::LowBalance)).await;
        let claim = dispatch::claim_due(db.conn(), now(), "w-1", minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(claim.reminders.len(), 1);
        assert_eq!(claim.reminders[0].id, claimed.id);
        // Newer than the claimed one, which is on its way and is not superseded.
        let waiting = match schedule(db, Ask::new("c-1", Touchpoint::LowBalance).at(minutes(60)))
            .await
            .unwrap()
        {
            Scheduled::Created(reminder) => reminder,
            other => panic!("{label}: {other:?}"),
        };
        let other_customer =
            created(db, Ask::new("c-2", Touchpoint::LowBalance).at(minutes(60))).await;
        let other_kind = created(db, Ask::new("c-1", Touchpoint::Care).at(minutes(60))).await;

        let newer = match schedule(db, Ask::new("c-1", Touchpoint::LowBalance).at(minutes(90)))
            .await
            .unwrap()
        {
            Scheduled::Created(reminder) => reminder,
            other => panic!("{label}: {other:?}"),
        };
        let old = reminders::get_record(db.conn(), &waiting.id).await.unwrap();
        assert_eq!(old.reminder.state, ReminderState::Superseded, "{label}");
        assert_eq!(
            old.reminder.superseded_by.as_deref(),
            Some(newer.id.as_str())
        );
        let last = old.history.last().unwrap();
        assert_eq!(
            (last.state, last.reason),
            (ReminderState::Superseded, Reason::SupersededByNewer)
        );
        // On its way already, another customer's, or another touchpoint: left alone.
        for (id, state) in [
            (&claimed.id, ReminderState::Dispatching),
            (&other_customer.id, ReminderState::Scheduled),
            (&other_kind.id, ReminderState::Scheduled),
        ] {
            let r = reminders::get(db.conn(), id).await.unwrap().unwrap();
            assert_eq!(r.state, state, "{label}: {id}");
        }
        // Touchpoints that do not supersede keep every reminder.
        match schedule(db, Ask::new("c-1", Touchpoint::Care).at(minutes(90)))
            .await
            .unwrap()
        {
            Scheduled::Created(_) => {}
            other => panic!("{label}: {other:?}"),
        }
        let kept = reminders::get(db.conn(), &other_kind.id).await.unwrap();
        assert_eq!(
            kept.map(|r| r.state),
            Some(ReminderState::Scheduled),
            "{label}: a newer care reminder replaces no other"
        );
    }
}

#[tokio::test]
async fn only_a_waiting_reminder_can_be_cancelled() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let by_id = created(db, Ask::new("c-1", Touchpoint::Care).at(minutes(10))).await;
        let by_key = created(
            db,
            Ask::new("c-1", Touchpoint::Care).at(minutes(10)).key("k-1"),
        )
        .await;
        let due = created(db, Ask::new("c-1", Touchpoint::Care)).await;

        let later = now() + minutes(1);
        let cancelled =
            reminders::cancel(db.conn(), Which::Id(&by_id.id), Some("moved house"), later)
                .await
                .unwrap();
        assert_eq!(
            (cancelled.state, cancelled.update_time),
            (ReminderState::Cancelled, later)
        );
        let history = reminders::get_record(db.conn(), &by_id.id)
            .await
            .unwrap()
            .history;
        let states: Vec<_> = history.iter().map(|h| h.state).collect();
        assert_eq!(
            states,
            [ReminderState::Scheduled, ReminderState::Cancelled],
            "{label}"
        );
        assert_eq!(history[1].detail.as_deref(), Some("moved house"));

        let key = Which::DedupeKey {
            customer_id: "c-1",
            key: "k-1",
        };
        assert_eq!(
            reminders::cancel(db.conn(), key, None, later)
                .await
                .unwrap()
                .id,
            by_key.id
        );
        // Twice is an illegal move, and so is cancelling one a worker has claimed.
        let again = reminders::cancel(db.conn(), Which::Id(&by_id.id), None, later).await;
        assert!(
            matches!(again, Err(StoreError::IllegalMove(_))),
            "{label}: {again:?}"
        );
        dispatch::claim_due(db.conn(), now(), "w-1", minutes(5), 10)
            .await
            .unwrap();
        let claimed = reminders::cancel(db.conn(), Which::Id(&due.id), None, later).await;
        assert!(
            matches!(claimed, Err(StoreError::IllegalMove(_))),
            "{label}: {claimed:?}"
        );
        assert_eq!(
            reminders::get(db.conn(), &due.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            ReminderState::Dispatching
        );
        let unknown = Which::DedupeKey {
            customer_id: "c-2",
            key: "k-1",
        };
        let missing = reminders::cancel(db.conn(), unknown, None, later).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{label}"
        );
    }
}
