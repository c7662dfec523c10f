//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn open(
    _api: &ComplaintApi,
    _r: Request<pb::OpenComplaintRequest>,
) -> Reply<pb::OpenComplaintResponse> {
    Err(Error::Internal("OpenComplaint not built yet".into()))
}
