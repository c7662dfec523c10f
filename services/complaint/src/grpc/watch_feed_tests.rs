//! The feed against a real store: the start of a watch, then changes written to the store
//! (as any replica writes them) in the very instant the watch started, filtered; and a
//! watcher left unread ended once more than the limit of changes wait for it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use tonic::{Code, Request};
use vipcare_proto::complaint::v1 as pb;

use super::super::test_api::{Opening, benches, make, open};
use super::super::{Changes, Queue, watch};
use super::Feed;
use crate::domain::{Channel, Move, Promise, RootCauseGap};
use crate::store::promises;
use crate::store::watch::WatchFilter;

fn now() -> DateTime<Utc> {
    "2026-03-02T04:00:00Z".parse().unwrap()
}

async fn next(label: &str, stream: &mut Changes) -> pb::WatchComplaintsResponse {
    match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
        Ok(Some(Ok(message))) => message,
        other => panic!("[{label}] expected a message, got {other:?}"),
    }
}

fn kind(m: &pb::WatchComplaintsResponse) -> pb::ComplaintChangeKind {
    pb::ComplaintChangeKind::try_from(m.change).unwrap()
}

fn id(m: &pb::WatchComplaintsResponse) -> &str {
    m.complaint.as_ref().map_or("", |c| c.complaint_id.as_str())
}

fn hall() -> Request<pb::WatchComplaintsRequest> {
    Request::new(pb::WatchComplaintsRequest {
        channel: pb::Channel::Hall as i32,
        ..Default::default()
    })
}

#[tokio::test]
async fn a_watch_starts_with_what_is_owed_then_sends_each_change_as_stored() {
    for b in benches(now()).await {
        let (label, api) = (b.label, &b.api);
        let older = open(api, Opening::at(now() - TimeDelta::minutes(2))).await;
        let newer = open(api, Opening::at(now() - TimeDelta::minutes(1))).await;
        let hotline = open(
            api,
            Opening {
                channel: Channel::Hotline,
                ..Opening::at(now())
            },
        )
        .await;
        let done = open(api, Opening::at(now() - TimeDelta::minutes(3))).await;
        let resolve = Move::Resolve {
            resolution: "refunded".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        make(api, &done, resolve, now()).await;

        let mut stream = watch(api, hall()).await.unwrap().into_inner();
        let start: Vec<_> = [
            next(label, &mut stream).await,
            next(label, &mut stream).await,
            next(label, &mut stream).await,
        ]
        .iter()
        .map(|m| (kind(m), id(m).to_owned()))
        .collect();
        let current = pb::ComplaintChangeKind::Current;
        assert_eq!(
            start,
            [
                (current, newer.complaint.id.clone()),
                (current, older.complaint.id.clone()),
                (pb::ComplaintChangeKind::CaughtUp, String::new()),
            ],
            "[{label}]"
        );

        // Every change lands in the instant the watch started: told apart by the marks.
        let acknowledged = make(api, &older, Move::Acknowledge, now()).await;
        let moved = next(label, &mut stream).await;
        assert_eq!(kind(&moved), pb::ComplaintChangeKind::Move, "[{label}]");
        assert_eq!(id(&moved), older.complaint.id);
        let entry = moved.entry.clone().unwrap();
        assert_eq!(entry.kind, pb::TimelineEntryKind::Acknowledged as i32);
        assert_eq!(entry.version, 2);
        let shown = moved.complaint.unwrap();
        assert_eq!(shown.state, pb::ComplaintState::Acknowledged as i32);
        assert_eq!(
            moved.change_time,
            Some(super::super::super::convert::timestamp(now()))
        );

        // Another channel's change is not this dashboard's.
        make(api, &hotline, Move::Acknowledge, now()).await;
        let promise = Promise::new(
            "p-1".into(),
            "call back",
            now() + TimeDelta::hours(2),
            "E1001",
            now(),
        )
        .unwrap();
        promises::add(api.db.conn(), &acknowledged.complaint.id, &promise, None)
            .await
            .unwrap();
        let promised = next(label, &mut stream).await;
        assert_eq!(
            kind(&promised),
            pb::ComplaintChangeKind::Promise,
            "[{label}]"
        );
        assert_eq!(promised.complaint.unwrap().promises.len(), 1);

        let third = open(api, Opening::at(now())).await;
        let opened = next(label, &mut stream).await;
        assert_eq!(
            (kind(&opened), id(&opened)),
            (pb::ComplaintChangeKind::Move, third.complaint.id.as_str()),
            "[{label}] an opening is a move"
        );
        assert_eq!(
            opened.entry.unwrap().kind,
            pb::TimelineEntryKind::Opened as i32
        );
    }
}

#[tokio::test]
async fn a_watcher_too_far_behind_is_ended_with_aborted() {
    for b in benches(now()).await {
        let (label, api) = (b.label, &b.api);
        // A queue of five stands in for the thousand: the same rule, fewer rows to write.
        let (queue, mut stream) = Queue::new(5);
        let behind = queue.behind.clone();
        tokio::spawn(Feed::new(api.clone(), WatchFilter::default(), queue).run());
        let first = next(label, &mut stream).await;
        assert_eq!(kind(&first), pb::ComplaintChangeKind::CaughtUp, "[{label}]");
        // Not read while six changes are stored.
        for _ in 0..6 {
            open(api, Opening::at(now())).await;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !behind.load(Ordering::Acquire) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "[{label}] never behind"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let ended = stream.next().await.unwrap().unwrap_err();
        assert_eq!(
            ended.code(),
            Code::Aborted,
            "[{label}] at once, queued changes dropped"
        );
        assert!(stream.next().await.is_none(), "[{label}] and nothing after");
    }
}
