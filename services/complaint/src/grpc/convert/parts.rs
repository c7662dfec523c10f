//! The parts a complaint is shown with: its SLA target, promises, follow-ups, escalations and
//! compensation entries.

use chrono::{DateTime, Utc};
use vipcare_proto::complaint::v1 as pb;

use super::codes::code;
use super::{duration, maybe_timestamp, timestamp};
use crate::domain::{CompensationState, Severity, SlaTarget};
use crate::store::compensations::LedgerEntry;
use crate::store::escalations::Escalation;
use crate::store::follow_ups::StoredFollowUp;
use crate::store::promises::StoredPromise;

pub fn sla_target_to_proto(tier: &str, severity: Severity, t: &SlaTarget) -> pb::SlaTarget {
    pb::SlaTarget {
        tier: tier.to_owned(),
        severity: code::<pb::Severity>(severity),
        respond_within: Some(duration(t.respond)),
        resolve_within: Some(duration(t.resolve)),
        clock: code::<pb::ClockKind>(t.clock),
    }
}

/// A promise as of `now`: overdue once past due unfulfilled.
pub fn promise_to_proto(stored: &StoredPromise, now: DateTime<Utc>) -> pb::Promise {
    let p = &stored.promise;
    pb::Promise {
        promise_id: p.id.clone(),
        text: p.text.clone(),
        due_at: Some(timestamp(p.due_at)),
        made_by: p.made_by.clone(),
        made_at: Some(timestamp(p.made_at)),
        fulfilled_at: maybe_timestamp(p.fulfilled_at),
        fulfilled_by: stored.fulfilled_by.clone().unwrap_or_default(),
        overdue: p.fulfilled_at.is_none() && now > p.due_at,
        kept_on_time: p.fulfilled_at.is_some_and(|at| at <= p.due_at),
    }
}

pub fn follow_up_to_proto(stored: &StoredFollowUp) -> pb::FollowUp {
    pb::FollowUp {
        follow_up_id: stored.id.clone(),
        due_at: Some(timestamp(stored.follow_up.at)),
        note: stored.follow_up.note.clone(),
        notify_customer: stored.follow_up.notify_customer,
        scheduled_by: stored.scheduled_by.clone(),
        scheduled_at: Some(timestamp(stored.scheduled_at)),
    }
}

pub fn escalation_to_proto(e: &Escalation) -> pb::Escalation {
    pb::Escalation {
        level: code::<pb::EscalationLevel>(e.level),
        manual: e.manual,
        escalated_by: e.escalated_by.clone().unwrap_or_default(),
        reason: e.reason.clone(),
        escalated_at: Some(timestamp(e.escalated_at)),
    }
}

pub fn compensation_to_proto(entry: &LedgerEntry) -> pb::Compensation {
    let c = &entry.compensation;
    pb::Compensation {
        compensation_id: c.id.clone(),
        complaint_id: entry.complaint_id.clone(),
        kind: code::<pb::CompensationKind>(c.kind),
        amount_fen: c.amount_fen,
        reason: c.reason.clone(),
        proposed_by: c.proposed_by.clone(),
        proposed_at: Some(timestamp(c.proposed_at)),
        state: code::<pb::CompensationState>(c.state),
        decided_by: c.decided_by.clone().unwrap_or_default(),
        decided_at: maybe_timestamp(c.decided_at),
        // Approved with no one deciding: within the tier's limit at proposal.
        auto_approved: c.state == CompensationState::Approved && c.decided_by.is_none(),
        rejection_reason: entry.rejection_reason.clone().unwrap_or_default(),
    }
}
