//! The survey service through the gateway: routing to `services.survey` (a stand-in answers
//! until the service exists), its scopes, and the survey link a customer answers from without
//! an API key.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Code, Status};
use vipcare_gateway::edge::ManualClock;
use vipcare_proto::profile::v1::{GetCustomerRequest, get_customer_request};
use vipcare_proto::survey::v1::{
    GetInvitationRequest, GetScenarioRequest, InviteToSurveyRequest, SubmitResponseRequest,
};
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, HOTLINE, Options, STAND_IN_SAW, Suite, THROTTLED};

/// The caller the survey stand-in was told about, from its NOT_FOUND answer.
fn seen_by_survey(label: &str, answer: Result<impl std::fmt::Debug, Status>) -> String {
    let status = answer.expect_err("the stand-in answers NOT_FOUND");
    assert_eq!(status.code(), Code::NotFound, "[{label}] {status:?}");
    let seen = status.message().strip_prefix(STAND_IN_SAW);
    seen.unwrap_or_else(|| panic!("[{label}] not the stand-in: {status:?}"))
        .trim()
        .to_owned()
}

const LINK_CALLER: &str = "client=survey-link channel=web scopes=survey:respond";

fn with_stand_in() -> Options {
    Options {
        survey_stand_in: true,
        ..Options::default()
    }
}

#[tokio::test]
async fn survey_calls_reach_the_survey_service_with_the_client_s_identity() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start_with(&env, with_stand_in()).await;
        let mut agent = suite.survey(AGENT);
        let seen = seen_by_survey(
            label,
            agent.get_scenario(GetScenarioRequest::default()).await,
        );
        assert!(
            seen.starts_with("client=agent-app channel=account_manager scopes="),
            "[{label}] {seen}"
        );
        assert!(seen.contains("survey:read"), "[{label}] {seen}");
        seen_by_survey(
            label,
            agent.get_invitation(GetInvitationRequest::default()).await,
        );

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
        let suite = Suite::start_with(&env, with_stand_in()).await;
        let mut page = suite.survey_link();
        let seen = seen_by_survey(
            label,
            page.get_invitation(GetInvitationRequest::default()).await,
        );
        assert_eq!(seen, LINK_CALLER, "[{label}]");
        let seen = seen_by_survey(
            label,
            page.submit_response(SubmitResponseRequest::default()).await,
        );
        assert_eq!(seen, LINK_CALLER, "[{label}]");

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
            .get_invitation(GetInvitationRequest::default())
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
        ..with_stand_in()
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
    seen_by_survey(
        "off",
        agent.get_invitation(GetInvitationRequest::default()).await,
    );
}

#[tokio::test]
async fn the_link_has_a_budget_of_its_own() {
    let env = TestEnv::embedded().await;
    let clock = Arc::new(ManualClock::default());
    let options = Options {
        survey_link: Some("survey_link_per_second = 0.5\nsurvey_link_burst = 2"),
        rate_clock: Some(clock.clone()),
        ..with_stand_in()
    };
    let suite = Suite::start_with(&env, options).await;
    let mut page = suite.survey_link();
    for _ in 0..2 {
        let answer = page.get_invitation(GetInvitationRequest::default()).await;
        assert_eq!(seen_by_survey("link", answer), LINK_CALLER);
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
    let answer = page.submit_response(SubmitResponseRequest::default()).await;
    assert_eq!(seen_by_survey("refilled", answer), LINK_CALLER);
}

#[tokio::test]
async fn a_survey_service_that_is_down_is_unavailable_without_a_hang() {
    for env in TestEnv::all().await {
        let label = env.label;
        // Nothing listens at services.survey.
        let suite = Suite::start(&env).await;
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
