//! PLACEHOLDER: being written.

use sea_orm::ConnectionTrait;
use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

/// The complaint as the contract shows it — with its SLA clock read as of now under the policy
/// in force, its promises, follow-ups, escalations and compensation ledger — read through
/// `conn` (inside a transaction: as that transaction sees it, its own writes included). What
/// every handler that changes a complaint answers with.
pub(super) async fn answer<C: ConnectionTrait>(
    api: &ComplaintApi,
    conn: &C,
    complaint_id: &str,
) -> Result<pb::Complaint, Error> {
    let _ = (api, conn);
    Err(Error::not_found("complaint", complaint_id))
}

pub async fn get(
    _api: &ComplaintApi,
    _r: Request<pb::GetComplaintRequest>,
) -> Reply<pb::GetComplaintResponse> {
    Err(Error::Internal("GetComplaint not built yet".into()))
}

pub async fn timeline(
    _api: &ComplaintApi,
    _r: Request<pb::GetComplaintTimelineRequest>,
) -> Reply<pb::GetComplaintTimelineResponse> {
    Err(Error::Internal("GetComplaintTimeline not built yet".into()))
}

pub async fn list(
    _api: &ComplaintApi,
    _r: Request<pb::ListComplaintsRequest>,
) -> Reply<pb::ListComplaintsResponse> {
    Err(Error::Internal("ListComplaints not built yet".into()))
}
