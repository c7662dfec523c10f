//! One move of a complaint, made the same way by everyone who makes one — a handler for a
//! member of staff, the background pass for the automatic close: load the complaint, check the
//! version the caller acted on, make the move through the domain, carry its effect onto the SLA
//! clock, recompute the schedule under the policy in force, save it over the version it was
//! read at, and write what it tells the customer and staff to the outbox. All of it runs in the
//! caller's transaction, so a move and its notices land or roll back together.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use vipcare_domain::Violation;

use crate::domain::{
    BusinessCalendar, ClockEffect, ComplaintState, CustomerNotice, Effects, IllegalMove, Move,
    MoveName, SlaClock, SlaTarget, TimelineEntry, apply, may,
};
use crate::error::Error;
use crate::notices::{self, Notice, dedupe_key};
use crate::store::{self, Schedule, StoredComplaint, escalations};

/// A move as asked of a complaint, its values checked by the caller.
#[derive(Debug, Clone)]
pub struct Asked {
    pub complaint_id: String,
    /// The version the caller acted on; 0 skips the check.
    pub expected_version: u64,
    pub actor: String,
    pub name: MoveName,
    /// The move, or every value refused in it: those are answered only when the complaint's
    /// state allows the move at all (an illegal move is refused as such, whatever its values).
    pub the_move: Result<Move, Vec<Violation>>,
}

/// A move made and saved (not yet committed).
#[derive(Debug, Clone)]
pub struct Moved {
    /// The complaint after the move; its timeline holds only the entry the move added.
    pub stored: StoredComplaint,
    pub entry: TimelineEntry,
    pub effects: Effects,
    /// Notices went to the outbox: wake the relay once the transaction commits.
    pub notified: bool,
}

/// How often a move asked without `expected_version` is made again over a complaint another
/// move changed between the read and the write: the caller asked for no check, so it is not
/// refused for a race it never meant to guard against.
const UNCHECKED_ATTEMPTS: u32 = 3;

/// Makes `asked` at `now` inside `conn` (the caller's transaction). `customer_name` is how a
/// staff task names the customer (looked up before the transaction; the id when unknown).
pub async fn make_move<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    asked: Asked,
    customer_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Moved, Error> {
    let mut attempt = 1;
    loop {
        match attempt_move(conn, &asked, customer_name, now).await {
            Err(Error::VersionMismatch { .. })
                if asked.expected_version == 0 && attempt < UNCHECKED_ATTEMPTS =>
            {
                attempt += 1;
            }
            done => return done,
        }
    }
}

async fn attempt_move<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    asked: &Asked,
    customer_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Moved, Error> {
    let mut stored = store::complaints::get(conn, &asked.complaint_id).await?;
    let read_at = stored.complaint.version;
    if asked.expected_version != 0 && asked.expected_version != read_at {
        return Err(Error::VersionMismatch {
            expected: asked.expected_version,
            current: read_at,
        });
    }
    let from = stored.complaint.state;
    if !may(from, asked.name) {
        let move_name = asked.name;
        return Err(IllegalMove { from, move_name }.into());
    }
    let the_move = asked.the_move.clone().map_err(Error::Invalid)?;
    let before = stored.clone();
    let effects = apply(&mut stored.complaint, the_move.clone(), &asked.actor, now)?;
    let entry = stored
        .complaint
        .timeline
        .last()
        .cloned()
        .ok_or_else(|| Error::Internal("an accepted move added no timeline entry".into()))?;
    carry_to_clock(&mut stored, &effects, asked.name, &entry, now)?;
    let policy = store::policy::get(conn).await?;
    let target = policy
        .policy
        .target(&stored.complaint.tier_at_opening, stored.complaint.severity);
    let fired =
        escalations::fired_levels(conn, &stored.complaint.id, stored.clock.started_at()).await?;
    stored.schedule = Schedule::of(&stored.clock, &target, &policy.calendar, &fired);
    stored.update_time = stored.update_time.max(now);
    store::complaints::save_move(conn, &stored, read_at, &entry).await?;

    let answer_by = answer_by(&before.clock, &stored.clock, &target, &policy.calendar, now);
    let told = Told {
        before: &before,
        after: &stored,
        the_move: &the_move,
        customer_name,
        answer_by,
        now,
    };
    let notices = told.notices(&effects);
    notices::enqueue(conn, &notices).await?;
    if effects.invite_to_survey {
        notices::invite_to_survey(conn, &stored.complaint).await?;
    }
    let notified = !notices.is_empty();
    Ok(Moved {
        stored,
        entry,
        effects,
        notified,
    })
}

/// Records on the SLA clock what the move means for it. The lifecycle decides which facts a
/// move records; a clock refusing one is our bug (an internal error), never the caller's.
fn carry_to_clock(
    stored: &mut StoredComplaint,
    effects: &Effects,
    name: MoveName,
    entry: &TimelineEntry,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    // Facts are kept in order: a host whose clock is a moment behind must not strand a move.
    let at = now.max(last_fact(&stored.clock));
    let clock = &mut stored.clock;
    match effects.clocks {
        ClockEffect::Unchanged => {}
        ClockEffect::Pause => {
            clock.pause(at)?;
            // What was awaited: the reason the domain accepted, which is the entry's text.
            stored.pause_reasons.push(entry.text.clone());
        }
        ClockEffect::Resume => clock.resume(at)?,
        ClockEffect::Stop => {
            // A resolution before any response is the response too.
            clock.respond(at)?;
            clock.resolve(at)?;
        }
        ClockEffect::Restart => {
            *clock = SlaClock::start(now);
            stored.pause_reasons.clear();
        }
    }
    // The response the time to respond is measured to: the acknowledgement, or after a reopen
    // the start of work (see the contract's SlaClock.response).
    let responds = name == MoveName::Acknowledge
        || (name == MoveName::StartWork && effects.from == ComplaintState::Reopened);
    if responds {
        stored.clock.respond(at)?;
    }
    Ok(())
}

/// The latest fact on the clock.
fn last_fact(clock: &SlaClock) -> DateTime<Utc> {
    let pauses = clock
        .pauses()
        .iter()
        .map(|(from, until)| until.unwrap_or(*from));
    pauses
        .chain(clock.responded_at())
        .fold(clock.started_at(), DateTime::max)
}

/// By when the customer will hear the result: when the time to resolve runs out. A paused
/// clock has no due time: then the one it had before the pause, as the customer who answers
/// promptly will see it kept.
fn answer_by(
    before: &SlaClock,
    after: &SlaClock,
    target: &SlaTarget,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    after
        .resolve_due(target, calendar)
        .or_else(|| before.resolve_due(target, calendar))
        .unwrap_or(now + target.resolve)
}

/// What a move tells the customer and staff.
struct Told<'a> {
    before: &'a StoredComplaint,
    after: &'a StoredComplaint,
    the_move: &'a Move,
    customer_name: Option<&'a str>,
    answer_by: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl Told<'_> {
    fn notices(&self, effects: &Effects) -> Vec<Notice> {
        let complaint = &self.after.complaint;
        let key = |what: &str| dedupe_key(&complaint.id, what, complaint.version);
        let progress = |text: &str, what: &str| {
            Notice::progress(complaint, text, self.answer_by, self.now, key(what))
        };
        let mut notices = Vec::new();
        match (effects.notify_customer, self.the_move) {
            (Some(CustomerNotice::Acknowledged), _) => {
                notices.push(progress("已受理,专人为您处理", "acknowledged"));
            }
            (Some(CustomerNotice::WaitingForCustomer), Move::WaitForCustomer { reason }) => {
                notices.push(progress(&format!("需要您提供:{reason}"), "waiting"));
            }
            (Some(CustomerNotice::Reopened), Move::Reopen { reason }) => {
                notices.push(progress(&format!("已重新处理:{reason}"), "reopened"));
            }
            (Some(CustomerNotice::Result), _) => {
                if let Some(resolution) = &complaint.resolution {
                    // What cannot be solved is told with its explanation, not the steps tried.
                    let result = resolution
                        .cannot_be_solved
                        .as_deref()
                        .unwrap_or(&resolution.text);
                    notices.push(Notice::result(complaint, result, self.now));
                }
            }
            // The domain pairs each notice with its move; nothing else to tell.
            _ => {}
        }
        if let (Some(handler), Move::Transfer { reason, .. }) =
            (&effects.notify_handler, self.the_move)
        {
            let from = &self.before.complaint.handler;
            let name = self.customer_name.unwrap_or(&complaint.customer_id);
            notices.push(Notice::staff_task(
                complaint,
                name,
                handler,
                &format!("由{from}转交给您处理:{reason}"),
                self.answer_by,
                self.now,
                key("transferred"),
            ));
        }
        notices
    }
}

/// Whether `err` is a move lost to another one (or refused by the complaint's state or time)
/// rather than trouble: what a pass skips.
pub fn lost_to_another_move(err: &Error) -> bool {
    matches!(
        err,
        Error::VersionMismatch { .. } | Error::IllegalMove(_) | Error::Precondition { .. }
    )
}

#[cfg(test)]
#[path = "handling_tests.rs"]
mod tests;
