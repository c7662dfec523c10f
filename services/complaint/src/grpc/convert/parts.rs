//! The parts a complaint is shown with: its SLA target and escalations here; promises,
//! follow-ups and compensation entries are converted beside their requests (`promise`,
//! `compensation`) and re-exported.

use vipcare_proto::complaint::v1 as pb;

use super::codes::code;
pub use super::compensation::compensation_to_proto;
pub use super::promise::{follow_up_to_proto, promise_to_proto};
use super::{duration, timestamp};
use crate::domain::{Severity, SlaTarget};
use crate::store::escalations::Escalation;

pub fn sla_target_to_proto(tier: &str, severity: Severity, t: &SlaTarget) -> pb::SlaTarget {
    pb::SlaTarget {
        tier: tier.to_owned(),
        severity: code::<pb::Severity>(severity),
        respond_within: Some(duration(t.respond)),
        resolve_within: Some(duration(t.resolve)),
        clock: code::<pb::ClockKind>(t.clock),
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
