//! What events remember of a customer: a low-balance warning once per crossing, cancelled when
//! a top-up lands before it is sent; a data threshold once per cycle, a higher one replacing a
//! pending lower one; the roaming zone the dispatcher's quiet hours follow, and a feed's late
//! events that change none of it.

use chrono::TimeDelta;
use vipcare_proto::reminder::v1 as pb;
use vipcare_reminder::domain::{Reason, ReminderState};
use vipcare_reminder::grpc::events::{ingest_event, ingest_events};
use vipcare_reminder::store::history;
use vipcare_reminder::store::ingest::roaming_zones;

use crate::harness::*;

async fn one(b: &Bench, event: pb::Event) -> Vec<String> {
    let request = pb::IngestEventRequest { event: Some(event) };
    ingest_event(&b.ingest, request).await.unwrap().reminder_ids
}

#[tokio::test]
async fn low_balance_warns_once_per_crossing_and_a_top_up_cancels_the_pending_warning() {
    for b in benches().await {
        let warned = one(&b, b.event("b-1", "c-1", balance(900, -200))).await;
        assert_eq!(warned.len(), 1, "{}", b.label);
        b.clock.advance(TimeDelta::minutes(1));
        assert!(
            one(&b, b.event("b-2", "c-1", balance(700, -200)))
                .await
                .is_empty()
        );
        b.clock.advance(TimeDelta::minutes(1));
        assert!(
            one(&b, b.event("b-3", "c-1", balance(5_700, 5_000)))
                .await
                .is_empty()
        );
        let r = b.reminder(&warned[0]).await;
        assert_eq!(r.state, ReminderState::Cancelled, "{}", b.label);
        let told = history::of_reminder(b.db.conn(), &r.id).await.unwrap();
        assert_eq!(
            told.last().map(|h| h.reason),
            Some(Reason::ConditionResolved)
        );
        assert_eq!(told.len(), 2, "{}", b.label);
        b.clock.advance(TimeDelta::minutes(1));
        let again = one(&b, b.event("b-4", "c-1", balance(300, -5_400))).await;
        assert_eq!(again.len(), 1, "{}: a new crossing warns again", b.label);
        assert!(
            b.reminder(&again[0]).await.text.contains("3.00元"),
            "{}",
            b.label
        );
    }
}

#[tokio::test]
async fn a_crossing_resolved_within_one_message_sends_nothing() {
    for b in benches().await {
        let mut top_up = b.event("b-2", "c-1", balance(5_000, 4_500));
        top_up.occurred_at = Some(timestamp(b.now() + TimeDelta::seconds(30)));
        let messages = [message(vec![
            b.event("b-1", "c-1", balance(500, -300)),
            top_up,
        ])];
        let report = ingest_events(&b.ingest, feed(&messages)).await.unwrap();
        assert_eq!(
            (report.accepted, report.reminders_created),
            (2, 0),
            "{}",
            b.label
        );
        // The feed is behind: an event older than what is remembered changes nothing.
        let mut stale = b.event("b-0", "c-1", balance(100, -4_900));
        stale.occurred_at = Some(timestamp(b.now() - TimeDelta::minutes(5)));
        assert!(one(&b, stale).await.is_empty(), "{}", b.label);
    }
}

#[tokio::test]
async fn data_thresholds_are_told_once_per_cycle_and_a_higher_one_replaces_a_pending_one() {
    for b in benches().await {
        let eighty = one(&b, b.event("u-1", "c-1", usage(80, "2026-03"))).await;
        assert_eq!(eighty.len(), 1, "{}", b.label);
        assert!(
            one(&b, b.event("u-2", "c-1", usage(80, "2026-03")))
                .await
                .is_empty()
        );
        let hundred = one(&b, b.event("u-3", "c-1", usage(100, "2026-03"))).await;
        assert_eq!(hundred.len(), 1, "{}", b.label);
        let older = b.reminder(&eighty[0]).await;
        assert_eq!(older.state, ReminderState::Superseded, "{}", b.label);
        assert_eq!(older.superseded_by.as_deref(), Some(hundred[0].as_str()));
        assert_eq!(older.changes, 2, "{}: the move is in its history", b.label);
        assert!(
            one(&b, b.event("u-4", "c-1", usage(80, "2026-03")))
                .await
                .is_empty()
        );
        let next_cycle = one(&b, b.event("u-5", "c-1", usage(80, "2026-04"))).await;
        assert_eq!(next_cycle.len(), 1, "{}", b.label);
        // Within one message only the newest of a superseding touchpoint is stored.
        let messages = [message(vec![
            b.event("u-6", "c-2", usage(80, "2026-03")),
            b.event("u-7", "c-2", usage(100, "2026-03")),
        ])];
        let report = ingest_events(&b.ingest, feed(&messages)).await.unwrap();
        assert_eq!(report.reminders_created, 1, "{}", b.label);
        let kept = b.of_event("u-7").await;
        assert_eq!(
            kept[0].dedupe_key.as_deref(),
            Some("data_usage_alert:2026-03:100")
        );
    }
}

#[tokio::test]
async fn roaming_records_the_zone_quiet_hours_follow_until_home_or_lapsed() {
    for b in benches().await {
        let zone = |b: &Bench, at| {
            let conn = b.db.conn().clone();
            async move {
                let mut zones = roaming_zones(&conn, &["c-1", "c-2"], at).await.unwrap();
                assert!(!zones.contains_key("c-2"), "nobody else roams");
                zones.remove("c-1")
            }
        };
        assert_eq!(zone(&b, b.now()).await, None, "{}", b.label);
        let welcome = one(&b, b.event("r-1", "c-1", roaming("JP", "Asia/Tokyo"))).await;
        assert_eq!(welcome.len(), 1, "{}", b.label);
        assert!(
            b.reminder(&welcome[0])
                .await
                .text
                .starts_with("欢迎来到日本")
        );
        assert_eq!(zone(&b, b.now()).await.as_deref(), Some("Asia/Tokyo"));
        assert_eq!(
            zone(&b, b.now() + TimeDelta::days(16)).await,
            None,
            "lapsed"
        );
        b.clock.advance(TimeDelta::hours(2));
        let again = one(&b, b.event("r-2", "c-1", roaming("JP", "Asia/Tokyo"))).await;
        assert!(again.is_empty(), "{}: one welcome per trip", b.label);
        b.clock.advance(TimeDelta::days(5));
        assert!(
            one(&b, b.event("r-3", "c-1", roaming("CN", "")))
                .await
                .is_empty()
        );
        assert_eq!(zone(&b, b.now()).await, None, "{}: home", b.label);
    }
}
