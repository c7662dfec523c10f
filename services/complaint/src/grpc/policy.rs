//! GetSlaPolicy and UpdateSlaPolicy. An update replaces the parts its mask names, over the
//! etag the caller read; the result is checked whole by the domain's constructors, so a policy
//! in force is always complete. In the same transaction every complaint not yet resolved is
//! held to it: its schedule (when it falls overdue, when it next escalates) is recomputed from
//! its clock facts, paused time still left out, and the levels already fired on its clock stay
//! fired. A failure anywhere leaves the old policy and schedules in force, and a retry with the
//! same request_id does it all again.

use sea_orm::ConnectionTrait;
use tonic::{Request, Response};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::complaint::v1 as pb;
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::Begun;

use super::convert::policy::{
    TargetRows, calendar_from_proto, policy_to_proto, targets_from_proto,
};
use super::request::key;
use super::{ComplaintApi, Reply};
use crate::domain::{BusinessCalendar, SlaPolicy};
use crate::error::Error;
use crate::store::{Schedule, complaints, escalations, policy, reschedule};

const UPDATE: &str = "vipcare.complaint.v1.ComplaintService/UpdateSlaPolicy";

/// Complaints rescheduled per read: a million open ones never load at once.
const PAGE: u64 = 500;

/// Reads of one complaint that keeps moving under a policy update before it gives up.
const RETRIES: usize = 5;

pub async fn get(
    api: &ComplaintApi,
    _r: Request<pb::GetSlaPolicyRequest>,
) -> Reply<pb::GetSlaPolicyResponse> {
    let stored = policy::get(api.db.conn()).await?;
    Ok(Response::new(pb::GetSlaPolicyResponse {
        policy: Some(policy_to_proto(&stored)),
    }))
}

/// The parts an update replaces, each checked alone; `None` keeps the one in force.
struct Update {
    etag: String,
    default_tier: Option<String>,
    targets: Option<TargetRows>,
    calendar: Option<BusinessCalendar>,
}

pub async fn update(
    api: &ComplaintApi,
    r: Request<pb::UpdateSlaPolicyRequest>,
) -> Reply<pb::UpdateSlaPolicyResponse> {
    let key = key(r.metadata(), UPDATE, &r.get_ref().request_id, r.get_ref())?;
    let by = Caller::from_metadata(r.metadata()).client;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let update = update_of(r.into_inner())?;
    let now = api.clock.now();
    let answer = fresh
        .finish::<_, Error, _>(async |txn| {
            let current = policy::get(txn).await?;
            // A stale etag first: the caller decided on a policy that is no longer in force,
            // so the merged result would not be what they meant either.
            if update.etag != current.etag() {
                return Err(Error::StaleEtag {
                    given: update.etag.clone(),
                    current: current.etag(),
                });
            }
            let default_tier = update
                .default_tier
                .clone()
                .unwrap_or_else(|| current.policy.default_tier().to_owned());
            let rows = update.targets.clone().unwrap_or_else(|| {
                let mut rows = TargetRows::new();
                for (tier, severity, target) in current.policy.targets() {
                    rows.entry(tier.to_owned())
                        .or_default()
                        .insert(severity, target);
                }
                rows
            });
            let calendar = update.calendar.clone().unwrap_or(current.calendar);
            let checked = SlaPolicy::new(&default_tier, rows).map_err(whole_violation)?;
            let stored = policy::put(txn, &checked, &calendar, &update.etag, &by, now).await?;
            let moved = hold_unresolved_to(txn, &checked, &calendar).await?;
            tracing::info!(by = %by, etag = %stored.etag(), rescheduled = moved, "SLA policy updated");
            Ok(pb::UpdateSlaPolicyResponse {
                policy: Some(policy_to_proto(&stored)),
            })
        })
        .await?;
    Ok(Response::new(answer))
}

/// The request's parts, every refused field named.
fn update_of(req: pb::UpdateSlaPolicyRequest) -> Result<Update, Error> {
    let pb::UpdateSlaPolicyRequest {
        policy,
        update_mask,
        request_id: _,
    } = req;
    let mut refused = Vec::new();
    let paths = update_mask.map(|m| m.paths).unwrap_or_default();
    if paths.is_empty() {
        refused.push(
            Invalid::new("name the parts to change: default_tier, targets, calendar")
                .at("update_mask"),
        );
    }
    for path in &paths {
        if !matches!(path.as_str(), "default_tier" | "targets" | "calendar") {
            refused.push(
                Invalid::new(format!(
                    "unknown path {path:?}: only default_tier, targets and calendar change"
                ))
                .at("update_mask"),
            );
        }
    }
    let Some(policy) = policy else {
        refused.push(Invalid::new("required").at("policy"));
        return Err(Error::Invalid(refused));
    };
    let pb::SlaPolicy {
        default_tier,
        targets,
        calendar,
        etag,
        update_time: _,
        updated_by: _,
    } = policy;
    if etag.is_empty() {
        refused.push(Invalid::new("required: the etag of the policy read").at("policy.etag"));
    }
    let masked = |part: &str| paths.iter().any(|p| p == part);
    let default_tier = masked("default_tier")
        .then(|| {
            vipcare_domain::tier_code(&default_tier)
                .map(str::to_owned)
                .map_err(|e| refused.push(e.at("policy.default_tier")))
                .ok()
        })
        .flatten();
    let targets = masked("targets")
        .then(|| targets_from_proto(&targets, &mut refused))
        .flatten();
    let calendar = masked("calendar")
        .then(|| calendar_from_proto(calendar.as_ref(), &mut refused))
        .flatten();
    if !refused.is_empty() {
        return Err(Error::Invalid(refused));
    }
    Ok(Update {
        etag,
        default_tier,
        targets,
        calendar,
    })
}

/// What the whole policy's check refuses (the default tier not listed, above all), named as
/// the contract spells it.
fn whole_violation(v: Violation) -> Error {
    let field = if v.field == "default_tier" {
        "policy.default_tier".to_owned()
    } else {
        // Each target was checked alone already; what remains is about the list.
        "policy.targets".to_owned()
    };
    Invalid::new(v.reason).at(field).into()
}

/// Recomputes the schedule of every complaint not yet resolved under `policy`, a page at a
/// time; returns how many changed.
async fn hold_unresolved_to<C: ConnectionTrait>(
    txn: &C,
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
) -> Result<u64, Error> {
    let mut after = String::new();
    let mut changed = 0;
    loop {
        let page = reschedule::page(txn, &after, PAGE).await?;
        for open in &page {
            let c = &open.stored.complaint;
            let target = policy.target(&c.tier_at_opening, c.severity);
            let schedule = Schedule::of(&open.stored.clock, &target, calendar, &open.fired);
            if schedule == open.stored.schedule {
                continue;
            }
            if !complaints::reschedule(txn, &c.id, c.version, schedule).await? {
                // Moved since the page was read (PostgreSQL reads committed rows): read it
                // again and hold its fresher facts to the new policy.
                reschedule_afresh(txn, &c.id, policy, calendar).await?;
            }
            changed += 1;
        }
        match page.last() {
            Some(last) if page.len() as u64 == PAGE => after = last.stored.complaint.id.clone(),
            _ => return Ok(changed),
        }
    }
}

/// Reschedules one complaint from what is stored now, retrying while moves keep landing.
async fn reschedule_afresh<C: ConnectionTrait>(
    txn: &C,
    id: &str,
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
) -> Result<(), Error> {
    for _ in 0..RETRIES {
        let stored = complaints::get(txn, id).await?;
        let c = &stored.complaint;
        let fired = escalations::fired_levels(txn, id, stored.clock.started_at()).await?;
        let target = policy.target(&c.tier_at_opening, c.severity);
        let schedule = Schedule::of(&stored.clock, &target, calendar, &fired);
        if complaints::reschedule(txn, id, c.version, schedule).await? {
            return Ok(());
        }
    }
    Err(Error::Unavailable(format!(
        "complaint {id} kept moving while the SLA policy was applied"
    )))
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
