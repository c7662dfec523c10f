//! IngestEvent, and IngestEvents for billing feeds. A feed's events are taken a message at a
//! time, each message one batch in one transaction (the next message is read while one is
//! written): a bad event is rejected with its position, id, field and reason, and the rest of
//! its batch is kept. A broken stream or a database
//! failure ends the call with its status; batches committed before stay committed, and a
//! redelivery of them creates nothing twice (their event ids are kept).

use tonic::{Status, Streaming};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::reminder::v1 as pb;

use super::convert::events::event_from_proto;
use crate::domain::events::Event;
use crate::error::Error;
use crate::ingest::{Ingest, Outcome};

/// Events one message may carry; more are rejected one by one.
pub const MAX_PER_MESSAGE: usize = 1_000;
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
    mut stream: Streaming<pb::IngestEventsRequest>,
) -> Result<pb::IngestEventsResponse, Status> {
    let mut report = Report::default();
    let mut position = 0_i64;
    let mut next = read(&mut stream, &mut position, &mut report).await?;
    while let Some(Batch { sent, events }) = next {
        if events.is_empty() {
            next = read(&mut stream, &mut position, &mut report).await?;
            continue;
        }
        // The next message is read and converted while this one is written; a stream that
        // breaks meanwhile still lets this batch finish (and commit) first.
        let mut ahead = Report::default();
        let (outcomes, following) = tokio::join!(
            ingest.batch(events),
            read(&mut stream, &mut position, &mut ahead)
        );
        let outcomes = outcomes.map_err(Error::from)?;
        for ((position, event_id), outcome) in sent.into_iter().zip(outcomes) {
            match outcome {
                Outcome::Created(ids) => {
                    report.accepted += 1;
                    report.reminders_created += ids.len() as i64;
                }
                Outcome::Duplicate => {
                    report.accepted += 1;
                    report.duplicates += 1;
                }
                Outcome::Refused(refused) => report.reject(position, event_id, refused),
            }
        }
        report.absorb(ahead);
        next = following?;
    }
    Ok(report.finish())
}

/// One message's events, converted, with their positions and ids.
struct Batch {
    sent: Vec<(i64, String)>,
    events: Vec<Event>,
}

/// The next message of the stream as a batch (`None` at its end); events that do not convert,
/// or go beyond the limit, are rejected into `report`.
async fn read(
    stream: &mut Streaming<pb::IngestEventsRequest>,
    position: &mut i64,
    report: &mut Report,
) -> Result<Option<Batch>, Status> {
    let Some(pb::IngestEventsRequest { events }) = stream.message().await? else {
        return Ok(None);
    };
    let mut batch = Batch {
        sent: Vec::with_capacity(events.len().min(MAX_PER_MESSAGE)),
        events: Vec::with_capacity(events.len().min(MAX_PER_MESSAGE)),
    };
    for (i, event) in events.into_iter().enumerate() {
        *position += 1;
        if i >= MAX_PER_MESSAGE {
            let reason = "beyond the 1,000 events one message may carry: send it again in \
                          another message";
            report.reject(*position, event.event_id, vec![Invalid::new(reason).at("")]);
            continue;
        }
        let event_id = event.event_id.clone();
        match event_from_proto(event) {
            Ok(event) => {
                batch.sent.push((*position, event_id));
                batch.events.push(event);
            }
            Err(refused) => report.reject(*position, event_id, refused),
        }
    }
    Ok(Some(batch))
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

    /// Adds the rejections read ahead of the batch they belong to.
    fn absorb(&mut self, ahead: Report) {
        self.rejected += ahead.rejected;
        self.rejections.extend(ahead.rejections);
        if self.rejections.len() > 2 * MAX_REJECTIONS {
            self.keep_first();
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
