//! Closing the loop, through the real `vipcare up`, every hop over the network: a complaint
//! resolved on the hotline invites its customer to the survey by itself (complaint outbox →
//! survey service → SURVEY_INVITATION reminder with a one-time link); the customer answers on the
//! page without an API key, unhappy with the complaint's handling; the answer is scored by the
//! peak-end rule and opens a follow-up complaint owned by the agent who took the first one; the
//! link cannot be used twice; and the customer's tier score now weighs the answer: the
//! satisfaction component, shared out among the others before, earns 1/8 of its weight.

use std::time::{Duration, Instant};

use tonic::Code;
use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::complaint::v1 as complaint;
use vipcare_proto::profile::v1::CreateCustomerRequest;
use vipcare_proto::reminder::v1::ListRemindersRequest;
use vipcare_proto::survey::v1 as pb;
use vipcare_proto::tiering::v1::{
    Component, EvaluateCustomerRequest, ScoreComponent,
    tiering_service_client::TieringServiceClient,
};
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn a_resolved_complaint_invites_an_unhappy_answer_opens_a_follow_up() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let label = suite.label;
        let id = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13700137111", "邓世昌")),
                request_id: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer")
            .customer_id;

        // Solved on the spot at first contact: resolved straight from OPEN.
        let mut hotline = suite.complaint(ApiClient::Hotline);
        let opened = hotline
            .open_complaint(complaint::OpenComplaintRequest {
                customer_id: id.clone(),
                channel: complaint::Channel::Hotline as i32,
                category: complaint::Category::Billing as i32,
                severity: complaint::Severity::Medium as i32,
                summary: "本月话费多扣了 30 元".into(),
                first_contact_owner: "HL-2002".into(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] open: {s:?}"))
            .into_inner()
            .complaint
            .expect("the opened complaint");
        hotline
            .resolve_complaint(complaint::ResolveComplaintRequest {
                complaint_id: opened.complaint_id.clone(),
                actor: "HL-2002".into(),
                resolution: "多扣的 30 元已退回".into(),
                root_cause_gap: complaint::RootCauseGap::Delivery as i32,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] resolve: {s:?}"));

        let before = satisfaction_component(&suite, &id).await;
        assert!(
            !before.available && before.weight == 0.0,
            "[{label}] no answer yet: its weight is shared among the others: {before:?}"
        );

        let token = invitation_token(&suite, &id).await;
        let mut page = suite.survey(ApiClient::NoKey);
        let invitation = page
            .get_invitation(pb::GetInvitationRequest {
                invitation_token: token.clone(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] the page opens the link: {s:?}"))
            .into_inner();
        let scenario = invitation.scenario.expect("the scenario as sent");
        assert_eq!(scenario.scenario_code, "PHONE_SMS", "[{label}]");
        assert_eq!(
            invitation.state,
            pb::InvitationState::Open as i32,
            "[{label}]"
        );

        let answer = pb::SubmitResponseRequest {
            invitation_token: token.clone(),
            moment_scores: [
                ("QUESTION_ANSWERING", 3),
                ("COMPLAINT_HANDLING", 1),
                ("RESULT_FEEDBACK", 2),
            ]
            .map(|(moment, score)| pb::MomentScore {
                moment_code: moment.into(),
                score,
            })
            .to_vec(),
            nps: Some(4),
            comment: "退款太慢,打了三次电话".into(),
            ..Default::default()
        };
        let score = page
            .submit_response(answer.clone())
            .await
            .unwrap_or_else(|s| panic!("[{label}] submit by token: {s:?}"))
            .into_inner()
            .score
            .expect("the journey score");
        // Peak: complaint handling, 2 from neutral; end: result feedback 2.
        // peak-end = 0.5·1 + 0.5·2 = 1.5, against a mean of (3 + 1 + 2) / 3 = 2.
        let peak = score
            .peak
            .as_ref()
            .map(|m| (m.moment_code.as_str(), m.score));
        assert_eq!(peak, Some(("COMPLAINT_HANDLING", 1)), "[{label}]");
        assert_eq!(score.peak_end, Some(1.5), "[{label}]");
        assert!(
            (score.mean.as_ref().map_or(0.0, |m| m.value) - 2.0).abs() < 1e-9,
            "[{label}] {score:?}"
        );
        let follow_up = score.follow_up.clone().expect("a follow-up");
        assert_eq!(
            follow_up.state,
            pb::FollowUpState::Pending as i32,
            "[{label}]"
        );
        assert_eq!(
            follow_up.owner, "HL-2002",
            "[{label}] the agent who took it"
        );

        let again = page
            .submit_response(pb::SubmitResponseRequest {
                request_id: "another-try".into(),
                ..answer
            })
            .await
            .expect_err("a link answers once");
        assert_eq!(
            again.code(),
            Code::FailedPrecondition,
            "[{label}] {again:?}"
        );

        let follow_up = follow_up_complaint(&suite, &id, &opened.complaint_id).await;
        assert_eq!(follow_up.first_contact_owner, "HL-2002", "[{label}]");
        assert!(
            follow_up.summary.contains("投诉处理") || follow_up.summary.contains("1/5"),
            "[{label}] the worst moment is its reason: {}",
            follow_up.summary
        );
        let detractors = suite
            .survey(ApiClient::Admin)
            .list_detractors(pb::ListDetractorsRequest::default())
            .await
            .unwrap_or_else(|s| panic!("[{label}] detractors: {s:?}"))
            .into_inner()
            .detractors;
        let listed = detractors
            .iter()
            .find(|d| d.customer_id == id)
            .and_then(|d| d.follow_up.clone());
        assert!(
            listed.is_some_and(|f| f.state == pb::FollowUpState::Opened as i32
                && f.complaint_id == follow_up.complaint_id),
            "[{label}] listed with its follow-up complaint: {detractors:?}"
        );

        // The tier score weighs what the customer remembers: (1.5 − 1) / 4 of its 15%.
        let after = satisfaction_component(&suite, &id).await;
        assert!(after.available, "[{label}] {after:?}");
        assert!((after.fraction - 0.125).abs() < 1e-9, "[{label}] {after:?}");
        assert!((after.weight - 0.15).abs() < 1e-9, "[{label}] {after:?}");
        assert!(
            after.input.contains("1.5"),
            "[{label}] explained by the score: {}",
            after.input
        );
        suite.stop_gracefully().await;
    }
}

/// The customer's satisfaction component, as a dry-run evaluation through the gateway shows it.
async fn satisfaction_component(suite: &Suite, customer_id: &str) -> ScoreComponent {
    let label = suite.label;
    let mut tiering: TieringServiceClient<_> = suite.tiering(ApiClient::Admin);
    let evaluation = tiering
        .evaluate_customer(EvaluateCustomerRequest {
            customer_id: customer_id.to_owned(),
            dry_run: true,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|s| panic!("[{label}] evaluate: {s:?}"))
        .into_inner()
        .evaluation
        .expect("an evaluation");
    evaluation
        .components
        .into_iter()
        .find(|c| c.component == Component::Satisfaction as i32)
        .expect("the satisfaction component")
}

/// The one-time token in the link of the customer's SURVEY_INVITATION, once the complaint's
/// invitation reached the survey service and its reminder the reminder service.
async fn invitation_token(suite: &Suite, customer_id: &str) -> String {
    let label = suite.label;
    let started = Instant::now();
    loop {
        let reminders = suite
            .reminder(ApiClient::Admin)
            .list_reminders(ListRemindersRequest {
                customer_id: customer_id.to_owned(),
                touchpoint: Touchpoint::SurveyInvitation as i32,
                ..ListRemindersRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] ListReminders: {s:?}"))
            .into_inner()
            .reminders;
        let token = reminders.iter().find_map(|r| {
            let (_, after) = r.text.split_once("/s/")?;
            let token: String = after.chars().take_while(char::is_ascii_hexdigit).collect();
            (!token.is_empty()).then_some(token)
        });
        if let Some(token) = token {
            return token;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "[{label}] no survey invitation with a link for {customer_id} after 30 s: {reminders:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The complaint the survey opened for the customer (not `first`), once the survey outbox
/// delivered it and the survey recorded it.
async fn follow_up_complaint(
    suite: &Suite,
    customer_id: &str,
    first: &str,
) -> complaint::Complaint {
    let label = suite.label;
    let started = Instant::now();
    loop {
        let listed = suite
            .complaint(ApiClient::Hotline)
            .list_complaints(complaint::ListComplaintsRequest {
                customer_id: customer_id.to_owned(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] ListComplaints: {s:?}"))
            .into_inner()
            .complaints;
        let opened = listed.into_iter().find(|c| c.complaint_id != first);
        let recorded = suite
            .survey(ApiClient::Admin)
            .list_detractors(pb::ListDetractorsRequest {
                follow_up_state: pb::FollowUpState::Opened as i32,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] detractors: {s:?}"))
            .into_inner()
            .detractors
            .iter()
            .any(|d| d.customer_id == customer_id);
        if let (Some(opened), true) = (opened, recorded) {
            return opened;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "[{label}] no follow-up complaint recorded for {customer_id} after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
