//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn promise(
    _api: &ComplaintApi,
    _r: Request<pb::PromiseToCustomerRequest>,
) -> Reply<pb::PromiseToCustomerResponse> {
    Err(Error::Internal("PromiseToCustomer not built yet".into()))
}

pub async fn fulfil(
    _api: &ComplaintApi,
    _r: Request<pb::FulfilPromiseRequest>,
) -> Reply<pb::FulfilPromiseResponse> {
    Err(Error::Internal("FulfilPromise not built yet".into()))
}

pub async fn follow_up(
    _api: &ComplaintApi,
    _r: Request<pb::ScheduleFollowUpRequest>,
) -> Reply<pb::ScheduleFollowUpResponse> {
    Err(Error::Internal("ScheduleFollowUp not built yet".into()))
}
