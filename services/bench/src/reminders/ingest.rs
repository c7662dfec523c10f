//! IngestEvents through the gateway as billing feeds send it: a few streams at once, each a
//! feed of messages of many events for its own share of the customers, for a fixed time; then
//! the same feeds replayed, event for event. The replay is the floor: the same bytes through
//! the same gateway, decoded and checked the same way, every event recognised as already
//! ingested and nothing else done, so the ratio says what turning events into reminders costs.
//!
//! The mix keeps the dispatcher out of the measurement: half balance changes that cross no
//! threshold (what is remembered of the customer changes, no reminder), half promotions ending
//! in a month (two reminders each, due weeks ahead). Events due now would be sent while the
//! feed runs, and the dispatch is measured on its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::event::Kind;

use super::{Reminders, describe, timestamp};

/// What the feeds carry and to whom; shared by the first pass and its replay.
#[derive(Debug, Clone)]
pub(super) struct Feeds {
    pub streams: usize,
    pub per_message: usize,
    /// Prefix of every event id: this run's, so runs against one target never collide.
    pub run: String,
    /// When the events happened.
    pub base: DateTime<Utc>,
    pub customers: Arc<Vec<String>>,
}

/// What the feeds did.
#[derive(Debug, Clone, Default)]
pub(super) struct Fed {
    pub events: i64,
    pub elapsed: Duration,
    pub duplicates: i64,
    pub rejected: i64,
    pub reminders: i64,
    pub first_problem: Option<String>,
    /// Messages each stream sent, for the replay.
    pub messages: Vec<u64>,
}

impl Fed {
    pub fn per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// How long each stream runs.
#[derive(Debug, Clone)]
pub(super) enum Length {
    For(Duration),
    /// Exactly these many messages per stream (a replay).
    Messages(Vec<u64>),
}

/// Runs every stream at once; their totals.
pub(super) async fn feed(clients: &[Reminders], feeds: &Feeds, length: Length) -> Fed {
    let started = Instant::now();
    let deadline = match &length {
        Length::For(duration) => Some(started + *duration),
        Length::Messages(_) => None,
    };
    let mut streams = Vec::with_capacity(feeds.streams);
    for s in 0..feeds.streams {
        let limit = match &length {
            Length::For(_) => u64::MAX,
            Length::Messages(per_stream) => per_stream.get(s).copied().unwrap_or(0),
        };
        let client = clients[s % clients.len()].clone();
        streams.push(tokio::spawn(one(client, feeds.clone(), s, deadline, limit)));
    }
    let mut fed = Fed::default();
    for stream in streams {
        let (answer, sent) = match stream.await {
            Ok(done) => done,
            Err(err) => (Err(format!("stream task failed: {err}")), 0),
        };
        fed.messages.push(sent);
        match answer {
            Ok(a) => {
                fed.events += a.accepted;
                fed.duplicates += a.duplicates;
                fed.rejected += a.rejected;
                fed.reminders += a.reminders_created;
                if let Some(r) = a.rejections.first() {
                    let why = format!("event {} {}: {}", r.event_id, r.field, r.reason);
                    fed.first_problem.get_or_insert(why);
                }
            }
            Err(problem) => {
                fed.first_problem.get_or_insert(problem);
            }
        }
    }
    fed.elapsed = started.elapsed();
    fed
}

/// What a feed may take beyond its sending time: the server's default deadline would cut a
/// feed that outlasts it.
const DEADLINE_MARGIN: Duration = Duration::from_secs(120);

/// One stream: messages until the deadline or the limit; the answer and the messages sent.
async fn one(
    mut client: Reminders,
    feeds: Feeds,
    stream: usize,
    deadline: Option<Instant>,
    limit: u64,
) -> (Result<pb::IngestEventsResponse, String>, u64) {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let messages = futures::stream::unfold(0_u64, move |m| {
        let feeds = feeds.clone();
        let counter = counter.clone();
        async move {
            let more = m < limit && deadline.is_none_or(|d| Instant::now() < d);
            more.then(|| {
                counter.fetch_add(1, Ordering::Relaxed);
                (message(&feeds, stream, m), m + 1)
            })
        }
    });
    let mut request = tonic::Request::new(messages);
    let sending = deadline.map_or(Duration::ZERO, |d| {
        d.saturating_duration_since(Instant::now())
    });
    request.set_timeout(sending + DEADLINE_MARGIN);
    let answer = client
        .ingest_events(request)
        .await
        .map(tonic::Response::into_inner)
        .map_err(|s| format!("IngestEvents {}", describe(&s)));
    (answer, sent.load(Ordering::Relaxed))
}

/// Message `m` of stream `stream`: the same events every time it is asked for.
fn message(feeds: &Feeds, stream: usize, m: u64) -> pb::IngestEventsRequest {
    let first = m * feeds.per_message as u64;
    let events = (first..first + feeds.per_message as u64)
        .map(|n| event(feeds, stream, n))
        .collect();
    pb::IngestEventsRequest { events }
}

/// Event `n` of stream `stream`, for a customer of the stream's own share.
fn event(feeds: &Feeds, stream: usize, n: u64) -> pb::Event {
    let customers = &feeds.customers;
    let share = (customers.len() / feeds.streams).max(1);
    let index = (stream * share + (n as usize % share)) % customers.len().max(1);
    let customer_id = customers.get(index).cloned().unwrap_or_default();
    let kind = if n.is_multiple_of(2) {
        Kind::BalanceChanged(pb::BalanceChanged {
            balance_fen: 5_000 + (n % 100) as i64 * 10,
            threshold_fen: 1_000,
            amount_fen: -10,
        })
    } else {
        // A second of difference each, so every promotion's reminders have keys of their own.
        let ends = feeds.base + TimeDelta::days(30) + TimeDelta::seconds(n as i64);
        Kind::PromotionExpiring(pb::PromotionExpiring {
            promotion_name: "畅享流量包".into(),
            expire_time: Some(timestamp(ends)),
            cost_after: "之后每月30元".into(),
            remind_before: Vec::new(),
        })
    };
    pb::Event {
        event_id: format!("{}-{stream}-{n}", feeds.run),
        customer_id,
        occurred_at: Some(timestamp(feeds.base)),
        kind: Some(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feeds() -> Feeds {
        Feeds {
            streams: 2,
            per_message: 3,
            run: "r1".into(),
            base: "2026-03-02T01:00:00Z".parse().unwrap(),
            customers: Arc::new((0..10).map(|i| format!("c{i}")).collect()),
        }
    }

    #[test]
    fn a_replayed_message_is_the_same_events() {
        let f = feeds();
        assert_eq!(message(&f, 1, 4), message(&f, 1, 4));
        let ids: Vec<_> = message(&f, 1, 4)
            .events
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(ids, ["r1-1-12", "r1-1-13", "r1-1-14"]);
    }

    #[test]
    fn each_stream_keeps_to_its_own_customers() {
        let f = feeds();
        let of =
            |stream| -> Vec<String> { (0..20).map(|n| event(&f, stream, n).customer_id).collect() };
        let (a, b) = (of(0), of(1));
        assert!(a.iter().all(|c| !b.contains(c)), "{a:?} {b:?}");
        assert_eq!(a.iter().collect::<std::collections::HashSet<_>>().len(), 5);
    }
}
