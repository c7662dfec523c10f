//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn propose(
    _api: &ComplaintApi,
    _r: Request<pb::ProposeCompensationRequest>,
) -> Reply<pb::ProposeCompensationResponse> {
    Err(Error::Internal("ProposeCompensation not built yet".into()))
}

pub async fn approve(
    _api: &ComplaintApi,
    _r: Request<pb::ApproveCompensationRequest>,
) -> Reply<pb::ApproveCompensationResponse> {
    Err(Error::Internal("ApproveCompensation not built yet".into()))
}

pub async fn reject(
    _api: &ComplaintApi,
    _r: Request<pb::RejectCompensationRequest>,
) -> Reply<pb::RejectCompensationResponse> {
    Err(Error::Internal("RejectCompensation not built yet".into()))
}
