//! Answering through the real service: by token the worked example's journey score comes back
//! figure by figure; the token answers once (a second submission is TOKEN_USED, a repeat of the
//! same request the first score, counted once); bad answers are refused naming every field and
//! store nothing; a staff-assisted answer needs `survey:write`; the customer's satisfaction is
//! the latest answer's.

use chrono::TimeDelta;
use tonic::Code;
use tonic_types::StatusExt;
use vipcare_proto::survey::v1 as pb;
use vipcare_testkit::status::violated_fields;

use crate::harness::{
    as_caller, at_hall, by_staff, by_token, close, code, invitation, scores, staff, suites,
    survey_link, worked_example,
};

fn precondition(status: &tonic::Status) -> String {
    status
        .get_details_precondition_failure()
        .map(|f| f.violations[0].r#type.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_token_answers_once_with_the_worked_examples_score() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("GOLD", "").await;
        let token = suite.invite(invitation(&customer)).await.invitation_token;
        let mut request = by_token(&token, worked_example());
        request.nps = Some(7);
        request.request_id = "answer-1".into();
        let score = suite.submit(&survey_link(), request.clone()).await;

        assert_eq!(score.customer_id, customer, "[{label}]");
        assert_eq!(score.scenario_code, "ON_SITE_VISIT", "[{label}]");
        // mean = 22 / 6; weighted = 100.37 / 27.47; peak COMPLAINT_HANDLING (1, the more
        // important of two 2-from-neutral moments); end FOLLOW_UP (4); peak-end 0.5·1 + 0.5·4.
        let mean = score.mean.as_ref().unwrap();
        assert!(close(mean.value, 3.6667), "[{label}] {}", mean.value);
        assert_eq!(mean.moment_codes.len(), 6, "[{label}]");
        assert!(
            close(score.weighted.as_ref().unwrap().value, 3.6538),
            "[{label}]"
        );
        let peak = score.peak.as_ref().unwrap();
        assert_eq!(
            (peak.moment_code.as_str(), peak.score),
            ("COMPLAINT_HANDLING", 1)
        );
        let end = score.end.as_ref().unwrap();
        assert_eq!((end.moment_code.as_str(), end.score), ("FOLLOW_UP", 4));
        assert_eq!(score.peak_end, Some(2.5), "[{label}]");
        assert_eq!(score.peak_weight, 0.5, "[{label}]");
        assert!(
            close(score.peak_end_minus_mean.unwrap(), -1.1667),
            "[{label}]"
        );
        // No responses yet: every baseline is the default 4.0.
        let gap = score
            .gaps
            .iter()
            .find(|g| g.moment_code == "COMPLAINT_HANDLING")
            .unwrap();
        assert_eq!((gap.baseline, gap.gap), (4.0, -3.0), "[{label}]");
        assert_eq!(score.nps, Some(7), "[{label}]");

        // The same request again: the first score, nothing counted twice.
        let again = suite.submit(&survey_link(), request).await;
        assert_eq!(again, score, "[{label}]");
        // Another answer with the used token.
        let used = suite
            .surveys
            .submit_response(as_caller(
                &survey_link(),
                by_token(&token, scores(&[("APPOINTMENT", 5)])),
            ))
            .await
            .unwrap_err();
        assert_eq!(used.code(), Code::FailedPrecondition, "[{label}]");
        assert_eq!(precondition(&used), "TOKEN_USED", "[{label}]");

        let listed = suite
            .surveys
            .list_responses(by_staff(pb::ListResponsesRequest {
                customer_id: customer.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .responses;
        assert_eq!(listed.len(), 1, "[{label}] counted once");
        assert_eq!(
            listed[0].context.as_ref().unwrap().hall_id,
            "H01",
            "[{label}]"
        );
        let page = suite
            .surveys
            .get_invitation(by_staff(pb::GetInvitationRequest {
                invitation_token: token,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(page.state(), pb::InvitationState::Answered, "[{label}]");
        let read = suite
            .surveys
            .get_response(by_staff(pb::GetResponseRequest {
                response_id: score.response_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner()
            .response
            .unwrap();
        assert_eq!(read.score.unwrap().peak_end, Some(2.5), "[{label}]");
    }
}

#[tokio::test]
async fn two_submissions_of_one_token_at_once_count_once() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("", "").await;
        let token = suite.invite(invitation(&customer)).await.invitation_token;
        let (mut a, mut b) = (suite.surveys.clone(), suite.surveys.clone());
        let ra = as_caller(&survey_link(), by_token(&token, scores(&[("ARRIVAL", 5)])));
        let rb = as_caller(&survey_link(), by_token(&token, scores(&[("ARRIVAL", 4)])));
        let (ra, rb) = tokio::join!(a.submit_response(ra), b.submit_response(rb));
        let won = [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(won, 1, "[{label}] exactly one wins");
        let lost = ra.err().or(rb.err()).unwrap();
        assert_eq!(precondition(&lost), "TOKEN_USED", "[{label}] {lost:?}");
    }
}

#[tokio::test]
async fn bad_answers_are_refused_naming_every_field_and_store_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("", "").await;
        let token = suite.invite(invitation(&customer)).await.invitation_token;
        let mut bad = by_token(
            &token,
            scores(&[("ARRIVAL", 6), ("NO_SUCH", 3), ("ARRIVAL", 4)]),
        );
        bad.nps = Some(11);
        let refused = suite
            .surveys
            .submit_response(as_caller(&survey_link(), bad))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument, "[{label}]");
        assert_eq!(
            violated_fields(&refused),
            [
                "moment_scores[0].score",
                "moment_scores[1].moment_code",
                "moment_scores[2].moment_code",
                "nps"
            ],
            "[{label}]"
        );
        let listed = suite
            .surveys
            .list_responses(by_staff(pb::ListResponsesRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .responses;
        assert!(listed.is_empty(), "[{label}] nothing stored");
        // The token is still good.
        suite
            .submit(&survey_link(), by_token(&token, scores(&[("ARRIVAL", 5)])))
            .await;

        let late = suite.customer("", "").await;
        let old = suite.invite(invitation(&late)).await.invitation_token;
        suite.clock.advance(TimeDelta::days(8));
        let expired = suite
            .surveys
            .submit_response(as_caller(&survey_link(), by_token(&old, worked_example())))
            .await
            .unwrap_err();
        assert_eq!(precondition(&expired), "TOKEN_EXPIRED", "[{label}]");
    }
}

#[tokio::test]
async fn a_staff_assisted_answer_needs_survey_write_and_satisfaction_is_the_latest() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("PLATINUM", "").await;
        let happy = scores(&[("PHONE_APPOINTMENT", 5), ("ARRIVAL", 5)]);
        let request = at_hall(&customer, "HALL_VISIT", "H01", "E2001", happy.clone());
        let denied = suite
            .surveys
            .submit_response(as_caller(&survey_link(), request.clone()))
            .await;
        assert_eq!(code(denied), Code::PermissionDenied, "[{label}]");

        let first = suite.submit(&staff(), request).await;
        assert_eq!(first.peak_end, None, "[{label}] no end moment rated");
        assert!(!first.no_peak_end_reason.is_empty(), "[{label}]");
        suite.clock.advance(TimeDelta::hours(1));
        let mut later = at_hall(&customer, "ON_SITE_VISIT", "H01", "E2001", worked_example());
        later.nps = Some(9);
        suite.submit(&staff(), later).await;
        let satisfaction = suite
            .surveys
            .get_satisfaction(by_staff(pb::GetSatisfactionRequest {
                customer_id: customer.clone(),
            }))
            .await
            .unwrap()
            .into_inner()
            .satisfaction
            .unwrap();
        assert_eq!(satisfaction.peak_end, Some(2.5), "[{label}]");
        assert_eq!(satisfaction.nps, Some(9), "[{label}]");
        assert_eq!(satisfaction.scenario_code, "ON_SITE_VISIT", "[{label}]");

        let never = suite.customer("", "").await;
        let batch = suite
            .surveys
            .batch_get_satisfaction(by_staff(pb::BatchGetSatisfactionRequest {
                customer_ids: vec![customer.clone(), never.clone()],
            }))
            .await
            .unwrap()
            .into_inner()
            .satisfactions;
        assert_eq!(batch.len(), 1, "[{label}] who never answered is left out");
        let unanswered = suite
            .surveys
            .get_satisfaction(by_staff(pb::GetSatisfactionRequest { customer_id: never }))
            .await;
        assert_eq!(code(unanswered), Code::NotFound, "[{label}]");
        let too_many = suite
            .surveys
            .batch_get_satisfaction(by_staff(pb::BatchGetSatisfactionRequest {
                customer_ids: (0..1001).map(|i| format!("c-{i}")).collect(),
            }))
            .await
            .unwrap_err();
        assert_eq!(violated_fields(&too_many), ["customer_ids"], "[{label}]");
    }
}
