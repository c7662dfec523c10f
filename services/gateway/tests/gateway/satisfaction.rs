//! The customer's latest satisfaction at the gateway: the view's "satisfaction" section (the
//! latest peak-end and NPS with their dates), empty but complete for a customer who never
//! answered, shown right after an answer though the view is cached, and named as missing when
//! the survey service does not answer.

use vipcare_proto::survey::v1::{JourneyScore, MomentScore, SubmitResponseRequest, SurveyContext};
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, Options, Suite, closed_address};

const MSISDN: &str = "13800138000";

/// A hall visit rated at the counter: a poor reception, a poor end, and an NPS of 4.
async fn unhappy_hall_visit(suite: &Suite, customer_id: &str) -> JourneyScore {
    let request = SubmitResponseRequest {
        customer_id: customer_id.to_owned(),
        scenario_code: "HALL_VISIT".into(),
        context: Some(SurveyContext {
            hall_id: "H01".into(),
            staff_id: "E1001".into(),
            ..SurveyContext::default()
        }),
        moment_scores: [
            ("RECEPTION", 1),
            ("BUSINESS_HANDLING", 4),
            ("LEAVING_HALL", 2),
        ]
        .into_iter()
        .map(|(moment_code, score)| MomentScore {
            moment_code: moment_code.into(),
            score,
        })
        .collect(),
        nps: Some(4),
        ..SubmitResponseRequest::default()
    };
    match suite.survey(AGENT).submit_response(request).await {
        Ok(answer) => answer.into_inner().score.expect("the journey score"),
        Err(status) => panic!("[{}] SubmitResponse: {status:?}", suite.label),
    }
}

#[tokio::test]
async fn the_view_shows_the_latest_answer_at_once_though_cached() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let before = suite.customer_view(AGENT, id).await;
        assert!(
            before.unavailable_sections.is_empty(),
            "[{label}] never answering is not a missing section: {before:?}"
        );
        assert!(before.satisfaction.is_none(), "[{label}]");
        assert_eq!(
            suite.customer_view(AGENT, id).await.compose_time,
            before.compose_time,
            "[{label}] cached"
        );

        let score = unhappy_hall_visit(&suite, id).await;
        let peak_end = score.peak_end.expect("the end moment was rated");
        let shown = suite.customer_view(AGENT, id).await;
        assert_ne!(
            shown.compose_time, before.compose_time,
            "[{label}] the answer made the cached view stale"
        );
        let satisfaction = shown.satisfaction.expect("the latest satisfaction");
        assert!(
            (satisfaction.peak_end.unwrap() - peak_end).abs() < 1e-9,
            "[{label}] {satisfaction:?} against {peak_end}"
        );
        // Peak: the reception's 1 (farthest from 3); end: 2; w = 0.5.
        assert!((peak_end - 1.5).abs() < 1e-9, "[{label}] {peak_end}");
        assert_eq!(satisfaction.nps, Some(4), "[{label}]");
        assert_eq!(satisfaction.scenario_code, "HALL_VISIT", "[{label}]");
        assert!(
            satisfaction.peak_end_time.is_some() && satisfaction.nps_time.is_some(),
            "[{label}] each figure with its date: {satisfaction:?}"
        );
    }
}

#[tokio::test]
async fn with_the_survey_service_nowhere_the_view_still_answers_without_caching() {
    for env in TestEnv::all().await {
        let label = env.label;
        let nowhere = closed_address().await;
        let options = Options {
            survey_address: Some(format!("http://{nowhere}")),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(shown.unavailable_sections, ["satisfaction"], "[{label}]");
        assert!(shown.satisfaction.is_none(), "[{label}]");
        assert!(
            shown.tier.is_some() && shown.complaints.is_some(),
            "[{label}]"
        );
        let again = suite.customer_view(AGENT, id).await;
        assert_ne!(
            again.compose_time, shown.compose_time,
            "[{label}] a view without its satisfaction is not cached"
        );
    }
}
