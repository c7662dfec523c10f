//! The calls the promise, follow-up and compensation scenarios share: a complaint to work on,
//! the requests as the hotline agent sends them, the reminders a promise or follow-up led to.

use chrono::{DateTime, TimeDelta, Utc};
use tonic::{Response, Status};
use vipcare_domain::Clock;
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::reminder::v1 as reminder;

use crate::harness::{Suite, by_agent, opening};

/// The staff id who opens (and so handles) every complaint here, as `harness::opening` has it.
pub const HANDLER: &str = "E1001";

/// `t` as the contract carries it.
pub fn ts(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

impl Suite {
    /// The services' "now".
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A new customer of `tier` with a complaint opened on the hotline by [`HANDLER`]:
    /// (customer id, complaint id).
    pub async fn complaint_of(&mut self, tier: &str) -> (String, String) {
        let customer = self.customer(tier).await;
        let opened = self.open(opening(&customer)).await;
        let id = opened.complaint.expect("the complaint").complaint_id;
        (customer, id)
    }

    /// A promise by `actor` on `complaint_id`, due `due_in` from now.
    pub fn promising(
        &self,
        complaint_id: &str,
        actor: &str,
        text: &str,
        due_in: TimeDelta,
    ) -> pb::PromiseToCustomerRequest {
        pb::PromiseToCustomerRequest {
            complaint_id: complaint_id.into(),
            actor: actor.into(),
            text: text.into(),
            due_at: Some(ts(self.now() + due_in)),
            ..Default::default()
        }
    }

    pub async fn promise(
        &mut self,
        request: pb::PromiseToCustomerRequest,
    ) -> Result<pb::PromiseToCustomerResponse, Status> {
        let sent = self.complaints.promise_to_customer(by_agent(request)).await;
        sent.map(Response::into_inner)
    }

    pub async fn fulfil(
        &mut self,
        complaint_id: &str,
        promise_id: &str,
        actor: &str,
    ) -> Result<pb::FulfilPromiseResponse, Status> {
        let request = pb::FulfilPromiseRequest {
            complaint_id: complaint_id.into(),
            actor: actor.into(),
            promise_id: promise_id.into(),
            ..Default::default()
        };
        let sent = self.complaints.fulfil_promise(by_agent(request)).await;
        sent.map(Response::into_inner)
    }

    /// A follow-up planned by `actor`, due `due_in` from now.
    pub async fn follow_up(
        &mut self,
        complaint_id: &str,
        actor: &str,
        due_in: TimeDelta,
        notify_customer: bool,
    ) -> Result<pb::ScheduleFollowUpResponse, Status> {
        let request = pb::ScheduleFollowUpRequest {
            complaint_id: complaint_id.into(),
            actor: actor.into(),
            due_at: Some(ts(self.now() + due_in)),
            note: "回访确认退款已到账".into(),
            notify_customer,
            ..Default::default()
        };
        let sent = self.complaints.schedule_follow_up(by_agent(request)).await;
        sent.map(Response::into_inner)
    }

    pub async fn propose(
        &mut self,
        request: pb::ProposeCompensationRequest,
    ) -> Result<pb::Compensation, Status> {
        let sent = self
            .complaints
            .propose_compensation(by_agent(request))
            .await;
        sent.map(|r| r.into_inner().compensation.expect("the entry"))
    }

    pub async fn approve(
        &mut self,
        compensation_id: &str,
        approved_by: &str,
        request_id: &str,
    ) -> Result<pb::Compensation, Status> {
        let request = pb::ApproveCompensationRequest {
            compensation_id: compensation_id.into(),
            approved_by: approved_by.into(),
            request_id: request_id.into(),
        };
        let sent = self
            .complaints
            .approve_compensation(by_agent(request))
            .await;
        sent.map(|r| r.into_inner().compensation.expect("the entry"))
    }

    pub async fn reject(
        &mut self,
        compensation_id: &str,
        rejected_by: &str,
        reason: &str,
    ) -> Result<pb::Compensation, Status> {
        let request = pb::RejectCompensationRequest {
            compensation_id: compensation_id.into(),
            rejected_by: rejected_by.into(),
            reason: reason.into(),
            ..Default::default()
        };
        let sent = self.complaints.reject_compensation(by_agent(request)).await;
        sent.map(|r| r.into_inner().compensation.expect("the entry"))
    }

    /// The reminders of `customer_id` whose dedupe key ends with `about` (a promise's or a
    /// follow-up's id), once at least `at_least` of them arrived from the complaint outbox;
    /// as [`Suite::reminders_of`], but blind to the notices of other moves. Panics after 10 s.
    pub async fn reminders_about(
        &mut self,
        customer_id: &str,
        about: &str,
        at_least: usize,
    ) -> Vec<reminder::Reminder> {
        let suffix = format!(":{about}");
        let about_it = |all: &[reminder::Reminder]| -> Vec<reminder::Reminder> {
            let about = all.iter().filter(|r| r.dedupe_key.ends_with(&suffix));
            about.cloned().collect()
        };
        let held = self
            .reminders_until(customer_id, |all| about_it(all).len() >= at_least)
            .await;
        let found = about_it(&held);
        assert!(
            found.len() >= at_least,
            "[{}] {} reminders about {about}, not {at_least}: {found:?}",
            self.label,
            found.len()
        );
        found
    }
}

/// A bill credit of `amount_fen` proposed by `proposed_by`.
pub fn proposing(
    complaint_id: &str,
    amount_fen: i64,
    proposed_by: &str,
) -> pb::ProposeCompensationRequest {
    pb::ProposeCompensationRequest {
        complaint_id: complaint_id.into(),
        kind: pb::CompensationKind::BillCredit as i32,
        amount_fen,
        reason: "多扣话费,致歉补偿".into(),
        proposed_by: proposed_by.into(),
        ..Default::default()
    }
}

/// The one reminder of `touchpoint` among `found`.
#[track_caller]
pub fn the_one(
    found: &[reminder::Reminder],
    touchpoint: vipcare_proto::common::v1::Touchpoint,
) -> &reminder::Reminder {
    let matching: Vec<_> = found
        .iter()
        .filter(|r| r.touchpoint == touchpoint as i32)
        .collect();
    match matching.as_slice() {
        [one] => one,
        _ => panic!("expected one {touchpoint:?} reminder: {found:?}"),
    }
}
