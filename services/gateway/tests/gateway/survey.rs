//! The survey service through the gateway: routing to `services.survey` (the real service),
//! its scopes, and the survey link a customer answers from without an API key.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Code, Status};
use vipcare_gateway::edge::ManualClock;
use vipcare_proto::profile::v1::{GetCustomerRequest, get_customer_request};
use vipcare_proto::survey::v1::{
    GetInvitationRequest, GetScenarioRequest, InviteToSurveyRequest, MomentScore,
    SubmitResponseRequest,
};
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, HOTLINE, Options, Suite, THROTTLED, closed_address};

/// A token the survey service never issued: only the service itself can say so (NOT_FOUND),
/// so that answer proves the call got past the gateway.
const UNKNOWN_TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn unknown_invitation() -> GetInvitationRequest {
    GetInvitationRequest {
        invitation_token: UNKNOWN_TOKEN.into(),
    }
}

/// The survey service's own NOT_FOUND for a token it never issued.
fn reached_survey(label: &str, answer: Result<impl std::fmt::Debug, Status>) {
    let status = answer.expect_err("no invitation has this token");
    assert_eq!(status.code(), Code::NotFound, "[{label}] {status:?}");
}

#[tokio::test]
async fn survey_calls_reach_the_survey_service() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let mut agent = suite.survey(AGENT);
        let scenario = agent
            .get_scenario(GetScenarioRequest {
                scenario_code: "ON_SITE_VISIT".into(),
                version: 0,
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] {s:?}"))
            .into_inner()
            .scenario
            .expect("the seeded scenario");
        assert_eq!(scenario.moments.len(), 10, "[{label}]");
        reached_survey(label, agent.get_invitation(unknown_invitation()).await);

        // A client without the survey scopes is stopped at the gateway, told which it lacks.
        let denied = suite
            .survey(HOTLINE)
            .invite_to_survey(InviteToSurveyRequest::default())
            .await
            .unwrap_err();
        assert_eq!(denied.code(), Code::PermissionDenied, "[{label}]");
        assert!(
            denied.message().contains("survey:write"),
            "[{label}] {denied:?}"
        );
    }
}

#[tokio::test]
async fn a_customer_answers_from_the_link_without_a_key() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let mut page = suite.survey_link();
        reached_survey(label, page.get_invitation(unknown_invitation()).await);
        // The survey service sees the link's caller (survey:respond only): the form without a
        // token, a counter's, is refused there, not at the gateway.
        let staffed = page
            .submit_response(SubmitResponseRequest {
                customer_id: "c-1".into(),
                scenario_code: "PHONE_SMS".into(),
                moment_scores: vec![MomentScore {
                    moment_code: "RESULT_FEEDBACK".into(),
                    score: 5,
                }],
                ..SubmitResponseRequest::default()
            })
            .await
            .unwrap_err();
        assert_eq!(
            staffed.code(),
            Code::PermissionDenied,
            "[{label}] {staffed:?}"
        );
        assert!(
            !staffed.message().contains("scope survey:"),
            "[{label}] refused by the survey service, not the gateway: {staffed:?}"
        );

        // Nothing else opens without a key.
        let refused = page
            .invite_to_survey(InviteToSurveyRequest::default())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::Unauthenticated, "[{label}]");
        let refused = page
            .get_scenario(GetScenarioRequest::default())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::Unauthenticated, "[{label}]");
        // A wrong key is refused, not taken for the link.
        let refused = suite
            .survey("guessed-key")
            .get_invitation(unknown_invitation())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::Unauthenticated, "[{label}]");
    }
}

#[tokio::test]
async fn with_the_link_off_a_customer_s_page_needs_a_key() {
    let env = TestEnv::embedded().await;
    let options = Options {
        survey_link: Some("survey_link_per_second = 0"),
        ..Options::default()
    };
    let suite = Suite::start_with(&env, options).await;
    let refused = suite
        .survey_link()
        .get_invitation(GetInvitationRequest::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    // A key still gets there.
    let mut agent = suite.survey(AGENT);
    reached_survey("off", agent.get_invitation(unknown_invitation()).await);
}

#[tokio::test]
async fn the_link_has_a_budget_of_its_own() {
    let env = TestEnv::embedded().await;
    let clock = Arc::new(ManualClock::default());
    let options = Options {
        survey_link: Some("survey_link_per_second = 0.5\nsurvey_link_burst = 2"),
        rate_clock: Some(clock.clone()),
        ..Options::default()
    };
    let suite = Suite::start_with(&env, options).await;
    let mut page = suite.survey_link();
    for _ in 0..2 {
        reached_survey("link", page.get_invitation(unknown_invitation()).await);
    }
    let throttled = page
        .submit_response(SubmitResponseRequest::default())
        .await
        .unwrap_err();
    assert_eq!(throttled.code(), Code::ResourceExhausted);

    // The partner with a burst of two still has both calls.
    let lookup = || GetCustomerRequest {
        lookup: Some(get_customer_request::Lookup::Msisdn("13800138000".into())),
    };
    let mut partner = suite.profile(THROTTLED);
    for _ in 0..2 {
        let code = partner.get_customer(lookup()).await.unwrap_err().code();
        assert_eq!(code, Code::NotFound, "the partner's own budget");
    }
    clock.advance(Duration::from_secs(2));
    reached_survey("refilled", page.get_invitation(unknown_invitation()).await);
}

#[tokio::test]
async fn a_survey_service_that_is_down_is_unavailable_without_a_hang() {
    for env in TestEnv::all().await {
        let label = env.label;
        let nowhere = closed_address().await;
        let options = Options {
            survey_address: Some(format!("http://{nowhere}")),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let bound = Duration::from_secs(5);
        let routed = tokio::time::timeout(
            bound,
            suite
                .survey(AGENT)
                .get_scenario(GetScenarioRequest::default()),
        )
        .await
        .unwrap_or_else(|_| panic!("[{label}] no answer within {bound:?}"))
        .unwrap_err();
        assert_eq!(routed.code(), Code::Unavailable, "[{label}] {routed:?}");
        assert!(routed.message().contains("survey"), "[{label}] {routed:?}");
        let link = tokio::time::timeout(
            bound,
            suite
                .survey_link()
                .get_invitation(GetInvitationRequest::default()),
        )
        .await
        .unwrap_or_else(|_| panic!("[{label}] no answer within {bound:?}"))
        .unwrap_err();
        assert_eq!(link.code(), Code::Unavailable, "[{label}] {link:?}");
    }
}
