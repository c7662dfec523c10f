//! The lifecycle calls the scenarios make, as the hotline agent: each move with the values a
//! test rarely cares about filled in (actor `E1001`, no request_id, no version check), answered
//! with the complaint after the move and the entry it added, or the refusal.

use tonic::Status;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{Suite, by_agent};

/// A complaint after a move, and the timeline entry the move added.
#[derive(Debug, Clone)]
pub struct Moved {
    pub complaint: pb::Complaint,
    pub entry: pb::TimelineEntry,
}

pub type Made = Result<Moved, Status>;

/// Every move response holds the complaint and the entry.
macro_rules! moved {
    ($call:expr) => {
        $call.await.map(|answer| {
            let answer = answer.into_inner();
            Moved {
                complaint: answer.complaint.expect("a move answers with the complaint"),
                entry: answer.entry.expect("a move answers with its entry"),
            }
        })
    };
}

/// The staff member the scenarios act as.
pub const AGENT: &str = "E1001";

impl Suite {
    pub async fn acknowledge(&mut self, complaint_id: &str) -> Made {
        let request = pb::AcknowledgeComplaintRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            ..Default::default()
        };
        moved!(self.complaints.acknowledge_complaint(by_agent(request)))
    }

    pub async fn start_work(&mut self, complaint_id: &str) -> Made {
        let request = pb::StartWorkRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            ..Default::default()
        };
        moved!(self.complaints.start_work(by_agent(request)))
    }

    pub async fn wait_for_customer(&mut self, complaint_id: &str, reason: &str) -> Made {
        let request = pb::WaitForCustomerRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            reason: reason.into(),
            ..Default::default()
        };
        moved!(self.complaints.wait_for_customer(by_agent(request)))
    }

    pub async fn resume_work(&mut self, complaint_id: &str) -> Made {
        let request = pb::ResumeWorkRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            ..Default::default()
        };
        moved!(self.complaints.resume_work(by_agent(request)))
    }

    pub async fn add_note(&mut self, complaint_id: &str, actor: &str, text: &str) -> Made {
        let request = pb::AddActionRequest {
            complaint_id: complaint_id.into(),
            actor: actor.into(),
            kind: pb::ActionKind::Note as i32,
            text: text.into(),
            ..Default::default()
        };
        moved!(self.complaints.add_action(by_agent(request)))
    }

    pub async fn transfer(&mut self, complaint_id: &str, to_handler: &str, reason: &str) -> Made {
        let request = pb::TransferComplaintRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            to_handler: to_handler.into(),
            reason: reason.into(),
            ..Default::default()
        };
        moved!(self.complaints.transfer_complaint(by_agent(request)))
    }

    /// Resolves as `request` says; an empty `complaint_id` or `actor` in it is filled in.
    pub async fn resolve_with(
        &mut self,
        complaint_id: &str,
        mut request: pb::ResolveComplaintRequest,
    ) -> Made {
        request.complaint_id = complaint_id.into();
        if request.actor.is_empty() {
            request.actor = AGENT.into();
        }
        moved!(self.complaints.resolve_complaint(by_agent(request)))
    }

    /// Resolved: the refund made, a delivery gap.
    pub async fn resolve(&mut self, complaint_id: &str) -> Made {
        self.resolve_with(complaint_id, solved()).await
    }

    pub async fn confirm(&mut self, complaint_id: &str, actor: &str) -> Made {
        let request = pb::ConfirmResolutionRequest {
            complaint_id: complaint_id.into(),
            actor: actor.into(),
            ..Default::default()
        };
        moved!(self.complaints.confirm_resolution(by_agent(request)))
    }

    pub async fn close(&mut self, complaint_id: &str) -> Made {
        let request = pb::CloseComplaintRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            ..Default::default()
        };
        moved!(self.complaints.close_complaint(by_agent(request)))
    }

    pub async fn reopen(&mut self, complaint_id: &str, reason: &str) -> Made {
        let request = pb::ReopenComplaintRequest {
            complaint_id: complaint_id.into(),
            actor: AGENT.into(),
            reason: reason.into(),
            ..Default::default()
        };
        moved!(self.complaints.reopen_complaint(by_agent(request)))
    }

    /// The whole timeline, oldest first.
    pub async fn timeline(&mut self, complaint_id: &str) -> Vec<pb::TimelineEntry> {
        let request = pb::GetComplaintTimelineRequest {
            complaint_id: complaint_id.into(),
            page_size: 500,
            page_token: String::new(),
        };
        self.complaints
            .get_complaint_timeline(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] timeline of {complaint_id}: {s:?}", self.label))
            .into_inner()
            .entries
    }

    /// The customer's complaints, most recent first.
    pub async fn complaints_of(&mut self, customer_id: &str) -> Vec<pb::Complaint> {
        let request = pb::ListComplaintsRequest {
            customer_id: customer_id.into(),
            page_size: 500,
            ..Default::default()
        };
        self.complaints
            .list_complaints(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] complaints of {customer_id}: {s:?}", self.label))
            .into_inner()
            .complaints
    }
}

/// A resolution with everything required.
pub fn solved() -> pb::ResolveComplaintRequest {
    pb::ResolveComplaintRequest {
        resolution: "已退还多扣的30元话费".into(),
        root_cause_gap: pb::RootCauseGap::Delivery as i32,
        ..Default::default()
    }
}

/// The SLA clock a complaint is shown with.
#[track_caller]
pub fn sla(c: &pb::Complaint) -> &pb::SlaClock {
    c.sla.as_ref().expect("a complaint shows its SLA clock")
}

/// Unwraps a move the scenario expects to be made.
#[track_caller]
pub fn made(label: &str, what: &str, result: Made) -> Moved {
    result.unwrap_or_else(|s| panic!("[{label}] {what}: {s:?}"))
}
