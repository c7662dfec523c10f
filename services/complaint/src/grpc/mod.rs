//! The gRPC face of the complaint service: `ComplaintApi` implements the generated trait by
//! handing each call to a handler module (convert the request, check it, act through the
//! domain and the store in one transaction with its notices, convert back), and maps errors to
//! statuses in one place (`status`).
//!
//! - `complaints`: opening (customer and tier looked up, repeats linked, clocks started);
//! - `moves`: the lifecycle moves, each over `expected_version`;
//! - `reads`: one complaint, its timeline, lists;
//! - `promises`: promises and follow-ups; `escalation`: escalating by hand;
//! - `compensation`: the ledger with four eyes;
//! - `policy`, `report`, `watch`: the SLA policy, the SLA report, the dashboard stream.

mod compensation;
mod complaints;
pub(crate) mod convert;
mod escalation;
mod moves;
mod policy;
mod promises;
mod reads;
mod report;
mod request;
mod status;
mod watch;

use std::sync::Arc;

use tokio::sync::Notify;
use tonic::{Request, Response, Status};
use vipcare_domain::Clock;
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::complaint::v1::complaint_service_server::{
    ComplaintService, ComplaintServiceServer,
};
use vipcare_storage::Database;
use vipcare_storage::idempotency::Idempotency;

use crate::rules::Rules;
use crate::upstream::Directory;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct ComplaintApi {
    db: Database,
    /// The request_id flow of every side-effecting call.
    requests: Idempotency,
    clock: Arc<dyn Clock>,
    /// Who the customer is and their tier: the profile's and tiering's, through their contracts.
    directory: Arc<dyn Directory>,
    /// Poked after a commit that wrote notices, so the relay sends them without waiting a poll.
    relay: Arc<Notify>,
    /// Escalation chain, progress cadence, compensation limits (`[complaint]`).
    rules: Arc<Rules>,
}

impl std::fmt::Debug for ComplaintApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComplaintApi")
            .field("clock", &self.clock)
            .finish()
    }
}

impl ComplaintApi {
    pub fn new(
        db: Database,
        requests: Idempotency,
        clock: Arc<dyn Clock>,
        directory: Arc<dyn Directory>,
        relay: Arc<Notify>,
        rules: Arc<Rules>,
    ) -> ComplaintApi {
        ComplaintApi {
            db,
            requests,
            clock,
            directory,
            relay,
            rules,
        }
    }

    /// The generated server, refusing messages over `max_message_bytes`.
    pub fn into_server(self, max_message_bytes: usize) -> ComplaintServiceServer<ComplaintApi> {
        ComplaintServiceServer::new(self).max_decoding_message_size(max_message_bytes)
    }
}

/// What handlers return; the trait impl maps the error to a status in one place.
type Reply<T> = Result<Response<T>, crate::error::Error>;
type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ComplaintService for ComplaintApi {
    async fn open_complaint(
        &self,
        r: Request<pb::OpenComplaintRequest>,
    ) -> Answer<pb::OpenComplaintResponse> {
        complaints::open(self, r).await.map_err(Status::from)
    }

    async fn acknowledge_complaint(
        &self,
        r: Request<pb::AcknowledgeComplaintRequest>,
    ) -> Answer<pb::AcknowledgeComplaintResponse> {
        moves::acknowledge(self, r).await.map_err(Status::from)
    }

    async fn start_work(&self, r: Request<pb::StartWorkRequest>) -> Answer<pb::StartWorkResponse> {
        moves::start_work(self, r).await.map_err(Status::from)
    }

    async fn wait_for_customer(
        &self,
        r: Request<pb::WaitForCustomerRequest>,
    ) -> Answer<pb::WaitForCustomerResponse> {
        moves::wait_for_customer(self, r)
            .await
            .map_err(Status::from)
    }

    async fn resume_work(
        &self,
        r: Request<pb::ResumeWorkRequest>,
    ) -> Answer<pb::ResumeWorkResponse> {
        moves::resume_work(self, r).await.map_err(Status::from)
    }

    async fn add_action(&self, r: Request<pb::AddActionRequest>) -> Answer<pb::AddActionResponse> {
        moves::add_action(self, r).await.map_err(Status::from)
    }

    async fn transfer_complaint(
        &self,
        r: Request<pb::TransferComplaintRequest>,
    ) -> Answer<pb::TransferComplaintResponse> {
        moves::transfer(self, r).await.map_err(Status::from)
    }

    async fn resolve_complaint(
        &self,
        r: Request<pb::ResolveComplaintRequest>,
    ) -> Answer<pb::ResolveComplaintResponse> {
        moves::resolve(self, r).await.map_err(Status::from)
    }

    async fn confirm_resolution(
        &self,
        r: Request<pb::ConfirmResolutionRequest>,
    ) -> Answer<pb::ConfirmResolutionResponse> {
        moves::confirm_resolution(self, r)
            .await
            .map_err(Status::from)
    }

    async fn close_complaint(
        &self,
        r: Request<pb::CloseComplaintRequest>,
    ) -> Answer<pb::CloseComplaintResponse> {
        moves::close(self, r).await.map_err(Status::from)
    }

    async fn reopen_complaint(
        &self,
        r: Request<pb::ReopenComplaintRequest>,
    ) -> Answer<pb::ReopenComplaintResponse> {
        moves::reopen(self, r).await.map_err(Status::from)
    }

    async fn get_complaint(
        &self,
        r: Request<pb::GetComplaintRequest>,
    ) -> Answer<pb::GetComplaintResponse> {
        reads::get(self, r).await.map_err(Status::from)
    }

    async fn get_complaint_timeline(
        &self,
        r: Request<pb::GetComplaintTimelineRequest>,
    ) -> Answer<pb::GetComplaintTimelineResponse> {
        reads::timeline(self, r).await.map_err(Status::from)
    }

    async fn list_complaints(
        &self,
        r: Request<pb::ListComplaintsRequest>,
    ) -> Answer<pb::ListComplaintsResponse> {
        reads::list(self, r).await.map_err(Status::from)
    }

    async fn promise_to_customer(
        &self,
        r: Request<pb::PromiseToCustomerRequest>,
    ) -> Answer<pb::PromiseToCustomerResponse> {
        promises::promise(self, r).await.map_err(Status::from)
    }

    async fn fulfil_promise(
        &self,
        r: Request<pb::FulfilPromiseRequest>,
    ) -> Answer<pb::FulfilPromiseResponse> {
        promises::fulfil(self, r).await.map_err(Status::from)
    }

    async fn schedule_follow_up(
        &self,
        r: Request<pb::ScheduleFollowUpRequest>,
    ) -> Answer<pb::ScheduleFollowUpResponse> {
        promises::follow_up(self, r).await.map_err(Status::from)
    }

    async fn escalate_complaint(
        &self,
        r: Request<pb::EscalateComplaintRequest>,
    ) -> Answer<pb::EscalateComplaintResponse> {
        escalation::escalate(self, r).await.map_err(Status::from)
    }

    async fn propose_compensation(
        &self,
        r: Request<pb::ProposeCompensationRequest>,
    ) -> Answer<pb::ProposeCompensationResponse> {
        compensation::propose(self, r).await.map_err(Status::from)
    }

    async fn approve_compensation(
        &self,
        r: Request<pb::ApproveCompensationRequest>,
    ) -> Answer<pb::ApproveCompensationResponse> {
        compensation::approve(self, r).await.map_err(Status::from)
    }

    async fn reject_compensation(
        &self,
        r: Request<pb::RejectCompensationRequest>,
    ) -> Answer<pb::RejectCompensationResponse> {
        compensation::reject(self, r).await.map_err(Status::from)
    }

    async fn get_sla_policy(
        &self,
        r: Request<pb::GetSlaPolicyRequest>,
    ) -> Answer<pb::GetSlaPolicyResponse> {
        policy::get(self, r).await.map_err(Status::from)
    }

    async fn update_sla_policy(
        &self,
        r: Request<pb::UpdateSlaPolicyRequest>,
    ) -> Answer<pb::UpdateSlaPolicyResponse> {
        policy::update(self, r).await.map_err(Status::from)
    }

    async fn get_sla_report(
        &self,
        r: Request<pb::GetSlaReportRequest>,
    ) -> Answer<pb::GetSlaReportResponse> {
        report::get(self, r).await.map_err(Status::from)
    }

    type WatchComplaintsStream = watch::Changes;

    async fn watch_complaints(
        &self,
        r: Request<pb::WatchComplaintsRequest>,
    ) -> Answer<Self::WatchComplaintsStream> {
        watch::watch(self, r).await.map_err(Status::from)
    }
}
