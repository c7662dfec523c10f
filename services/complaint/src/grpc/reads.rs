//! Reading complaints: one with everything attached, its timeline by pages, and filtered
//! lists. Every read shows the SLA clock as of now under the policy in force, so the same
//! complaint reads "80% used" now and "breached" an hour later without anything written.

use sea_orm::ConnectionTrait;
use tonic::{Request, Response};
use vipcare_domain::{Invalid, page_size};
use vipcare_proto::complaint::v1 as pb;

use super::convert::codes::{
    category_from_proto, channel_from_proto, severity_from_proto, state_from_proto,
};
use super::convert::complaint::{Attached, complaint_to_proto, entry_to_proto};
use super::convert::time_of;
use super::{ComplaintApi, Reply};
use crate::error::Error;
use crate::store::listing::{self, ComplaintFilter};
use crate::store::policy::StoredPolicy;
use crate::store::{
    StoredComplaint, compensations, complaints, escalations, follow_ups, policy, promises, timeline,
};

const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 500;

/// The complaint as the contract shows it — with its SLA clock read as of now under the policy
/// in force, its promises, follow-ups, escalations and compensation ledger — read through
/// `conn` (inside a transaction: as that transaction sees it, its own writes included). What
/// every handler that changes a complaint answers with.
pub(super) async fn answer<C: ConnectionTrait>(
    api: &ComplaintApi,
    conn: &C,
    complaint_id: &str,
) -> Result<pb::Complaint, Error> {
    let stored = complaints::get(conn, complaint_id).await?;
    let policy = policy::get(conn).await?;
    let attached = Attached {
        promises: promises::of_complaint(conn, complaint_id).await?,
        follow_ups: follow_ups::of_complaint(conn, complaint_id).await?,
        escalations: escalations::of_complaint(conn, complaint_id).await?,
        compensations: compensations::of_complaint(conn, complaint_id).await?,
    };
    Ok(shown(api, &stored, &attached, &policy))
}

/// `stored` with `attached`, its clock held to its target under `policy`, as of now.
fn shown(
    api: &ComplaintApi,
    stored: &StoredComplaint,
    attached: &Attached,
    policy: &StoredPolicy,
) -> pb::Complaint {
    let c = &stored.complaint;
    let target = policy.policy.target(&c.tier_at_opening, c.severity);
    complaint_to_proto(stored, attached, &target, &policy.calendar, api.clock.now())
}

pub async fn get(
    api: &ComplaintApi,
    r: Request<pb::GetComplaintRequest>,
) -> Reply<pb::GetComplaintResponse> {
    let id = r.into_inner().complaint_id;
    if id.is_empty() {
        return Err(Invalid::new("required").at("complaint_id").into());
    }
    let complaint = answer(api, api.db.conn(), &id).await?;
    Ok(Response::new(pb::GetComplaintResponse {
        complaint: Some(complaint),
    }))
}

pub async fn timeline(
    api: &ComplaintApi,
    r: Request<pb::GetComplaintTimelineRequest>,
) -> Reply<pb::GetComplaintTimelineResponse> {
    let req = r.into_inner();
    if req.complaint_id.is_empty() {
        return Err(Invalid::new("required").at("complaint_id").into());
    }
    let size = page_size(req.page_size, DEFAULT_PAGE, MAX_PAGE).map_err(|e| e.at("page_size"))?;
    let page = timeline::page(api.db.conn(), &req.complaint_id, &req.page_token, size).await?;
    Ok(Response::new(pb::GetComplaintTimelineResponse {
        entries: page.entries.iter().map(entry_to_proto).collect(),
        next_page_token: page.next_page_token,
    }))
}

/// Complaints in a list carry their clocks but not their promises, follow-ups, escalations
/// and compensation (GetComplaint has them): a page is one query, whatever its size.
pub async fn list(
    api: &ComplaintApi,
    r: Request<pb::ListComplaintsRequest>,
) -> Reply<pb::ListComplaintsResponse> {
    let req = r.into_inner();
    let filter = filter_of(&req)?;
    let size = page_size(req.page_size, DEFAULT_PAGE, MAX_PAGE).map_err(|e| e.at("page_size"))?;
    let conn = api.db.conn();
    let page = listing::list(conn, &filter, api.clock.now(), &req.page_token, size).await?;
    let policy = policy::get(conn).await?;
    let none = Attached::default();
    Ok(Response::new(pb::ListComplaintsResponse {
        complaints: page
            .complaints
            .iter()
            .map(|stored| shown(api, stored, &none, &policy))
            .collect(),
        next_page_token: page.next_page_token,
    }))
}

/// The request's filters, every refused one named.
fn filter_of(req: &pb::ListComplaintsRequest) -> Result<ComplaintFilter, Error> {
    let mut refused = Vec::new();
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let filter = ComplaintFilter {
        customer_id: text(&req.customer_id),
        state: taken(state_from_proto(req.state), "state", &mut refused),
        first_contact_owner: text(&req.first_contact_owner),
        handler: text(&req.handler),
        overdue: req.overdue,
        category: taken(category_from_proto(req.category), "category", &mut refused),
        channel: taken(channel_from_proto(req.channel), "channel", &mut refused),
        severity: taken(severity_from_proto(req.severity), "severity", &mut refused),
        opened_from: time_of(req.start_time.as_ref()),
        opened_before: time_of(req.end_time.as_ref()),
    };
    if req.start_time.is_some() && filter.opened_from.is_none() {
        refused.push(Invalid::new("not a valid time").at("start_time"));
    }
    if req.end_time.is_some() && filter.opened_before.is_none() {
        refused.push(Invalid::new("not a valid time").at("end_time"));
    }
    if let (Some(from), Some(before)) = (filter.opened_from, filter.opened_before)
        && before <= from
    {
        refused.push(Invalid::new("must be after start_time").at("end_time"));
    }
    if refused.is_empty() {
        Ok(filter)
    } else {
        Err(Error::Invalid(refused))
    }
}

/// A filter's value, or `None` with its refusal noted.
fn taken<T>(
    found: Result<Option<T>, Invalid>,
    field: &str,
    refused: &mut Vec<vipcare_domain::Violation>,
) -> Option<T> {
    found.unwrap_or_else(|invalid| {
        refused.push(invalid.at(field));
        None
    })
}
