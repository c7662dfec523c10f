//! Promises and follow-ups between the contract and the domain: the three requests checked
//! field by field (every refused field named as the contract spells it: the staff member is
//! `actor`, the time `due_at`), and the stored records shown as the contract's messages.

use chrono::{DateTime, Utc};
use vipcare_domain::Violation;
use vipcare_proto::complaint::v1 as pb;

use super::fields::{Refusals, expected_version, future_time, id, line};
use super::{maybe_timestamp, timestamp};
use crate::domain::{FollowUp, Promise};
use crate::store::follow_ups::StoredFollowUp;
use crate::store::promises::StoredPromise;

/// A checked PromiseToCustomer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseAsked {
    pub complaint_id: String,
    pub expected_version: Option<u64>,
    /// The promise as made now, under `promise_id`.
    pub promise: Promise,
}

/// Checks a PromiseToCustomer made at `now`; the promise gets `promise_id`.
pub fn promise_from_proto(
    request: pb::PromiseToCustomerRequest,
    promise_id: String,
    now: DateTime<Utc>,
) -> Result<PromiseAsked, Vec<Violation>> {
    let pb::PromiseToCustomerRequest {
        complaint_id,
        actor,
        text,
        due_at,
        request_id: _,
        expected_version: version,
    } = request;
    let mut refused = Refusals::default();
    let complaint_id = refused.check(id(&complaint_id, "complaint_id"));
    let actor = refused.check(id(&actor, "actor"));
    let text = refused.check(line(&text, "text"));
    let due_at = refused.check(future_time(due_at.as_ref(), "due_at", now));
    let version = refused.check(expected_version(version));
    let (Some(complaint_id), Some(actor), Some(text), Some(due_at), Some(expected_version)) =
        (complaint_id, actor, text, due_at, version)
    else {
        return Err(refused.into_vec());
    };
    // Checked above field by field; the domain's own check is kept as the last word, its
    // `made_by` being the request's `actor`.
    let promise = Promise::new(promise_id, &text, due_at, &actor, now)
        .map_err(|v| vec![renamed(v, "made_by", "actor")])?;
    Ok(PromiseAsked {
        complaint_id,
        expected_version,
        promise,
    })
}

/// A checked FulfilPromise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilAsked {
    pub complaint_id: String,
    pub actor: String,
    pub promise_id: String,
    pub expected_version: Option<u64>,
}

pub fn fulfil_from_proto(request: pb::FulfilPromiseRequest) -> Result<FulfilAsked, Vec<Violation>> {
    let pb::FulfilPromiseRequest {
        complaint_id,
        actor,
        promise_id,
        request_id: _,
        expected_version: version,
    } = request;
    let mut refused = Refusals::default();
    let complaint_id = refused.check(id(&complaint_id, "complaint_id"));
    let actor = refused.check(id(&actor, "actor"));
    let promise_id = refused.check(id(&promise_id, "promise_id"));
    let version = refused.check(expected_version(version));
    match (complaint_id, actor, promise_id, version) {
        (Some(complaint_id), Some(actor), Some(promise_id), Some(expected_version)) => {
            Ok(FulfilAsked {
                complaint_id,
                actor,
                promise_id,
                expected_version,
            })
        }
        _ => Err(refused.into_vec()),
    }
}

/// A checked ScheduleFollowUp: the follow-up as planned now by `actor`, under `follow_up_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpAsked {
    pub follow_up: StoredFollowUp,
    pub expected_version: Option<u64>,
}

pub fn follow_up_from_proto(
    request: pb::ScheduleFollowUpRequest,
    follow_up_id: String,
    now: DateTime<Utc>,
) -> Result<FollowUpAsked, Vec<Violation>> {
    let pb::ScheduleFollowUpRequest {
        complaint_id,
        actor,
        due_at,
        note,
        notify_customer,
        request_id: _,
        expected_version: version,
    } = request;
    let mut refused = Refusals::default();
    let complaint_id = refused.check(id(&complaint_id, "complaint_id"));
    let actor = refused.check(id(&actor, "actor"));
    let due_at = refused.check(future_time(due_at.as_ref(), "due_at", now));
    let note = refused.check(line(&note, "note"));
    let version = refused.check(expected_version(version));
    let (Some(complaint_id), Some(actor), Some(due_at), Some(note), Some(expected_version)) =
        (complaint_id, actor, due_at, note, version)
    else {
        return Err(refused.into_vec());
    };
    let follow_up = FollowUp::new(due_at, &note, notify_customer, now)
        .map_err(|v| vec![renamed(v, "at", "due_at")])?;
    Ok(FollowUpAsked {
        follow_up: StoredFollowUp {
            id: follow_up_id,
            complaint_id,
            follow_up,
            scheduled_by: actor,
            scheduled_at: now,
        },
        expected_version,
    })
}

/// The domain names some fields otherwise than the contract does.
fn renamed(mut violation: Violation, domain: &str, contract: &str) -> Violation {
    if violation.field == domain {
        violation.field = contract.to_owned();
    }
    violation
}

/// A promise as the contract shows it, `overdue` as of `now`.
pub fn promise_to_proto(stored: &StoredPromise, now: DateTime<Utc>) -> pb::Promise {
    let StoredPromise {
        complaint_id: _,
        promise,
        fulfilled_by,
        escalated_at: _,
    } = stored;
    let Promise {
        id,
        text,
        due_at,
        made_by,
        made_at,
        fulfilled_at,
    } = promise;
    pb::Promise {
        promise_id: id.clone(),
        text: text.clone(),
        due_at: Some(timestamp(*due_at)),
        made_by: made_by.clone(),
        made_at: Some(timestamp(*made_at)),
        fulfilled_at: maybe_timestamp(*fulfilled_at),
        fulfilled_by: fulfilled_by.clone().unwrap_or_default(),
        overdue: promise.is_overdue(now),
        kept_on_time: promise.kept_on_time() == Some(true),
    }
}

/// A follow-up as the contract shows it.
pub fn follow_up_to_proto(stored: &StoredFollowUp) -> pb::FollowUp {
    let StoredFollowUp {
        id,
        complaint_id: _,
        follow_up,
        scheduled_by,
        scheduled_at,
    } = stored;
    let FollowUp {
        at,
        note,
        notify_customer,
    } = follow_up;
    pb::FollowUp {
        follow_up_id: id.clone(),
        due_at: Some(timestamp(*at)),
        note: note.clone(),
        notify_customer: *notify_customer,
        scheduled_by: scheduled_by.clone(),
        scheduled_at: Some(timestamp(*scheduled_at)),
    }
}

#[cfg(test)]
#[path = "promise_tests.rs"]
mod tests;
