//! One watcher's feed. It reads the store, never this process's memory of what it did, so a
//! change made through any replica reaches every watcher.
//!
//! Every [`POLL`] it reads the complaints whose update time lies in its window — from [`LAG`]
//! before "now" on — and compares each one's marks with those it saw last: a complaint whose
//! marks grew changed, and the marks say how (moves by the version, the rest by kind). The
//! window looks back rather than after the last row read because update times are taken when
//! a change is made, not when it commits: a change that commits late, or a second change in
//! the same millisecond, is still found. A complaint last seen before the window is judged by
//! what it has stamped inside it.
//!
//! The watch starts by noting the window's marks (a baseline, sent nowhere), then lists the
//! complaints owed work; a change landing between the two is sent as a change too, so nothing
//! is lost, at worst told twice.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tonic::Status;
use vipcare_proto::complaint::v1 as pb;

use super::super::ComplaintApi;
use super::super::convert::complaint::entry_to_proto;
use super::super::convert::timestamp;
use super::super::reads::answer;
use super::{Offered, Queue};
use crate::error::Error;
use crate::store::ms;
use crate::store::watch::{self, Marks, Part, WatchFilter, Watched};

/// How often the store is read for changes.
const POLL: Duration = Duration::from_millis(250);

/// How far before "now" the window reaches: longer than any change takes to commit.
const LAG: TimeDelta = TimeDelta::seconds(10);

/// Complaints read per query.
const PAGE: u64 = 500;

/// What was last seen of a complaint in the window.
#[derive(Debug, Clone, Copy)]
struct Seen {
    marks: Marks,
    update_ms: i64,
}

pub(in crate::grpc) struct Feed {
    api: ComplaintApi,
    filter: WatchFilter,
    queue: Queue,
    /// The window's start: rows updated before it are not read again.
    floor: DateTime<Utc>,
    seen: HashMap<String, Seen>,
}

/// Keep going, or stop (the watcher left, or fell too far behind).
type Go = bool;

impl Feed {
    pub(in crate::grpc) fn new(api: ComplaintApi, filter: WatchFilter, queue: Queue) -> Feed {
        let floor = api.clock.now() - LAG;
        Feed {
            api,
            filter,
            queue,
            floor,
            seen: HashMap::new(),
        }
    }

    pub(in crate::grpc) async fn run(mut self) {
        if let Err(err) = self.feed().await {
            // The watcher learns why its stream ended (UNAVAILABLE: watch again).
            let _ = self.queue.offer(Err(Status::from(err)));
        }
    }

    async fn feed(&mut self) -> Result<(), Error> {
        let started = self.api.clock.now();
        if !self.poll(false).await? || !self.send_current(started).await? {
            return Ok(());
        }
        let caught_up = message(pb::ComplaintChangeKind::CaughtUp, None, None, started);
        if self.queue.send(Ok(caught_up)).await != Offered::Queued {
            return Ok(());
        }
        loop {
            tokio::select! {
                () = self.queue.gone() => return Ok(()),
                () = tokio::time::sleep(POLL) => {}
            }
            if !self.poll(true).await? {
                return Ok(());
            }
        }
    }

    /// One CURRENT per matching complaint owed work, most recently opened first.
    async fn send_current(&self, started: DateTime<Utc>) -> Result<Go, Error> {
        let conn = self.api.db.conn();
        let mut after = None;
        loop {
            let (page, next) = watch::owed(conn, &self.filter, after.as_ref(), PAGE).await?;
            for stored in page {
                let complaint = answer(&self.api, conn, &stored.complaint.id).await?;
                let current = message(
                    pb::ComplaintChangeKind::Current,
                    Some(complaint),
                    None,
                    started,
                );
                if self.queue.send(Ok(current)).await != Offered::Queued {
                    return Ok(false);
                }
            }
            match next {
                Some(cursor) => after = Some(cursor),
                None => return Ok(true),
            }
        }
    }

    /// Reads the window; sends what changed since the last read when `send`.
    async fn poll(&mut self, send: bool) -> Result<Go, Error> {
        let conn = self.api.db.conn();
        let mut after = None;
        loop {
            let page = watch::changed_since(conn, self.floor, after.as_ref(), PAGE).await?;
            for row in &page {
                let seen = Seen {
                    marks: row.marks,
                    update_ms: ms(row.stored.update_time),
                };
                let before = self.seen.insert(row.stored.complaint.id.clone(), seen);
                let changed = before.is_none_or(|b| b.marks != row.marks);
                if send && changed && self.filter.matches(&row.stored.complaint) {
                    let go = self.send_changes(row, before.map(|b| b.marks)).await?;
                    if !go {
                        return Ok(false);
                    }
                }
            }
            match page.last() {
                Some(last) if page.len() as u64 == PAGE => {
                    after = Some((
                        ms(last.stored.update_time),
                        last.stored.complaint.id.clone(),
                    ));
                }
                _ => break,
            }
        }
        // The window moves on with the clock; what fell out of it is forgotten.
        let floor = self.api.clock.now() - LAG;
        if floor > self.floor {
            self.floor = floor;
            let floor_ms = ms(floor);
            self.seen.retain(|_, s| s.update_ms >= floor_ms);
        }
        Ok(true)
    }

    /// The changes of one complaint since `before` (its marks when last seen; `None`: judged
    /// by what it stamped inside the window), one message each, moves first.
    async fn send_changes(&self, row: &Watched, before: Option<Marks>) -> Result<Go, Error> {
        let conn = self.api.db.conn();
        let id = &row.stored.complaint.id;
        let (entries, parts) = match before {
            Some(before) => (
                watch::entries_after(conn, id, before.version).await?,
                row.marks.parts_changed_since(&before),
            ),
            None => (
                watch::entries_since(conn, id, self.floor).await?,
                watch::parts_changed_at_or_after(conn, id, self.floor).await?,
            ),
        };
        if entries.is_empty() && parts.is_empty() {
            return Ok(true);
        }
        // The complaint as it is now: after every change told here.
        let complaint = answer(&self.api, conn, id).await?;
        let changed_at = row.stored.update_time;
        let moves = entries.iter().map(|e| {
            let entry = Some(entry_to_proto(e));
            (pb::ComplaintChangeKind::Move, entry, e.entry.at)
        });
        let others = parts.iter().map(|part| (kind_of(*part), None, changed_at));
        for (kind, entry, at) in moves.chain(others).collect::<Vec<_>>() {
            let change = message(kind, Some(complaint.clone()), entry, at);
            if self.queue.offer(Ok(change)) != Offered::Queued {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn kind_of(part: Part) -> pb::ComplaintChangeKind {
    match part {
        Part::Promise => pb::ComplaintChangeKind::Promise,
        Part::FollowUp => pb::ComplaintChangeKind::FollowUp,
        Part::Escalation => pb::ComplaintChangeKind::Escalation,
        Part::Compensation => pb::ComplaintChangeKind::Compensation,
    }
}

fn message(
    kind: pb::ComplaintChangeKind,
    complaint: Option<pb::Complaint>,
    entry: Option<pb::TimelineEntry>,
    at: DateTime<Utc>,
) -> pb::WatchComplaintsResponse {
    pb::WatchComplaintsResponse {
        change: kind as i32,
        complaint,
        entry,
        change_time: Some(timestamp(at)),
    }
}

#[cfg(test)]
#[path = "watch_feed_tests.rs"]
mod tests;
