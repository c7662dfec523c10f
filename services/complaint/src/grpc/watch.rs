//! PLACEHOLDER: being written.

use std::pin::Pin;

use futures::Stream;
use tonic::{Request, Status};
use vipcare_proto::complaint::v1 as pb;

use super::ComplaintApi;
use crate::error::Error;

/// The stream a watcher reads.
pub type Changes = Pin<Box<dyn Stream<Item = Result<pb::WatchComplaintsResponse, Status>> + Send>>;

pub async fn watch(
    _api: &ComplaintApi,
    _r: Request<pb::WatchComplaintsRequest>,
) -> Result<tonic::Response<Changes>, Error> {
    Err(Error::Internal("WatchComplaints not built yet".into()))
}
