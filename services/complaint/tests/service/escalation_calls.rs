//! The calls the escalation and progress scenarios share: opening a complaint for a customer
//! of a tier at a severity, the moves that pause a clock, promising, escalating by hand, and
//! reading back what the reminder service was asked to send.

use chrono::{DateTime, Utc};
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::reminder::v1 as reminder;

use crate::harness::{Suite, by_agent, opening};

/// The handler and first-contact owner of every complaint opened here (see `opening`).
pub const OWNER: &str = "E1001";

/// The reminders of one kind, as a test filters them.
pub fn staff_tasks(all: &[reminder::Reminder]) -> Vec<&reminder::Reminder> {
    all.iter()
        .filter(|r| r.touchpoint == Touchpoint::StaffTask as i32)
        .collect()
}

/// The escalation tasks among `all` (other staff tasks — a transfer's, a promise's — aside).
pub fn escalation_tasks(all: &[reminder::Reminder]) -> Vec<&reminder::Reminder> {
    staff_tasks(all)
        .into_iter()
        .filter(|r| r.dedupe_key.contains(":escalation-"))
        .collect()
}

/// The periodic progress notices among `all` (the acknowledgement and the result aside).
pub fn progress_notices(all: &[reminder::Reminder]) -> Vec<&reminder::Reminder> {
    all.iter()
        .filter(|r| {
            r.touchpoint == Touchpoint::ComplaintProgress as i32
                && r.dedupe_key.contains(":progress:")
        })
        .collect()
}

/// An escalation by hand by `S200`, with its reason.
pub fn by_hand(complaint_id: &str, level: pb::EscalationLevel) -> pb::EscalateComplaintRequest {
    pb::EscalateComplaintRequest {
        complaint_id: complaint_id.into(),
        actor: "S200".into(),
        level: level as i32,
        reason: "客户要求经理回电".into(),
        ..Default::default()
    }
}

impl Suite {
    /// A new customer of `tier` with a complaint of `severity` opened now; the customer's id and
    /// the complaint.
    pub async fn opened_at_severity(
        &mut self,
        tier: &str,
        severity: pb::Severity,
    ) -> (String, pb::Complaint) {
        let customer = self.customer(tier).await;
        let request = pb::OpenComplaintRequest {
            severity: severity as i32,
            ..opening(&customer)
        };
        let opened = self.open(request).await.complaint.expect("the complaint");
        (customer, opened)
    }

    /// Escalates, panicking on a refusal.
    pub async fn escalate(
        &mut self,
        request: pb::EscalateComplaintRequest,
    ) -> pb::EscalateComplaintResponse {
        self.complaints
            .escalate_complaint(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] escalate: {s:?}", self.label))
            .into_inner()
    }

    /// Acknowledges, starts work and waits for the customer: the clock pauses.
    pub async fn pause_for_customer(&mut self, complaint_id: &str) {
        let id = complaint_id.to_owned();
        let label = self.label;
        let fail = |what: &str, s: tonic::Status| -> ! { panic!("[{label}] {what}: {s:?}") };
        let acknowledge = pb::AcknowledgeComplaintRequest {
            complaint_id: id.clone(),
            actor: OWNER.into(),
            ..Default::default()
        };
        let start = pb::StartWorkRequest {
            complaint_id: id.clone(),
            actor: OWNER.into(),
            ..Default::default()
        };
        let wait = pb::WaitForCustomerRequest {
            complaint_id: id,
            actor: OWNER.into(),
            reason: "等客户提供账单截图".into(),
            ..Default::default()
        };
        let c = &mut self.complaints;
        if let Err(s) = c.acknowledge_complaint(by_agent(acknowledge)).await {
            fail("acknowledge", s)
        }
        if let Err(s) = c.start_work(by_agent(start)).await {
            fail("start work", s)
        }
        if let Err(s) = c.wait_for_customer(by_agent(wait)).await {
            fail("wait for the customer", s)
        }
    }

    /// Resolves it as its owner.
    pub async fn resolve_as_owner(&mut self, complaint_id: &str) {
        let request = pb::ResolveComplaintRequest {
            complaint_id: complaint_id.into(),
            actor: OWNER.into(),
            resolution: "已退还多扣的30元".into(),
            root_cause_gap: pb::RootCauseGap::Delivery as i32,
            ..Default::default()
        };
        self.complaints
            .resolve_complaint(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] resolve: {s:?}", self.label));
    }

    /// A promise by `E2002` (not the owner) due at `due_at`.
    pub async fn promise_by_colleague(
        &mut self,
        complaint_id: &str,
        text: &str,
        due_at: DateTime<Utc>,
    ) {
        let request = pb::PromiseToCustomerRequest {
            complaint_id: complaint_id.into(),
            actor: "E2002".into(),
            text: text.into(),
            due_at: Some(prost_types::Timestamp {
                seconds: due_at.timestamp(),
                nanos: 0,
            }),
            ..Default::default()
        };
        self.complaints
            .promise_to_customer(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] promise: {s:?}", self.label));
    }
}
