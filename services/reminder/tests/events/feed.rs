//! IngestEvents: a feed keeps its good events and rejects each bad one by position, id, field
//! and reason; ids seen before (in the store or earlier in the stream) are counted as
//! duplicates and create nothing; a message over the limit rejects only the excess; a stream
//! that breaks keeps the batches already committed.

use vipcare_proto::reminder::v1 as pb;
use vipcare_reminder::grpc::events::{MAX_PER_MESSAGE, ingest_events};

use crate::harness::*;

fn rejected(response: &pb::IngestEventsResponse) -> Vec<(i64, &str, &str)> {
    response
        .rejections
        .iter()
        .map(|r| (r.position, r.event_id.as_str(), r.field.as_str()))
        .collect()
}

#[tokio::test]
async fn a_feed_keeps_good_events_and_rejects_bad_ones_by_position() {
    for b in benches().await {
        let no_kind = pb::Event {
            kind: None,
            ..b.event("e-2", "c-2", usage(80, "2026-03"))
        };
        let messages = [
            message(vec![
                b.event("e-1", "c-1", plan_accepted("5G畅享套餐")),
                no_kind,
                b.event("e-3", "c-3", usage(80, "2026-03")),
            ]),
            message(vec![
                b.event("e-1", "c-1", plan_accepted("5G畅享套餐")),
                b.event("e-4", "c-4", balance(500, -300)),
                b.event("e-5", "c-5", usage(80, "2026-13")),
                b.event("e-4", "c-4", balance(500, -300)),
            ]),
        ];
        let report = ingest_events(&b.ingest, feed(&messages)).await.unwrap();
        assert_eq!(
            (
                report.accepted,
                report.duplicates,
                report.rejected,
                report.reminders_created
            ),
            (5, 2, 2, 3),
            "{}: {report:?}",
            b.label
        );
        assert_eq!(
            rejected(&report),
            [(2, "e-2", "kind"), (6, "e-5", "data_usage.cycle")],
            "{}",
            b.label
        );
        assert!(
            report.rejections[1].reason.contains("YYYY-MM"),
            "{report:?}"
        );
        assert_eq!(b.of_event("e-4").await.len(), 1, "{}", b.label);
        // The whole feed again: every kept event is a duplicate, the bad ones still bad.
        let again = ingest_events(&b.ingest, feed(&messages)).await.unwrap();
        assert_eq!(
            (
                again.accepted,
                again.duplicates,
                again.rejected,
                again.reminders_created
            ),
            (5, 5, 2, 0),
            "{}",
            b.label
        );
    }
}

#[tokio::test]
async fn a_message_over_the_limit_rejects_only_the_excess() {
    for b in benches().await {
        let events = (0..=MAX_PER_MESSAGE)
            .map(|i| b.event(&format!("e-{i}"), &format!("c-{i}"), usage(80, "2026-03")))
            .collect();
        let report = ingest_events(&b.ingest, feed(&[message(events)]))
            .await
            .unwrap();
        assert_eq!(
            (report.accepted, report.rejected),
            (1_000, 1),
            "{}",
            b.label
        );
        assert_eq!(rejected(&report), [(1_001, "e-1000", "")], "{}", b.label);
        assert_eq!(report.reminders_created, 1_000, "{}", b.label);
    }
}

#[tokio::test]
async fn a_broken_stream_keeps_the_batches_it_committed() {
    for b in benches().await {
        let first = message(vec![
            b.event("e-1", "c-1", plan_accepted("5G畅享套餐")),
            b.event("e-2", "c-2", plan_accepted("5G畅享套餐")),
        ]);
        let broken =
            ingest_events(&b.ingest, broken_feed(std::slice::from_ref(&first)).await).await;
        assert!(
            broken.is_err(),
            "{}: the call fails with the stream",
            b.label
        );
        assert_eq!(b.of_event("e-2").await.len(), 1, "{}", b.label);
        // The sender redelivers: nothing is created twice.
        let redelivered = ingest_events(&b.ingest, feed(&[first])).await.unwrap();
        assert_eq!(
            (redelivered.duplicates, redelivered.reminders_created),
            (2, 0),
            "{}",
            b.label
        );
    }
}

#[tokio::test]
async fn an_empty_feed_reports_nothing() {
    for b in benches().await {
        let report = ingest_events(&b.ingest, feed(&[])).await.unwrap();
        assert_eq!(report, pb::IngestEventsResponse::default(), "{}", b.label);
        let report = ingest_events(&b.ingest, feed(&[message(vec![])]))
            .await
            .unwrap();
        assert_eq!(report, pb::IngestEventsResponse::default(), "{}", b.label);
    }
}
