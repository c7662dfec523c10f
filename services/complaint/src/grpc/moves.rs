//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn acknowledge(
    _api: &ComplaintApi,
    _r: Request<pb::AcknowledgeComplaintRequest>,
) -> Reply<pb::AcknowledgeComplaintResponse> {
    Err(Error::Internal("AcknowledgeComplaint not built yet".into()))
}

pub async fn start_work(
    _api: &ComplaintApi,
    _r: Request<pb::StartWorkRequest>,
) -> Reply<pb::StartWorkResponse> {
    Err(Error::Internal("StartWork not built yet".into()))
}

pub async fn wait_for_customer(
    _api: &ComplaintApi,
    _r: Request<pb::WaitForCustomerRequest>,
) -> Reply<pb::WaitForCustomerResponse> {
    Err(Error::Internal("WaitForCustomer not built yet".into()))
}

pub async fn resume_work(
    _api: &ComplaintApi,
    _r: Request<pb::ResumeWorkRequest>,
) -> Reply<pb::ResumeWorkResponse> {
    Err(Error::Internal("ResumeWork not built yet".into()))
}

pub async fn add_action(
    _api: &ComplaintApi,
    _r: Request<pb::AddActionRequest>,
) -> Reply<pb::AddActionResponse> {
    Err(Error::Internal("AddAction not built yet".into()))
}

pub async fn transfer(
    _api: &ComplaintApi,
    _r: Request<pb::TransferComplaintRequest>,
) -> Reply<pb::TransferComplaintResponse> {
    Err(Error::Internal("TransferComplaint not built yet".into()))
}

pub async fn resolve(
    _api: &ComplaintApi,
    _r: Request<pb::ResolveComplaintRequest>,
) -> Reply<pb::ResolveComplaintResponse> {
    Err(Error::Internal("ResolveComplaint not built yet".into()))
}

pub async fn confirm_resolution(
    _api: &ComplaintApi,
    _r: Request<pb::ConfirmResolutionRequest>,
) -> Reply<pb::ConfirmResolutionResponse> {
    Err(Error::Internal("ConfirmResolution not built yet".into()))
}

pub async fn close(
    _api: &ComplaintApi,
    _r: Request<pb::CloseComplaintRequest>,
) -> Reply<pb::CloseComplaintResponse> {
    Err(Error::Internal("CloseComplaint not built yet".into()))
}

pub async fn reopen(
    _api: &ComplaintApi,
    _r: Request<pb::ReopenComplaintRequest>,
) -> Reply<pb::ReopenComplaintResponse> {
    Err(Error::Internal("ReopenComplaint not built yet".into()))
}
