//! A complaint service that answers ListComplaints from what the test put in it, or fails as
//! told: tiering's churn risk reads a customer's complaints from it. The real service opens
//! complaints only with the profile, tiering and reminder services behind it; what tiering
//! makes of the list is all these tests look at.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::complaint::v1::complaint_service_server::{
    ComplaintService, ComplaintServiceServer,
};

/// What the fake holds: complaints, and whether it answers at all.
#[derive(Debug, Default)]
struct Held {
    complaints: Vec<pb::Complaint>,
    down: bool,
}

/// The fake, shared between the server and the test. Stops when dropped.
#[derive(Debug)]
pub struct FakeComplaints {
    held: Arc<Mutex<Held>>,
    pub addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl FakeComplaints {
    pub async fn start() -> FakeComplaints {
        let held = Arc::new(Mutex::new(Held::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let service = ComplaintServiceServer::new(Serve(held.clone()));
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                    let _ = stopped.await;
                }),
        );
        FakeComplaints {
            held,
            addr,
            _stop: stop,
        }
    }

    /// A complaint of `customer_id` opened at `opened`, in `state`.
    pub fn add(
        &self,
        customer_id: &str,
        opened: DateTime<Utc>,
        state: pb::ComplaintState,
        repeats: Option<&str>,
    ) {
        let mut held = self.held.lock().unwrap();
        let complaint = pb::Complaint {
            complaint_id: format!("K{}", held.complaints.len() + 1),
            customer_id: customer_id.to_owned(),
            state: state as i32,
            related_complaint_ids: repeats.iter().map(|s| (*s).to_owned()).collect(),
            create_time: Some(prost_types::Timestamp {
                seconds: opened.timestamp(),
                nanos: 0,
            }),
            ..pb::Complaint::default()
        };
        held.complaints.push(complaint);
    }

    /// Answers UNAVAILABLE to everything while `down`.
    pub fn set_down(&self, down: bool) {
        self.held.lock().unwrap().down = down;
    }
}

struct Serve(Arc<Mutex<Held>>);

macro_rules! complaint_service {
    ($($method:ident($request:ident) -> $response:ident;)*) => {
        #[tonic::async_trait]
        impl ComplaintService for Serve {
            async fn list_complaints(
                &self,
                request: Request<pb::ListComplaintsRequest>,
            ) -> Result<Response<pb::ListComplaintsResponse>, Status> {
                let asked = request.into_inner();
                let held = self.0.lock().unwrap();
                if held.down {
                    return Err(Status::unavailable("complaint database down"));
                }
                let since = asked.start_time.map_or(i64::MIN, |t| t.seconds);
                let complaints = held
                    .complaints
                    .iter()
                    .rev()
                    .filter(|c| c.customer_id == asked.customer_id)
                    .filter(|c| c.create_time.as_ref().is_some_and(|t| t.seconds >= since))
                    .cloned()
                    .collect();
                Ok(Response::new(pb::ListComplaintsResponse {
                    complaints,
                    next_page_token: String::new(),
                }))
            }

            type WatchComplaintsStream = futures::stream::Empty<Result<pb::WatchComplaintsResponse, Status>>;

            async fn watch_complaints(
                &self,
                _: Request<pb::WatchComplaintsRequest>,
            ) -> Result<Response<Self::WatchComplaintsStream>, Status> {
                Err(Status::unimplemented("WatchComplaints"))
            }

            $(
                async fn $method(
                    &self,
                    _: Request<pb::$request>,
                ) -> Result<Response<pb::$response>, Status> {
                    Err(Status::unimplemented(stringify!($method)))
                }
            )*
        }
    };
}

complaint_service! {
    open_complaint(OpenComplaintRequest) -> OpenComplaintResponse;
    acknowledge_complaint(AcknowledgeComplaintRequest) -> AcknowledgeComplaintResponse;
    start_work(StartWorkRequest) -> StartWorkResponse;
    wait_for_customer(WaitForCustomerRequest) -> WaitForCustomerResponse;
    resume_work(ResumeWorkRequest) -> ResumeWorkResponse;
    add_action(AddActionRequest) -> AddActionResponse;
    transfer_complaint(TransferComplaintRequest) -> TransferComplaintResponse;
    resolve_complaint(ResolveComplaintRequest) -> ResolveComplaintResponse;
    confirm_resolution(ConfirmResolutionRequest) -> ConfirmResolutionResponse;
    close_complaint(CloseComplaintRequest) -> CloseComplaintResponse;
    reopen_complaint(ReopenComplaintRequest) -> ReopenComplaintResponse;
    get_complaint(GetComplaintRequest) -> GetComplaintResponse;
    get_complaint_timeline(GetComplaintTimelineRequest) -> GetComplaintTimelineResponse;
    promise_to_customer(PromiseToCustomerRequest) -> PromiseToCustomerResponse;
    fulfil_promise(FulfilPromiseRequest) -> FulfilPromiseResponse;
    schedule_follow_up(ScheduleFollowUpRequest) -> ScheduleFollowUpResponse;
    escalate_complaint(EscalateComplaintRequest) -> EscalateComplaintResponse;
    propose_compensation(ProposeCompensationRequest) -> ProposeCompensationResponse;
    approve_compensation(ApproveCompensationRequest) -> ApproveCompensationResponse;
    reject_compensation(RejectCompensationRequest) -> RejectCompensationResponse;
    get_sla_policy(GetSlaPolicyRequest) -> GetSlaPolicyResponse;
    update_sla_policy(UpdateSlaPolicyRequest) -> UpdateSlaPolicyResponse;
    get_sla_report(GetSlaReportRequest) -> GetSlaReportResponse;
}
