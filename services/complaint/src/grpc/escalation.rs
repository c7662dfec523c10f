//! EscalateComplaint: escalating by hand (a customer asking for a manager, a risk the clock does
//! not see), with the same staff task the clock's escalation sends. A level fires once per SLA
//! clock, by hand or by the clock, whichever comes first; firing level 2 counts level 1 as
//! fired, since a clock never escalates a step down. Taken until RESOLVED.
//!
//! The escalation, the complaint's schedule (its next check moves past the level) and the task
//! are written in one transaction over the version read, so a move made meanwhile is either
//! seen or waits.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use tonic::{Request, Response};
use vipcare_domain::Invalid;
use vipcare_proto::complaint::v1 as pb;
use vipcare_storage::idempotency::Begun;

use super::convert::codes::level_from_proto;
use super::convert::parts::escalation_to_proto;
use super::{ComplaintApi, Reply, reads, request};
use crate::domain::text::{MAX_REASON_CHARS, party_id, required_line};
use crate::domain::{ComplaintState, Level};
use crate::error::Error;
use crate::notices;
use crate::store::escalations::{self, Escalation};
use crate::store::{Schedule, StoredComplaint, complaints, policy};
use crate::sweep::escalations::{counted, staff_task};

const METHOD: &str = "vipcare.complaint.v1.ComplaintService/EscalateComplaint";

/// How often the complaint is read again when a move slips in between reading and writing it.
const ATTEMPTS: usize = 3;

pub async fn escalate(
    api: &ComplaintApi,
    r: Request<pb::EscalateComplaintRequest>,
) -> Reply<pb::EscalateComplaintResponse> {
    let key = request::key(r.metadata(), METHOD, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api
        .requests
        .begin::<pb::EscalateComplaintResponse, Error>(key.as_ref())
        .await?
    {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let asked = asked(r.into_inner())?;
    let now = api.clock.now();
    let answer = fresh
        .finish::<pb::EscalateComplaintResponse, Error, _>(async |txn| {
            let escalation = fire(api, txn, &asked, now).await?;
            Ok(pb::EscalateComplaintResponse {
                complaint: Some(reads::answer(api, txn, &asked.complaint_id).await?),
                escalation: Some(escalation_to_proto(&escalation)),
            })
        })
        .await?;
    api.relay.notify_one();
    tracing::info!(
        complaint = %asked.complaint_id,
        by = %asked.actor,
        level = answer.escalation.as_ref().map_or(0, |e| e.level),
        "complaint escalated by hand"
    );
    Ok(Response::new(answer))
}

/// An escalation asked for, its values checked.
#[derive(Debug)]
struct Asked {
    complaint_id: String,
    actor: String,
    /// `None`: the lowest level not yet fired.
    level: Option<Level>,
    reason: String,
    expected_version: Option<u64>,
}

/// The request's values, every refused one named.
fn asked(r: pb::EscalateComplaintRequest) -> Result<Asked, Error> {
    let pb::EscalateComplaintRequest {
        complaint_id,
        actor,
        level,
        reason,
        request_id: _,
        expected_version,
    } = r;
    let mut found = Vec::new();
    if complaint_id.is_empty() {
        found.push(Invalid::new("required").at("complaint_id"));
    }
    let actor = party_id(&actor)
        .map_err(|e| found.push(e.at("actor")))
        .unwrap_or_default();
    let level = level_from_proto(level)
        .map_err(|e| found.push(e.at("level")))
        .ok()
        .flatten();
    let reason = required_line(&reason, MAX_REASON_CHARS)
        .map_err(|e| found.push(e.at("reason")))
        .unwrap_or_default();
    let expected_version = match u64::try_from(expected_version) {
        Ok(0) => None,
        Ok(version) => Some(version),
        Err(_) => {
            found.push(Invalid::new("must not be negative").at("expected_version"));
            None
        }
    };
    if !found.is_empty() {
        return Err(Error::Invalid(found));
    }
    Ok(Asked {
        complaint_id,
        actor,
        level,
        reason,
        expected_version,
    })
}

/// Fires the asked level on the complaint's current clock, with its task; the escalation.
async fn fire(
    api: &ComplaintApi,
    txn: &DatabaseTransaction,
    asked: &Asked,
    now: DateTime<Utc>,
) -> Result<Escalation, Error> {
    let c = held(txn, &asked.complaint_id, asked.expected_version).await?;
    let k = &c.complaint;
    taken(k.state)?;
    let started = c.clock.started_at();
    let fired = counted(&escalations::fired_levels(txn, &k.id, started).await?);
    let level = pick(asked.level, &fired)?;
    let escalation = Escalation {
        level,
        clock_started_at: started,
        manual: true,
        escalated_by: Some(asked.actor.clone()),
        reason: asked.reason.clone(),
        escalated_at: now,
    };
    // The complaint is held, but the clock's pass records without holding it first.
    if !escalations::record(txn, &k.id, &escalation).await? {
        return Err(already(&[level]));
    }
    let policy = policy::get(txn).await?;
    let target = policy.policy.target(&k.tier_at_opening, k.severity);
    let after: Vec<Level> = fired.iter().copied().chain([level]).collect();
    let schedule = Schedule::of(&c.clock, &target, &policy.calendar, &counted(&after));
    if !complaints::reschedule(txn, &k.id, k.version, schedule).await? {
        return Err(Error::Internal(format!(
            "complaint {} moved while held for an escalation",
            k.id
        )));
    }
    let task = staff_task(&c, &escalation, &target, &policy.calendar, &api.rules);
    notices::enqueue(txn, &[task]).await?;
    Ok(escalation)
}

/// The complaint, at `expected` when given, held against moves until the transaction ends.
async fn held(
    txn: &DatabaseTransaction,
    id: &str,
    expected: Option<u64>,
) -> Result<StoredComplaint, Error> {
    for _ in 0..ATTEMPTS {
        let c = complaints::get(txn, id).await?;
        let current = c.complaint.version;
        if let Some(expected) = expected
            && expected != current
        {
            return Err(Error::VersionMismatch { expected, current });
        }
        // Writing its own schedule back over the version read takes the schedule row on
        // PostgreSQL (which every move takes first), and finds out whether a move slipped in
        // since the read.
        if complaints::reschedule(txn, id, current, c.schedule).await? {
            return Ok(c);
        }
    }
    Err(Error::Unavailable(format!(
        "complaint {id} kept moving while being escalated"
    )))
}

/// Escalation is taken until the complaint is resolved.
fn taken(state: ComplaintState) -> Result<(), Error> {
    let reason = match state {
        ComplaintState::Resolved => "COMPLAINT_RESOLVED",
        ComplaintState::Closed => "COMPLAINT_CLOSED",
        _ => return Ok(()),
    };
    Err(Error::Precondition {
        reason,
        message: format!(
            "the complaint is {}: nothing is left to escalate (reopen it first)",
            state.code()
        ),
    })
}

/// The level to fire: the one asked for unless it counts as fired, or the lowest not fired.
fn pick(asked: Option<Level>, fired: &[Level]) -> Result<Level, Error> {
    match asked {
        Some(level) if fired.contains(&level) => Err(already(&[level])),
        Some(level) => Ok(level),
        None => Level::ALL
            .iter()
            .copied()
            .find(|level| !fired.contains(level))
            .ok_or_else(|| already(fired)),
    }
}

fn already(levels: &[Level]) -> Error {
    let levels: Vec<&str> = levels.iter().map(|l| l.code()).collect();
    Error::Precondition {
        reason: "ALREADY_ESCALATED",
        message: format!(
            "{} already fired on the complaint's current SLA clock",
            levels.join(" and ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<Level, Error>) -> &'static str {
        match result {
            Err(Error::Precondition { reason, .. }) => reason,
            other => panic!("refused, not {other:?}"),
        }
    }

    #[test]
    fn unspecified_is_the_lowest_level_not_yet_fired() {
        assert_eq!(pick(None, &[]).unwrap(), Level::Level1);
        assert_eq!(pick(None, &[Level::Level1]).unwrap(), Level::Level2);
        let all = counted(&[Level::Level2]);
        assert_eq!(refused(pick(None, &all)), "ALREADY_ESCALATED");
    }

    #[test]
    fn a_level_fired_or_passed_is_refused() {
        assert_eq!(pick(Some(Level::Level2), &[]).unwrap(), Level::Level2);
        let first = [Level::Level1];
        assert_eq!(
            refused(pick(Some(Level::Level1), &first)),
            "ALREADY_ESCALATED"
        );
        // Level 2 by hand leaves nothing for level 1.
        let second = counted(&[Level::Level2]);
        assert_eq!(
            refused(pick(Some(Level::Level1), &second)),
            "ALREADY_ESCALATED"
        );
    }

    #[test]
    fn every_refused_field_is_named() {
        let r = pb::EscalateComplaintRequest {
            complaint_id: String::new(),
            actor: "E 1".into(),
            level: 9,
            reason: "一行\n两行".into(),
            request_id: String::new(),
            expected_version: -1,
        };
        let Err(Error::Invalid(found)) = asked(r) else {
            panic!("refused");
        };
        let mut fields: Vec<_> = found.iter().map(|v| v.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "actor",
                "complaint_id",
                "expected_version",
                "level",
                "reason"
            ]
        );
        let long = "长".repeat(MAX_REASON_CHARS + 1);
        let r = pb::EscalateComplaintRequest {
            complaint_id: "c-1".into(),
            actor: "S200".into(),
            reason: long,
            ..Default::default()
        };
        assert!(matches!(asked(r), Err(Error::Invalid(v)) if v[0].field == "reason"));
    }

    #[test]
    fn a_resolved_complaint_is_not_escalated() {
        assert!(taken(ComplaintState::InProgress).is_ok());
        assert!(taken(ComplaintState::WaitingCustomer).is_ok());
        for state in [ComplaintState::Resolved, ComplaintState::Closed] {
            assert!(matches!(taken(state), Err(Error::Precondition { .. })));
        }
    }
}
