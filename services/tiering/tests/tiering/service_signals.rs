//! Churn risk and the customer's recent service: complaints of the last 90 days (open and
//! repeated ones weigh more) and an open problem in the account manager's work log raise it,
//! read as of now over what the evaluation found; a complaint service that does not answer
//! costs its signal, named in the reasons, never the answer.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_proto::complaint::v1::ComplaintState;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::tiering::v1 as pb;
use vipcare_runtime::Caller;

use crate::harness::*;

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

fn codes(reasons: &[pb::RiskReason]) -> Vec<&str> {
    reasons.iter().map(|r| r.code.as_str()).collect()
}

fn days_ago(days: i64) -> DateTime<Utc> {
    NOW.parse::<DateTime<Utc>>().unwrap() - TimeDelta::days(days)
}

async fn log_problem(suite: &mut Suite, id: &str) {
    let request = profile::AddServiceNoteRequest {
        customer_id: id.into(),
        kind: profile::NoteKind::Problem as i32,
        text: "5G signal drops at home since the tower moved".into(),
        author: "am-007".into(),
        channel: 0,
        request_id: String::new(),
    };
    let manager = Caller::new("am-app", "account_manager", &["note:write"]);
    let label = suite.label;
    suite
        .profile
        .add_service_note(as_caller(&manager, request))
        .await
        .unwrap_or_else(|s| panic!("[{label}] AddServiceNote: {s:?}"));
}

#[tokio::test]
async fn recent_complaints_and_an_open_problem_raise_the_risk_read_now() {
    for mut suite in suites().await {
        let label = suite.label;
        // 16 months on the network: SHORT_TENURE (0.2) and nothing else.
        let id = suite.create(Person::newcomer()).await.customer_id;
        let calm = risk(&mut suite, &id).await;
        assert_eq!(codes(&calm.reasons), ["SHORT_TENURE"], "[{label}]");
        assert_eq!(calm.score, 0.2, "[{label}]");

        // Older than 90 days: forgotten. Someone else's: not this customer's.
        suite
            .complaints
            .add(&id, days_ago(120), ComplaintState::Closed, None);
        suite
            .complaints
            .add("someone-else", days_ago(3), ComplaintState::Open, None);
        assert_eq!(
            risk(&mut suite, &id).await,
            calm,
            "[{label}] nothing recent"
        );

        // One still open that repeats an earlier one: three points of four.
        suite
            .complaints
            .add(&id, days_ago(10), ComplaintState::InProgress, Some("K1"));
        let complained = risk(&mut suite, &id).await;
        assert_eq!(
            codes(&complained.reasons),
            ["SHORT_TENURE", "COMPLAINTS"],
            "[{label}]"
        );
        let reason = &complained.reasons[1];
        assert_eq!(reason.contribution, 0.15, "[{label}] {reason:?}");
        assert_eq!(
            reason.description,
            "1 complaint in the last 90 days (1 still open, 1 repeated or reopened)",
            "[{label}]"
        );
        assert_eq!(complained.score, 0.35, "[{label}]");

        // The account manager logs a problem: the full weight.
        log_problem(&mut suite, &id).await;
        let logged = risk(&mut suite, &id).await;
        assert_eq!(logged.reasons[1].contribution, 0.2, "[{label}] {logged:?}");
        assert!(
            logged.reasons[1]
                .description
                .ends_with("a problem open in the account manager's work log"),
            "[{label}] {logged:?}"
        );

        // Evaluated for the current month, the risk keeps what the evaluation found, and the
        // service is still read as of now.
        let evaluated = suite.evaluate(&id, "2026-06").await;
        let at_evaluation = evaluated.churn_risk.unwrap();
        assert_eq!(at_evaluation.score, 0.4, "[{label}] {at_evaluation:?}");
        assert_eq!(
            codes(&at_evaluation.reasons),
            ["SHORT_TENURE", "COMPLAINTS"],
            "[{label}]"
        );
        let after = risk(&mut suite, &id).await;
        assert_eq!(after.period, "2026-06", "[{label}]");
        assert_eq!(after.score, 0.4, "[{label}]");

        // The complaint service goes down: the risk still answers, without its signal, and
        // says so; the work log still counts.
        suite.complaints.set_down(true);
        let blind = risk(&mut suite, &id).await;
        assert_eq!(
            codes(&blind.reasons),
            ["SHORT_TENURE", "COMPLAINTS", "COMPLAINTS_NOT_CONSIDERED"],
            "[{label}]"
        );
        assert_eq!(blind.score, 0.25, "[{label}] {blind:?}");
        let named = &blind.reasons[2];
        assert_eq!(named.contribution, 0.0, "[{label}]");
        assert!(
            named
                .description
                .contains("complaint service did not answer"),
            "[{label}] {named:?}"
        );
        suite.complaints.set_down(false);
        assert_eq!(risk(&mut suite, &id).await.score, 0.4, "[{label}] back");
    }
}

#[tokio::test]
async fn a_past_period_is_evaluated_again_as_it_stood() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.create(Person::newcomer()).await.customer_id;
        suite
            .complaints
            .add(&id, days_ago(5), ComplaintState::Open, None);
        let may = suite.evaluate(&id, "2026-05").await;
        assert_eq!(
            codes(&may.churn_risk.unwrap().reasons),
            ["SHORT_TENURE"],
            "[{label}] today's complaints are not May's"
        );
        let june = suite.evaluate(&id, "2026-06").await;
        assert_eq!(
            codes(&june.churn_risk.unwrap().reasons),
            ["SHORT_TENURE", "COMPLAINTS"],
            "[{label}]"
        );
    }
}
