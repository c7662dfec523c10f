//! IngestEvent, and IngestEvents for billing feeds. A feed's events are written in batches,
//! each one transaction: while one batch is written, the messages that arrive meanwhile are
//! read and gathered into the next (up to [`MAX_PER_BATCH`] events), so a feed of many small
//! messages is written in few large transactions and a feed of large ones in one each, without
//! waiting for either. A bad event is rejected with its position, id, field and reason, and the
//! rest of its batch is kept. A broken stream ends the call with its status once every message
//! received whole is written; a database failure ends it at once. Batches committed before
//! stay committed, and a redelivery of them creates nothing twice (their event ids are kept).

use futures::FutureExt;
use tonic::{Status, Streaming};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::reminder::v1 as pb;

use super::convert::events::event_from_proto;
use crate::domain::events::Event;
use crate::error::Error;
use crate::ingest::{Ingest, Outcome};

/// Events one message may carry; more are rejected one by one.
pub const MAX_PER_MESSAGE: usize = 1_000;
/// Events gathered into one transaction: no more messages are added to a batch this full (the
/// last one added may take it over, to at most twice the figure).
pub const MAX_PER_BATCH: usize = 1_000;
/// Rejections told back; the counts cover all of them.
const MAX_REJECTIONS: usize = 1_000;

pub async fn ingest_event(
    ingest: &Ingest,
    request: pb::IngestEventRequest,
) -> Result<pb::IngestEventResponse, Status> {
    let pb::IngestEventRequest { event } = request;
    let event = event.ok_or_else(|| Error::invalid(Invalid::new("required").at("event")))?;
    let event = event_from_proto(event).map_err(under_event)?;
    let event_id = event.event_id.clone();
    let outcome = ingest.batch(vec![event]).await.map_err(Error::from)?;
    match outcome.into_iter().next() {
        Some(Outcome::Created(reminder_ids)) => Ok(pb::IngestEventResponse {
            reminder_ids,
            duplicate: false,
        }),
        Some(Outcome::Duplicate) => Ok(pb::IngestEventResponse {
            reminder_ids: ingest.created_by(&event_id).await.map_err(Error::from)?,
            duplicate: true,
        }),
        Some(Outcome::Refused(refused)) => Err(under_event(refused).into()),
        None => Err(Error::Internal("a batch of one event had no outcome".into()).into()),
    }
}

pub async fn ingest_events(
    ingest: &Ingest,
    stream: Streaming<pb::IngestEventsRequest>,
) -> Result<pb::IngestEventsResponse, Status> {
    let mut feed = Feed {
        stream,
        position: 0,
        report: Report::default(),
        broken: None,
        ended: false,
    };
    let mut batch = Batch::default();
    loop {
        if batch.events.is_empty() {
            if feed.done() {
                break;
            }
            // Nothing to write: wait for the next message.
            feed.read_into(&mut batch).await;
        }
        feed.gather_ready(&mut batch);
        if batch.events.is_empty() {
            continue;
        }
        let writing = std::mem::take(&mut batch);
        let write = ingest.batch(writing.events);
        tokio::pin!(write);
        let outcomes = loop {
            tokio::select! {
                biased;
                outcomes = &mut write => break outcomes,
                () = feed.read_into(&mut batch), if feed.wants(&batch) => {}
            }
        };
        let outcomes = outcomes.map_err(Error::from)?;
        feed.report.tally(writing.sent, outcomes);
    }
    match feed.broken {
        Some(status) => Err(status),
        None => Ok(feed.report.finish()),
    }
}

/// Events gathered for one transaction, converted, with their positions and ids.
#[derive(Default)]
struct Batch {
    sent: Vec<(i64, String)>,
    events: Vec<Event>,
}

/// The stream being read, and what reading it found so far.
struct Feed {
    stream: Streaming<pb::IngestEventsRequest>,
    /// Events read, over every message.
    position: i64,
    report: Report,
    /// Why the stream broke; nothing more is read once it has.
    broken: Option<Status>,
    ended: bool,
}

impl Feed {
    /// Nothing more will be read.
    fn done(&self) -> bool {
        self.ended || self.broken.is_some()
    }

    /// Another message may join `batch`.
    fn wants(&self, batch: &Batch) -> bool {
        !self.done() && batch.events.len() < MAX_PER_BATCH
    }

    /// Adds to `batch` the messages that have arrived already, without waiting for more.
    fn gather_ready(&mut self, batch: &mut Batch) {
        while self.wants(batch) {
            if self.read_into(batch).now_or_never().is_none() {
                break;
            }
        }
    }

    /// Reads the next message into `batch`; events that do not convert, or go beyond the
    /// limit, are rejected into the report. Cancel-safe: dropped while waiting, it has read
    /// nothing (the stream keeps what has arrived).
    async fn read_into(&mut self, batch: &mut Batch) {
        let events = match self.stream.message().await {
            Ok(Some(pb::IngestEventsRequest { events })) => events,
            Ok(None) => {
                self.ended = true;
                return;
            }
            Err(status) => {
                self.broken = Some(status);
                return;
            }
        };
        for (i, event) in events.into_iter().enumerate() {
            self.position += 1;
            if i >= MAX_PER_MESSAGE {
                let reason = "beyond the 1,000 events one message may carry: send it again in \
                              another message";
                self.report.reject(
                    self.position,
                    event.event_id,
                    vec![Invalid::new(reason).at("")],
                );
                continue;
            }
            let event_id = event.event_id.clone();
            match event_from_proto(event) {
                Ok(event) => {
                    batch.sent.push((self.position, event_id));
                    batch.events.push(event);
                }
                Err(refused) => self.report.reject(self.position, event_id, refused),
            }
        }
    }
}

/// An event's refusals as the unary request's: under `event`.
fn under_event(refused: Vec<Violation>) -> Error {
    let named = refused.into_iter().map(|v| match v.field.as_str() {
        "" => Violation {
            field: "event".into(),
            reason: v.reason,
        },
        _ => v.under("event"),
    });
    Error::Invalid(named.collect())
}

#[derive(Default)]
struct Report {
    accepted: i64,
    duplicates: i64,
    rejected: i64,
    reminders_created: i64,
    rejections: Vec<pb::RejectedEvent>,
}

impl Report {
    /// One entry per event: its first refusal, saying how many more there were.
    fn reject(&mut self, position: i64, event_id: String, refused: Vec<Violation>) {
        self.rejected += 1;
        let more = refused.len().saturating_sub(1);
        let (field, mut reason) = refused
            .into_iter()
            .next()
            .map(|v| (v.field, v.reason))
            .unwrap_or_else(|| (String::new(), "refused".into()));
        if more > 0 {
            reason.push_str(&format!(" (and {more} more)"));
        }
        self.rejections.push(pb::RejectedEvent {
            position,
            event_id,
            field,
            reason,
        });
        // Refused conversions are told before their batch's other refusals: order at the end.
        if self.rejections.len() > 2 * MAX_REJECTIONS {
            self.keep_first();
        }
    }

    /// Counts a written batch's outcomes, one per event sent.
    fn tally(&mut self, sent: Vec<(i64, String)>, outcomes: Vec<Outcome>) {
        for ((position, event_id), outcome) in sent.into_iter().zip(outcomes) {
            match outcome {
                Outcome::Created(ids) => {
                    self.accepted += 1;
                    self.reminders_created += ids.len() as i64;
                }
                Outcome::Duplicate => {
                    self.accepted += 1;
                    self.duplicates += 1;
                }
                Outcome::Refused(refused) => self.reject(position, event_id, refused),
            }
        }
    }

    fn keep_first(&mut self) {
        self.rejections.sort_by_key(|r| r.position);
        self.rejections.truncate(MAX_REJECTIONS);
    }

    fn finish(mut self) -> pb::IngestEventsResponse {
        self.keep_first();
        pb::IngestEventsResponse {
            accepted: self.accepted,
            duplicates: self.duplicates,
            rejected: self.rejected,
            reminders_created: self.reminders_created,
            rejections: self.rejections,
        }
    }
}
