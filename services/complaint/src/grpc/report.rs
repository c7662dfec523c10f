//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn get(
    _api: &ComplaintApi,
    _r: Request<pb::GetSlaReportRequest>,
) -> Reply<pb::GetSlaReportResponse> {
    Err(Error::Internal("GetSlaReport not built yet".into()))
}
