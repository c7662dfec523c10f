//! A complaint as the contract shows it: its fields, its SLA clock read as of the response
//! under the target it is held to, its resolution, and — when read alone — its promises,
//! follow-ups, escalations and compensation ledger.

use chrono::{DateTime, Utc};
use vipcare_proto::complaint::v1 as pb;

use super::codes::code;
use super::parts::{
    compensation_to_proto, escalation_to_proto, follow_up_to_proto, promise_to_proto,
    sla_target_to_proto,
};
use super::{duration, maybe_timestamp, timestamp};
use crate::domain::{BusinessCalendar, Goal, Resolution, SlaClock, SlaTarget};
use crate::store::StoredComplaint;
use crate::store::compensations::LedgerEntry;
use crate::store::escalations::Escalation;
use crate::store::follow_ups::StoredFollowUp;
use crate::store::promises::StoredPromise;
use crate::store::timeline::NumberedEntry;

/// What a complaint is shown with besides its row; empty lists in a list of complaints, where
/// only the clock is read (GetComplaint has the rest).
#[derive(Debug, Default)]
pub struct Attached {
    pub promises: Vec<StoredPromise>,
    pub follow_ups: Vec<StoredFollowUp>,
    pub escalations: Vec<Escalation>,
    pub compensations: Vec<LedgerEntry>,
}

/// `stored` as the contract shows it at `now`, its clock held to `target` on `calendar`.
pub fn complaint_to_proto(
    stored: &StoredComplaint,
    attached: &Attached,
    target: &SlaTarget,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> pb::Complaint {
    let c = &stored.complaint;
    pb::Complaint {
        complaint_id: c.id.clone(),
        customer_id: c.customer_id.clone(),
        channel: code::<pb::Channel>(c.channel),
        category: code::<pb::Category>(c.category),
        severity: code::<pb::Severity>(c.severity),
        summary: c.summary.clone(),
        description: c.description.clone(),
        first_contact_owner: c.first_contact_owner.clone(),
        handler: c.handler.clone(),
        state: code::<pb::ComplaintState>(c.state),
        tier_at_opening: c.tier_at_opening.clone(),
        sla: Some(clock_to_proto(
            &stored.clock,
            &stored.pause_reasons,
            (&c.tier_at_opening, c.severity, target),
            calendar,
            now,
        )),
        resolution: c.resolution.as_ref().map(resolution_to_proto),
        promises: attached
            .promises
            .iter()
            .map(|p| promise_to_proto(p, now))
            .collect(),
        follow_ups: attached.follow_ups.iter().map(follow_up_to_proto).collect(),
        escalations: attached
            .escalations
            .iter()
            .map(escalation_to_proto)
            .collect(),
        compensations: attached
            .compensations
            .iter()
            .map(compensation_to_proto)
            .collect(),
        reopen_count: i32::try_from(c.reopen_count).unwrap_or(i32::MAX),
        related_complaint_ids: c.related_ids.clone(),
        version: i64::try_from(c.version).unwrap_or(i64::MAX),
        create_time: Some(timestamp(c.opened_at)),
        update_time: Some(timestamp(stored.update_time)),
    }
}

/// The clock of the current handling, both goals read at `now`.
fn clock_to_proto(
    clock: &SlaClock,
    reasons: &[String],
    (tier, severity, target): (&str, crate::domain::Severity, &SlaTarget),
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> pb::SlaClock {
    let goal = |goal: Goal, done_at: Option<DateTime<Utc>>| {
        let status = clock.status(goal, target, calendar, now);
        pb::SlaGoalStatus {
            due_at: maybe_timestamp(status.due_at),
            done_at: maybe_timestamp(done_at),
            elapsed: Some(duration(status.elapsed)),
            used_permille: i32::try_from(status.used_permille).unwrap_or(i32::MAX),
            breached: status.breached,
        }
    };
    pb::SlaClock {
        target: Some(sla_target_to_proto(tier, severity, target)),
        started_at: Some(timestamp(clock.started_at())),
        pauses: clock
            .pauses()
            .iter()
            .enumerate()
            .map(|(i, (paused, resumed))| pb::SlaPause {
                paused_at: Some(timestamp(*paused)),
                resumed_at: maybe_timestamp(*resumed),
                reason: reasons.get(i).cloned().unwrap_or_default(),
            })
            .collect(),
        response: Some(goal(Goal::Respond, clock.responded_at())),
        resolution: Some(goal(Goal::Resolve, clock.resolved_at())),
        paused: clock.is_paused(),
    }
}

pub fn resolution_to_proto(r: &Resolution) -> pb::Resolution {
    pb::Resolution {
        text: r.text.clone(),
        root_cause_gap: code::<pb::RootCauseGap>(r.root_cause_gap),
        explanation: r.cannot_be_solved.clone().unwrap_or_default(),
        resolved_by: r.resolved_by.clone(),
        resolved_at: Some(timestamp(r.resolved_at)),
    }
}

pub fn entry_to_proto(numbered: &NumberedEntry) -> pb::TimelineEntry {
    let e = &numbered.entry;
    pb::TimelineEntry {
        version: i64::try_from(numbered.version).unwrap_or(i64::MAX),
        kind: code::<pb::TimelineEntryKind>(e.kind),
        actor: e.actor.clone(),
        text: e.text.clone(),
        occurred_at: Some(timestamp(e.at)),
    }
}
