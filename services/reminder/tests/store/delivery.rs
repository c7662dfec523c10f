//! After the claim: attempts and their receipts, the messages the daily cap counts, event ids
//! ingested once, and the delivery statistics built from all of it.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_reminder::domain::{
    ContactChannel, DeliveryOutcome, Reason, Reminder, ReminderState, Touchpoint,
};
use vipcare_reminder::store::attempts::{self, Attempt, SentMessage};
use vipcare_reminder::store::dispatch::{self, Completion};
use vipcare_reminder::store::reminders::{self, Which};
use vipcare_reminder::store::stats::{self, GroupKey, Grouping};
use vipcare_reminder::store::{StoreError, events};
use vipcare_storage::Database;

use crate::harness::{Ask, created, minutes, now, stores};

/// Claims `r` (due by `now()`), hands it to SMS as message `message_id` and records the
/// receipt `delivered_after` later. Returns the attempt id.
async fn send(db: &Database, r: &Reminder, message_id: &str, capped: bool) -> String {
    // One at a time, earliest first: `r` is the earliest due one the test has not sent.
    let claim = dispatch::claim_due(db.conn(), now(), "w-1", minutes(5), 1)
        .await
        .unwrap();
    let mut mine = claim
        .reminders
        .into_iter()
        .find(|c| c.id == r.id)
        .expect("claimed");
    let attempt_id = format!("{}-a1", r.id);
    mine.channel = Some(ContactChannel::Sms);
    mine.attempts = 1;
    mine.message_id = Some(message_id.to_owned());
    let moved = mine
        .move_to(
            ReminderState::Sent,
            now(),
            Reason::ProviderAccepted,
            None,
            Some(&attempt_id),
        )
        .unwrap();
    let attempt = Attempt {
        attempt_id: attempt_id.clone(),
        reminder_id: r.id.clone(),
        message_id: Some(message_id.to_owned()),
        channel: ContactChannel::Sms,
        number: 1,
        idempotency_key: attempt_id.clone(),
        sent_at: now(),
        outcome: None,
        outcome_at: None,
        detail: None,
    };
    let message = SentMessage {
        message_id: message_id.to_owned(),
        customer_id: r.customer_id.clone(),
        channel: ContactChannel::Sms,
        sent_at: now(),
        counted_for_cap: capped,
    };
    let changes = [moved];
    let done = [Completion {
        reminder: &mine,
        changes: &changes,
        attempt: Some(&attempt),
    }];
    dispatch::complete(db.conn(), &claim.lease, &done, &[&message])
        .await
        .unwrap();
    attempt_id
}

/// The receipt for `attempt_id` arrives at `at`: recorded once, the reminder DELIVERED.
async fn receipt(db: &Database, reminder_id: &str, attempt_id: &str, at: DateTime<Utc>) {
    let first = attempts::record_outcome(
        db.conn(),
        attempt_id,
        DeliveryOutcome::Delivered,
        at,
        Some("ok"),
    )
    .await
    .unwrap();
    assert!(first);
    let mut r = reminders::get(db.conn(), reminder_id)
        .await
        .unwrap()
        .unwrap();
    let entry = r
        .move_to(
            ReminderState::Delivered,
            at,
            Reason::DeliveryReceipt,
            None,
            Some(attempt_id),
        )
        .unwrap();
    reminders::update(db.conn(), &r, &[entry]).await.unwrap();
}

#[tokio::test]
async fn attempts_receipts_and_capped_messages_are_recorded_once() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let r = created(db, Ask::new("c-1", Touchpoint::PlanChange)).await;
        let attempt_id = send(db, &r, "m-1", true).await;
        let at = now() + minutes(2);
        receipt(db, &r.id, &attempt_id, at).await;
        // A repeated receipt changes nothing.
        let again = attempts::record_outcome(
            db.conn(),
            &attempt_id,
            DeliveryOutcome::FailedPermanent,
            at,
            None,
        )
        .await
        .unwrap();
        assert!(!again, "{label}");
        let record = reminders::get_record(db.conn(), &r.id).await.unwrap();
        assert_eq!(record.reminder.state, ReminderState::Delivered, "{label}");
        assert_eq!(record.reminder.message_id.as_deref(), Some("m-1"));
        assert_eq!(record.attempts.len(), 1);
        assert_eq!(
            record.attempts[0].outcome,
            Some(DeliveryOutcome::Delivered),
            "{label}"
        );
        assert_eq!(record.attempts[0].outcome_at, Some(at));
        let last = record.history.last().unwrap();
        assert_eq!(last.attempt_id.as_deref(), Some(attempt_id.as_str()));

        // A stale copy (read before the receipt) cannot be written over the receipt.
        let mut stale = r.clone();
        let entry = stale.cancel(at, None).unwrap();
        let lost = reminders::update(db.conn(), &stale, &[entry]).await;
        assert!(
            matches!(lost, Err(StoreError::Conflict(_))),
            "{label}: {lost:?}"
        );

        let urgent = created(db, Ask::new("c-1", Touchpoint::ArrearsSuspension)).await;
        send(db, &urgent, "m-2", false).await;
        let other = created(db, Ask::new("c-2", Touchpoint::Care)).await;
        send(db, &other, "m-3", true).await;
        let day = (now() - TimeDelta::hours(9), now() + TimeDelta::hours(15));
        let sent = attempts::capped_sent(db.conn(), &["c-1", "c-2", "c-3"], day.0, day.1)
            .await
            .unwrap();
        let count = |c: &str| sent.get(c).map_or(0, Vec::len);
        assert_eq!(
            count("c-1"),
            1,
            "{label}: the urgent message is not counted"
        );
        assert_eq!(count("c-2"), 1, "{label}");
        assert_eq!(count("c-3"), 0, "{label}: nothing sent");
        let tomorrow = (day.1, day.1 + TimeDelta::days(1));
        let later = attempts::capped_sent(db.conn(), &["c-1"], tomorrow.0, tomorrow.1)
            .await
            .unwrap();
        assert!(later.is_empty(), "{label}: {later:?}");
    }
}

#[tokio::test]
async fn an_event_id_is_ingested_once() {
    for store in stores().await {
        let conn = store.db.conn();
        assert!(
            events::record_if_absent(conn, "billing-42", now())
                .await
                .unwrap()
        );
        assert!(
            !events::record_if_absent(conn, "billing-42", now())
                .await
                .unwrap(),
            "{}",
            store.label
        );
        assert!(
            events::record_if_absent(conn, "billing-43", now())
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn delivery_stats_count_each_reminder_once_and_measure_timeliness() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let plan = created(db, Ask::new("c-1", Touchpoint::PlanChange)).await;
        let care = created(db, Ask::new("c-2", Touchpoint::Care)).await;
        let cancelled = created(db, Ask::new("c-3", Touchpoint::Care).at(minutes(5))).await;
        let deferred = created(db, Ask::new("c-4", Touchpoint::Care).at(minutes(6))).await;
        created(db, Ask::new("c-5", Touchpoint::Care).at(TimeDelta::days(2))).await;

        let a = send(db, &plan, "m-1", true).await;
        receipt(db, &plan.id, &a, now() + minutes(2)).await;
        let b = send(db, &care, "m-2", true).await;
        receipt(db, &care.id, &b, now() + minutes(10)).await;
        reminders::cancel(db.conn(), Which::Id(&cancelled.id), None, now())
            .await
            .unwrap();
        let mut held = reminders::get(db.conn(), &deferred.id)
            .await
            .unwrap()
            .unwrap();
        let entry = held
            .defer(now() + TimeDelta::hours(1), now(), Reason::DailyCap, None)
            .unwrap();
        reminders::update(db.conn(), &held, &[entry]).await.unwrap();

        let (start, end) = (now() - TimeDelta::hours(1), now() + TimeDelta::hours(1));
        let by_touchpoint = stats::delivery_stats(db.conn(), start, end, Grouping::Touchpoint)
            .await
            .unwrap();
        let total = &by_touchpoint.total;
        assert_eq!(
            (
                total.scheduled,
                total.sent,
                total.delivered,
                total.cancelled,
                total.deferred
            ),
            (4, 2, 2, 1, 1),
            "{label}"
        );
        assert_eq!(total.timeliness_p50, Some(minutes(2)), "{label}");
        assert_eq!(total.timeliness_p95, Some(minutes(10)), "{label}");
        assert!((total.arrival_rate() - 2.0 / 3.0).abs() < 1e-9, "{label}");
        let keys: Vec<_> = by_touchpoint.groups.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                GroupKey::Touchpoint(Touchpoint::PlanChange),
                GroupKey::Touchpoint(Touchpoint::Care)
            ],
            "{label}"
        );
        let care_counts = &by_touchpoint.groups[1].1;
        assert_eq!((care_counts.scheduled, care_counts.delivered), (3, 1));
        assert_eq!(care_counts.timeliness_p50, Some(minutes(10)));

        let by_channel = stats::delivery_stats(db.conn(), start, end, Grouping::Channel)
            .await
            .unwrap();
        let channels: Vec<_> = by_channel
            .groups
            .iter()
            .map(|(k, c)| (*k, c.scheduled))
            .collect();
        assert_eq!(
            channels,
            [
                (GroupKey::Channel(None), 2),
                (GroupKey::Channel(Some(ContactChannel::Sms)), 2)
            ],
            "{label}"
        );
        let none = stats::delivery_stats(db.conn(), start, end, Grouping::None)
            .await
            .unwrap();
        assert!(none.groups.is_empty());
        assert_eq!(none.total, by_touchpoint.total, "{label}");
    }
}
