//! The SLA report: how the complaints opened in a period were handled, in total and per group
//! (channel, category, tier at opening, first-contact owner), as of an instant and under the
//! policy in force.
//!
//! Each handling counts — the SLA clock of the opening and that of every reopen: a complaint
//! reopened twice was handled three times. Only the current clock is kept as facts; earlier
//! ones are read back from the timeline, whose entries carry the same instants the clock facts
//! were recorded at, and each is held to the severity it had (a reopen's entry says which).
//! A goal is settled once met or once its due time passed unmet; rates are shares of the
//! settled, and 0 when nothing is settled.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::calendar::BusinessCalendar;
use super::clock::{Goal, SlaClock};
use super::codes::{Category, Channel, ComplaintState, RootCauseGap, Severity};
use super::compensation::{Compensation, CompensationState};
use super::complaint::{Complaint, EntryKind, TimelineEntry};
use super::promise::Promise;
use super::sla::{ClockKind, SlaPolicy};

#[path = "report_tally.rs"]
mod tally;

use tally::Tally;
pub use tally::{CompensationTotal, ReportRow};

/// How a report is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Channel,
    Category,
    /// The tier at opening.
    Tier,
    /// The first-contact owner.
    Owner,
}

/// One group of a report; groups sort in enum order for channel and category, by code for
/// tier and owner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    Channel(Channel),
    Category(Category),
    Tier(String),
    Owner(String),
}

/// One handling: the clock of the opening or of a reopen, and the severity it was held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handling {
    pub clock: SlaClock,
    pub severity: Severity,
}

/// What the report needs of one complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedComplaint {
    pub channel: Channel,
    pub category: Category,
    pub tier: String,
    pub owner: String,
    /// RESOLVED or CLOSED now.
    pub resolved: bool,
    /// The gap of the latest resolution, while resolved.
    pub gap: Option<RootCauseGap>,
    pub reopened: bool,
    /// Oldest first; the last is the current one.
    pub handlings: Vec<Handling>,
    pub promises: Vec<Promise>,
    pub compensations: Vec<Compensation>,
}

impl ReportedComplaint {
    /// `complaint` on its current `clock`; `earlier` holds its timeline entries (all of them,
    /// or at least those of the clock kinds), oldest first, from which the handlings before
    /// its last reopen are read back.
    pub fn new(
        complaint: &Complaint,
        clock: &SlaClock,
        earlier: &[TimelineEntry],
        promises: Vec<Promise>,
        compensations: Vec<Compensation>,
    ) -> ReportedComplaint {
        let resolved = matches!(
            complaint.state,
            ComplaintState::Resolved | ComplaintState::Closed
        );
        ReportedComplaint {
            channel: complaint.channel,
            category: complaint.category,
            tier: complaint.tier_at_opening.clone(),
            owner: complaint.first_contact_owner.clone(),
            resolved,
            gap: resolved
                .then(|| complaint.resolution.as_ref().map(|r| r.root_cause_gap))
                .flatten(),
            reopened: complaint.reopen_count > 0,
            handlings: handlings(clock, complaint.severity, earlier),
            promises,
            compensations,
        }
    }

    fn key(&self, grouping: Grouping) -> GroupKey {
        match grouping {
            Grouping::Channel => GroupKey::Channel(self.channel),
            Grouping::Category => GroupKey::Category(self.category),
            Grouping::Tier => GroupKey::Tier(self.tier.clone()),
            Grouping::Owner => GroupKey::Owner(self.owner.clone()),
        }
    }
}

/// The handlings of a complaint: those closed by each reopen, read back from `entries`, then
/// `current` at `severity`. Entries that do not fit a clock (none should) are passed over
/// rather than failing the report.
pub fn handlings(
    current: &SlaClock,
    severity: Severity,
    entries: &[TimelineEntry],
) -> Vec<Handling> {
    let reopens = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Reopened)
        .count();
    let mut done = Vec::with_capacity(reopens + 1);
    let mut clock: Option<SlaClock> = None;
    for e in entries {
        if done.len() == reopens {
            break;
        }
        let Some(c) = clock.as_mut() else {
            if e.kind == EntryKind::Opened {
                clock = Some(SlaClock::start(e.at));
            }
            continue;
        };
        // Refusals are out-of-order facts of a corrupt timeline: passed over, see above.
        let _ = match e.kind {
            EntryKind::Acknowledged | EntryKind::WorkStarted => c.respond(e.at),
            EntryKind::WaitingCustomer => c.pause(e.at),
            EntryKind::WorkResumed => c.resume(e.at),
            EntryKind::Resolved => c.resolve(e.at),
            EntryKind::Reopened => {
                let held_to = severity_before_reopen(&e.text).unwrap_or(severity);
                let ended = std::mem::replace(c, SlaClock::start(e.at));
                done.push(Handling {
                    clock: ended,
                    severity: held_to,
                });
                Ok(())
            }
            _ => Ok(()),
        };
    }
    done.push(Handling {
        clock: current.clone(),
        severity,
    });
    done
}

/// A clock resolved before it was responded to was responded to by the resolution (the
/// contract's time to respond is met "by the resolution if that comes first"), whether or not
/// that fact was recorded.
fn answered_by_resolution(clock: &mut SlaClock) {
    if let (None, Some(at)) = (clock.responded_at(), clock.resolved_at()) {
        // Cannot fail: the resolution comes after the start.
        let _ = clock.respond(at);
    }
}

/// The severity a complaint had before a reopen, from the reopen's entry text, which ends
/// "(severity HIGH → CRITICAL)" (see the lifecycle).
pub fn severity_before_reopen(text: &str) -> Option<Severity> {
    let (_, rise) = text.rsplit_once("(severity ")?;
    let (before, _) = rise.split_once(" → ")?;
    Severity::from_code(before)
}

/// The report in the making: complaints are added one at a time (a page read, a page added),
/// so only the tallies are held.
#[derive(Debug)]
pub struct ReportBuilder<'a> {
    policy: &'a SlaPolicy,
    calendar: &'a BusinessCalendar,
    now: DateTime<Utc>,
    grouping: Option<Grouping>,
    total: Tally,
    groups: BTreeMap<GroupKey, Tally>,
}

/// A finished report.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaReport {
    pub total: ReportRow,
    /// One per group with complaints, in group order; empty without grouping.
    pub groups: Vec<(GroupKey, ReportRow)>,
}

impl<'a> ReportBuilder<'a> {
    pub fn new(
        policy: &'a SlaPolicy,
        calendar: &'a BusinessCalendar,
        now: DateTime<Utc>,
        grouping: Option<Grouping>,
    ) -> ReportBuilder<'a> {
        ReportBuilder {
            policy,
            calendar,
            now,
            grouping,
            total: Tally::default(),
            groups: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, c: &ReportedComplaint) {
        let outcome = self.outcome(c);
        self.total.add(&outcome);
        if let Some(grouping) = self.grouping {
            self.groups
                .entry(c.key(grouping))
                .or_default()
                .add(&outcome);
        }
    }

    pub fn finish(self) -> SlaReport {
        SlaReport {
            total: self.total.row(),
            groups: self
                .groups
                .into_iter()
                .map(|(key, tally)| (key, tally.row()))
                .collect(),
        }
    }

    /// How one complaint was handled, judged once for the total and its group alike.
    fn outcome(&self, c: &ReportedComplaint) -> tally::Outcome {
        let mut outcome = tally::Outcome {
            resolved: c.resolved,
            reopened: c.reopened,
            gap: c.gap,
            ..tally::Outcome::default()
        };
        for h in &c.handlings {
            let target = self.policy.target(&c.tier, h.severity);
            let mut clock = h.clock.clone();
            answered_by_resolution(&mut clock);
            let met = |goal: Goal, done: Option<DateTime<Utc>>| {
                let status = clock.status(goal, &target, self.calendar, self.now);
                let done = done.is_some_and(|at| at <= self.now);
                // Settled once met, or once due and unmet; on time when met unbreached.
                (done || status.breached, done && !status.breached)
            };
            outcome
                .response
                .push(met(Goal::Respond, clock.responded_at()));
            outcome
                .resolution
                .push(met(Goal::Resolve, clock.resolved_at()));
            if clock.resolved_at().is_some_and(|at| at <= self.now) {
                // On the business calendar whatever the target's clock: comparable across
                // tiers and severities.
                let spent = clock.elapsed(ClockKind::Business, self.calendar, self.now);
                outcome.resolve_times.push(spent);
            }
        }
        for p in &c.promises {
            outcome.promises += 1;
            let kept = p.fulfilled_at.filter(|at| *at <= self.now);
            if kept.is_some() || self.now > p.due_at {
                outcome.promises_settled += 1;
            }
            if kept.is_some_and(|at| at <= p.due_at) {
                outcome.promises_kept += 1;
            }
        }
        outcome.compensations = c
            .compensations
            .iter()
            .filter(|k| k.state != CompensationState::Rejected)
            .map(|k| (k.kind, k.state == CompensationState::Approved, k.amount_fen))
            .collect();
        outcome
    }
}

/// Mean and 90th percentile (nearest rank) of `spans`; `None` for none.
pub fn mean_and_p90(spans: &mut [TimeDelta]) -> Option<(TimeDelta, TimeDelta)> {
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let n = spans.len();
    let sum: i128 = spans
        .iter()
        .map(|d| i128::from(d.num_nanoseconds().unwrap_or(i64::MAX)))
        .sum();
    let mean = i64::try_from(sum / n as i128).unwrap_or(i64::MAX);
    let rank = (9 * n).div_ceil(10).max(1);
    Some((TimeDelta::nanoseconds(mean), spans[rank - 1]))
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
