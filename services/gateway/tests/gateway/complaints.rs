//! The customer's open complaints at the gateway: the view's "complaints" section (how many,
//! how many overdue, the latest with its clock), kept in step with every change of a complaint
//! though the view is cached; the hotline priority one higher while a complaint is open; and a
//! view and a look-up that still answer when the complaint service does not.

use std::time::Duration;

use chrono::Utc;
use vipcare_complaint::domain::{
    Category, Channel, Complaint, ComplaintDraft, NewComplaint, Severity, SlaClock,
};
use vipcare_complaint::store::{self, Schedule, StoredComplaint};
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::gateway::v1::LookupCallerRequest;
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, HOTLINE, Options, Suite, closed_address};

const MSISDN: &str = "13800138000";

async fn priority(suite: &Suite) -> i32 {
    let request = LookupCallerRequest {
        msisdn: MSISDN.into(),
    };
    match suite.views(HOTLINE).lookup_caller(request).await {
        Ok(answer) => answer.into_inner().priority,
        Err(status) => panic!("[{}] LookupCaller: {status:?}", suite.label),
    }
}

/// Opens a network complaint on the hotline, through the gateway.
async fn open(suite: &Suite, customer_id: &str) -> pb::Complaint {
    let request = pb::OpenComplaintRequest {
        customer_id: customer_id.to_owned(),
        channel: pb::Channel::Hotline as i32,
        category: pb::Category::Network as i32,
        severity: pb::Severity::High as i32,
        summary: "家里5G信号时有时无".into(),
        description: String::new(),
        first_contact_owner: "E1001".into(),
        request_id: String::new(),
    };
    match suite.complaint(AGENT).open_complaint(request).await {
        Ok(answer) => answer.into_inner().complaint.expect("the complaint"),
        Err(status) => panic!("[{}] OpenComplaint: {status:?}", suite.label),
    }
}

async fn resolve(suite: &Suite, complaint_id: &str) {
    let request = pb::ResolveComplaintRequest {
        complaint_id: complaint_id.to_owned(),
        actor: "E1001".into(),
        resolution: "基站参数已调整,信号恢复".into(),
        root_cause_gap: pb::RootCauseGap::Delivery as i32,
        ..pb::ResolveComplaintRequest::default()
    };
    if let Err(status) = suite.complaint(AGENT).resolve_complaint(request).await {
        panic!("[{}] ResolveComplaint: {status:?}", suite.label);
    }
}

#[tokio::test]
async fn the_view_and_the_hotline_follow_every_change_of_a_complaint() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let before = suite.customer_view(AGENT, id).await;
        assert!(
            before.unavailable_sections.is_empty(),
            "[{label}] {before:?}"
        );
        let none = before
            .complaints
            .clone()
            .expect("the section, with none open");
        assert_eq!((none.count, none.overdue), (0, 0), "[{label}]");
        assert!(none.latest.is_none(), "[{label}]");
        assert_eq!(
            suite.customer_view(AGENT, id).await.compose_time,
            before.compose_time,
            "[{label}] cached"
        );
        let normal = priority(&suite).await;

        let opened = open(&suite, id).await;
        let shown = suite.customer_view(AGENT, id).await;
        let open_now = shown.complaints.expect("the section");
        assert_eq!(open_now.count, 1, "[{label}] right after OpenComplaint");
        assert_eq!(open_now.overdue, 0, "[{label}]");
        let latest = open_now.latest.expect("the latest");
        assert_eq!(latest.complaint_id, opened.complaint_id, "[{label}]");
        assert_eq!(latest.state(), pb::ComplaintState::Open, "[{label}]");
        assert_eq!(latest.category(), pb::Category::Network, "[{label}]");
        assert_eq!(latest.handler, "E1001", "[{label}]");
        let clock = latest.sla.expect("its clock");
        let response = clock.response.expect("the time to respond");
        assert!(
            response.due_at.is_some() && response.done_at.is_none(),
            "[{label}]"
        );
        assert_eq!(
            priority(&suite).await,
            normal + 1,
            "[{label}] one higher while a complaint is open"
        );

        resolve(&suite, &opened.complaint_id).await;
        let after = suite
            .customer_view(AGENT, id)
            .await
            .complaints
            .expect("the section");
        assert_eq!(after.count, 0, "[{label}] right after ResolveComplaint");
        assert!(after.latest.is_none(), "[{label}]");
        assert_eq!(
            priority(&suite).await,
            normal,
            "[{label}] back once resolved"
        );
    }
}

/// A complaint written without a call (as the background pass writes: an automatic close, an
/// escalation) reaches the cached view too, a moment later, through the recorded invalidation.
#[tokio::test]
async fn a_complaint_written_in_the_background_reaches_the_cached_view() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();
        let before = suite.customer_view(AGENT, id).await;
        assert_eq!(before.complaints.unwrap().count, 0, "[{label}]");
        assert_eq!(
            suite.customer_view(AGENT, id).await.compose_time,
            before.compose_time,
            "[{label}] cached"
        );

        let complaint_id = write_straight_into_the_store(&env, id).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let shown = suite.customer_view(AGENT, id).await.complaints.unwrap();
            if shown.count == 1 {
                assert_eq!(
                    shown.latest.unwrap().complaint_id,
                    complaint_id,
                    "[{label}]"
                );
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "[{label}] the cached view never showed the complaint"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Opens a complaint of `customer_id` in the complaint service's store, outside any call.
async fn write_straight_into_the_store(env: &TestEnv, customer_id: &str) -> String {
    let db = env.database("complaint").await;
    let now = store::stored_time(Utc::now());
    let draft = ComplaintDraft::new(
        NewComplaint {
            customer_id: customer_id.to_owned(),
            channel: Some(Channel::Hall),
            category: Some(Category::Billing),
            severity: Some(Severity::Medium),
            summary: "账单多扣了流量费".into(),
            description: String::new(),
            first_contact_owner: "E2002".into(),
        },
        now,
    )
    .expect("a valid complaint");
    let complaint = Complaint::open("C-BACKGROUND-1".into(), draft, "STANDARD".into(), None);
    let policy = store::policy::get(db.conn()).await.expect("the policy");
    let target = policy.policy.target("STANDARD", Severity::Medium);
    let clock = SlaClock::start(now);
    let schedule = Schedule::of(&clock, &target, &policy.calendar, &[]);
    let new = StoredComplaint {
        complaint,
        clock,
        pause_reasons: Vec::new(),
        schedule,
        update_time: now,
    };
    store::complaints::insert(db.conn(), &new)
        .await
        .expect("the complaint is stored");
    new.complaint.id
}

#[tokio::test]
async fn with_the_complaint_service_nowhere_the_view_and_the_caller_still_answer() {
    for env in TestEnv::all().await {
        let label = env.label;
        let nowhere = closed_address().await;
        let options = Options {
            complaint_address: Some(format!("http://{nowhere}")),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(shown.unavailable_sections, ["complaints"], "[{label}]");
        assert!(shown.complaints.is_none(), "[{label}]");
        assert_eq!(shown.customer.unwrap().customer_id, id, "[{label}]");
        assert!(shown.tier.is_some(), "[{label}] tiering still answers");
        let again = suite.customer_view(AGENT, id).await;
        assert_ne!(
            again.compose_time, shown.compose_time,
            "[{label}] a view without its complaints is not cached"
        );
        // Routed by the tier alone (a new customer: normal).
        assert_eq!(priority(&suite).await, 0, "[{label}]");
    }
}
