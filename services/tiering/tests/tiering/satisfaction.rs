//! Satisfaction: a customer's latest peak-end score (given through the real survey service)
//! earns the score's satisfaction component and, when low, raises churn risk; a customer who
//! never answered keeps the component's weight shared among the others. A single read the
//! survey does not answer costs the signal, named in the reasons, never the answer; a run
//! fails rather than score its customers without it.

use vipcare_proto::survey::v1 as survey;
use vipcare_proto::tiering::v1 as pb;
use vipcare_runtime::Caller;

use crate::harness::*;

/// Hall staff answering a survey with the customer.
fn staff() -> Caller {
    Caller::new("hall-7", "hall", &["survey:read", "survey:write"])
}

/// An on-site visit every moment of which went as badly as it could: peak-end 1.
async fn unhappy_visit(suite: &mut Suite, id: &str) {
    let moments = [
        "APPOINTMENT",
        "ARRIVAL",
        "BUSINESS_HANDLING",
        "QUESTION_ANSWERING",
        "COMPLAINT_HANDLING",
        "FOLLOW_UP",
    ];
    let request = survey::SubmitResponseRequest {
        customer_id: id.into(),
        scenario_code: "ON_SITE_VISIT".into(),
        context: Some(survey::SurveyContext {
            hall_id: "H01".into(),
            staff_id: "E2001".into(),
            ..Default::default()
        }),
        moment_scores: moments
            .iter()
            .map(|m| survey::MomentScore {
                moment_code: (*m).into(),
                score: 1,
            })
            .collect(),
        ..Default::default()
    };
    let label = suite.label;
    let score = suite
        .surveys
        .submit_response(as_caller(&staff(), request))
        .await
        .unwrap_or_else(|s| panic!("[{label}] SubmitResponse: {s:?}"))
        .into_inner()
        .score
        .unwrap();
    assert_eq!(score.peak_end, Some(1.0), "[{label}]");
}

async fn explained(suite: &mut Suite, id: &str) -> pb::Evaluation {
    let request = pb::EvaluateCustomerRequest {
        customer_id: id.into(),
        dry_run: true,
        what_if_policy: None,
        period: "2026-06".into(),
    };
    let label = suite.label;
    suite
        .tiering
        .evaluate_customer(request)
        .await
        .unwrap_or_else(|s| panic!("[{label}] evaluate: {s:?}"))
        .into_inner()
        .evaluation
        .unwrap()
}

async fn risk(suite: &mut Suite, id: &str) -> pb::GetChurnRiskResponse {
    let request = pb::GetChurnRiskRequest {
        customer_id: id.into(),
    };
    let label = suite.label;
    suite
        .tiering
        .get_churn_risk(request)
        .await
        .unwrap_or_else(|s| panic!("[{label}] GetChurnRisk: {s:?}"))
        .into_inner()
}

fn reason<'a>(reasons: &'a [pb::RiskReason], code: &str) -> Option<&'a pb::RiskReason> {
    reasons.iter().find(|r| r.code == code)
}

const SHARED: &str = "its weight is shared among the other components";

#[tokio::test]
async fn an_unhappy_peak_end_costs_satisfaction_points_and_raises_churn_risk() {
    for mut suite in suites().await {
        let label = suite.label;
        let unhappy = suite.customer_scoring("DIAMOND").await.customer_id;
        let unasked = suite.customer_scoring("DIAMOND").await.customer_id;
        unhappy_visit(&mut suite, &unhappy).await;

        let e = explained(&mut suite, &unhappy).await;
        let satisfaction = &e.components[4];
        assert_eq!(
            satisfaction.component,
            pb::Component::Satisfaction as i32,
            "[{label}]"
        );
        assert!(satisfaction.available, "[{label}]");
        assert_eq!(
            satisfaction.points, 0.0,
            "[{label}] peak-end 1 earns nothing"
        );
        assert_eq!(
            satisfaction.input, "latest peak-end 1 of 5 on 2026-06-15 (full points at 5)",
            "[{label}]"
        );
        // The others' 89.41 of 85 shared weight is 76 of 100: no longer DIAMOND.
        assert_points(label, e.score, 76.0);
        assert_eq!(e.computed_tier, "PLATINUM", "[{label}]");

        let e = explained(&mut suite, &unasked).await;
        assert!(!e.components[4].available, "[{label}]");
        assert_eq!(
            e.components[4].input,
            format!("no survey scores yet: {SHARED}"),
            "[{label}]"
        );
        assert_points(label, e.score, 89.41);

        let unhappy_risk = risk(&mut suite, &unhappy).await;
        let low = reason(&unhappy_risk.reasons, "LOW_SATISFACTION")
            .unwrap_or_else(|| panic!("[{label}] {:?}", unhappy_risk.reasons));
        assert_eq!(low.contribution, 0.2, "[{label}] the policy's full weight");
        assert!(low.description.contains("2026-06-15"), "[{label}] {low:?}");
        assert_eq!(unhappy_risk.score, 0.2, "[{label}]");
        let unasked_risk = risk(&mut suite, &unasked).await;
        assert!(
            unasked_risk.reasons.is_empty(),
            "[{label}] {unasked_risk:?}"
        );
    }
}

#[tokio::test]
async fn a_survey_that_does_not_answer_costs_its_signal_not_the_answer() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("DIAMOND").await.customer_id;
        unhappy_visit(&mut suite, &id).await;
        suite.survey_link.cut().await;

        let answer = risk(&mut suite, &id).await;
        let codes: Vec<_> = answer.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["SATISFACTION_NOT_CONSIDERED"], "[{label}]");
        assert_eq!(answer.score, 0.0, "[{label}]");
        let e = explained(&mut suite, &id).await;
        assert!(!e.components[4].available, "[{label}]");
        assert_eq!(
            e.components[4].input,
            format!("the survey service did not answer: {SHARED}"),
            "[{label}]"
        );

        suite.survey_link.restore();
        let answer = risk(&mut suite, &id).await;
        assert!(
            reason(&answer.reasons, "LOW_SATISFACTION").is_some(),
            "[{label}] {answer:?}"
        );
    }
}

async fn run(suite: &mut Suite) -> pb::EvaluationRun {
    let request = pb::RunEvaluationRequest {
        period: "2026-06".into(),
        dry_run: false,
    };
    let label = suite.label;
    let run_id = suite
        .tiering
        .run_evaluation(request)
        .await
        .unwrap_or_else(|s| panic!("[{label}] run: {s:?}"))
        .into_inner()
        .run_id;
    suite.finished_run(&run_id).await
}

async fn decision(suite: &mut Suite, run_id: &str, id: &str) -> pb::Evaluation {
    let request = pb::ListRunDecisionsRequest {
        run_id: run_id.into(),
        customer_id: id.into(),
        page_size: 10,
        page_token: String::new(),
    };
    suite
        .tiering
        .list_run_decisions(request)
        .await
        .unwrap()
        .into_inner()
        .evaluations
        .remove(0)
}

#[tokio::test]
async fn a_run_weighs_the_peak_end_and_fails_rather_than_go_without_it() {
    for mut suite in suites().await {
        let label = suite.label;
        let unhappy = suite.customer_scoring("DIAMOND").await.customer_id;
        let unasked = suite.customer_scoring("DIAMOND").await.customer_id;
        unhappy_visit(&mut suite, &unhappy).await;

        let done = run(&mut suite).await;
        assert_eq!(done.state, pb::RunState::Done as i32, "[{label}] {done:?}");
        let e = decision(&mut suite, &done.run_id, &unhappy).await;
        assert!(e.components[4].available, "[{label}]");
        assert!(e.components[4].input.contains("2026-06-15"), "[{label}]");
        assert_eq!(e.resulting_tier, "PLATINUM", "[{label}]");
        let churn = e.churn_risk.unwrap();
        assert!(
            reason(&churn.reasons, "LOW_SATISFACTION").is_some(),
            "[{label}] {churn:?}"
        );
        let e = decision(&mut suite, &done.run_id, &unasked).await;
        assert!(!e.components[4].available, "[{label}]");
        assert_eq!(e.resulting_tier, "DIAMOND", "[{label}]");
        assert_eq!(suite.tier_code(&unasked).await, "DIAMOND", "[{label}]");

        // Without the survey, the run stops instead of deciding from less than it knows.
        suite.survey_link.cut().await;
        let failed = run(&mut suite).await;
        assert_eq!(
            failed.state,
            pb::RunState::Failed as i32,
            "[{label}] {failed:?}"
        );
        assert!(failed.failure.contains("survey"), "[{label}] {failed:?}");
        assert_eq!(suite.tier_code(&unhappy).await, "PLATINUM", "[{label}]");
    }
}
