//! PLACEHOLDER: being written.

use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::{ComplaintApi, Reply};
use crate::error::Error;

pub async fn escalate(
    _api: &ComplaintApi,
    _r: Request<pb::EscalateComplaintRequest>,
) -> Reply<pb::EscalateComplaintResponse> {
    Err(Error::Internal("EscalateComplaint not built yet".into()))
}
