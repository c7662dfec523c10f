//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

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
