//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn get(
    _api: &ComplaintApi,
    _r: Request<pb::GetSlaPolicyRequest>,
) -> Reply<pb::GetSlaPolicyResponse> {
    Err(Error::Internal("GetSlaPolicy not built yet".into()))
}

pub async fn update(
    _api: &ComplaintApi,
    _r: Request<pb::UpdateSlaPolicyRequest>,
) -> Reply<pb::UpdateSlaPolicyResponse> {
    Err(Error::Internal("UpdateSlaPolicy not built yet".into()))
}
