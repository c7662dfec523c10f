//! The journey model through the real service: the study's four scenarios are there from the
//! start; an upsert stores the next version over the one read, and a stale read is ABORTED
//! with nothing written; the policy is updated under its etag.

use prost_types::FieldMask;
use tonic::Code;
use vipcare_proto::survey::v1 as pb;

use crate::harness::{by_staff, by_token, code, invitation, scores, suites, survey_link};

#[tokio::test]
async fn the_seeded_scenarios_are_readable_and_an_upsert_makes_the_next_version() {
    for mut suite in suites().await {
        let label = suite.label;
        let listed = suite
            .surveys
            .list_scenarios(by_staff(pb::ListScenariosRequest::default()))
            .await
            .unwrap()
            .into_inner();
        let codes: Vec<&str> = listed
            .scenarios
            .iter()
            .map(|s| s.scenario_code.as_str())
            .collect();
        assert_eq!(
            codes,
            ["HALL_VISIT", "ON_SITE_VISIT", "PHONE_SMS", "VIP_EVENT"],
            "[{label}]"
        );
        let moments: usize = listed.scenarios.iter().map(|s| s.moments.len()).sum();
        assert_eq!(moments, 32, "[{label}] the study's 32 key moments");

        let get = |version| pb::GetScenarioRequest {
            scenario_code: "HALL_VISIT".into(),
            version,
        };
        let first = suite
            .surveys
            .get_scenario(by_staff(get(0)))
            .await
            .unwrap()
            .into_inner()
            .scenario
            .unwrap();
        assert_eq!(first.version, 1, "[{label}]");
        let mut changed = first.clone();
        changed.name = "VIP客户到厅服务(新)".into();
        changed.moments[0].importance = 4.9;
        let upsert = |expected_version, scenario: &pb::Scenario| pb::UpsertScenarioRequest {
            scenario: Some(scenario.clone()),
            expected_version,
            request_id: String::new(),
        };
        let second = suite
            .surveys
            .upsert_scenario(by_staff(upsert(1, &changed)))
            .await
            .unwrap()
            .into_inner()
            .scenario
            .unwrap();
        assert_eq!(second.version, 2, "[{label}]");
        assert_eq!(second.moments[0].importance, 4.9, "[{label}]");

        // Read at version 1, written after version 2 exists: refused, nothing written.
        let stale = suite
            .surveys
            .upsert_scenario(by_staff(upsert(1, &first)))
            .await;
        assert_eq!(code(stale), Code::Aborted, "[{label}]");
        let created_again = suite
            .surveys
            .upsert_scenario(by_staff(upsert(0, &first)))
            .await;
        assert_eq!(code(created_again), Code::Aborted, "[{label}] it exists");
        let latest = suite
            .surveys
            .get_scenario(by_staff(get(0)))
            .await
            .unwrap()
            .into_inner()
            .scenario
            .unwrap();
        assert_eq!(latest.version, 2, "[{label}]");
        let kept = suite
            .surveys
            .get_scenario(by_staff(get(1)))
            .await
            .unwrap()
            .into_inner()
            .scenario
            .unwrap();
        assert_eq!(kept.name, first.name, "[{label}] version 1 stays");

        let unknown = suite
            .surveys
            .get_scenario(by_staff(pb::GetScenarioRequest {
                scenario_code: "NO_SUCH".into(),
                version: 0,
            }))
            .await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn the_policy_changes_only_under_its_etag() {
    for mut suite in suites().await {
        let label = suite.label;
        let policy = suite
            .surveys
            .get_survey_policy(by_staff(pb::GetSurveyPolicyRequest {}))
            .await
            .unwrap()
            .into_inner()
            .policy
            .unwrap();
        assert_eq!(
            policy.peak_weight, 0.5,
            "[{label}] the settings' starting value"
        );
        assert_eq!(policy.min_days_between, 14, "[{label}]");
        let update = |etag: &str, w: f64| pb::UpdateSurveyPolicyRequest {
            policy: Some(pb::SurveyPolicy {
                peak_weight: w,
                etag: etag.into(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["peak_weight".into()],
            }),
            request_id: String::new(),
        };
        let updated = suite
            .surveys
            .update_survey_policy(by_staff(update(&policy.etag, 0.6)))
            .await
            .unwrap()
            .into_inner()
            .policy
            .unwrap();
        assert_eq!(updated.peak_weight, 0.6, "[{label}]");
        assert_eq!(updated.min_days_between, 14, "[{label}] not in the mask");
        assert_eq!(updated.updated_by, "hall-7", "[{label}]");
        let stale = suite
            .surveys
            .update_survey_policy(by_staff(update(&policy.etag, 0.7)))
            .await;
        assert_eq!(code(stale), Code::Aborted, "[{label}]");
        let refused = suite
            .surveys
            .update_survey_policy(by_staff(update(&updated.etag, 1.5)))
            .await;
        assert_eq!(code(refused), Code::InvalidArgument, "[{label}]");
    }
}

#[tokio::test]
async fn a_token_answers_the_version_it_was_sent_with() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("", "").await;
        let token = suite.invite(invitation(&customer)).await.invitation_token;
        let first = suite
            .surveys
            .get_scenario(by_staff(pb::GetScenarioRequest {
                scenario_code: "ON_SITE_VISIT".into(),
                version: 0,
            }))
            .await
            .unwrap()
            .into_inner()
            .scenario
            .unwrap();
        let mut changed = first.clone();
        changed.moments[0].importance = 1.0;
        suite
            .surveys
            .upsert_scenario(by_staff(pb::UpsertScenarioRequest {
                scenario: Some(changed),
                expected_version: 1,
                request_id: String::new(),
            }))
            .await
            .unwrap();
        let score = suite
            .submit(
                &survey_link(),
                by_token(&token, scores(&[("APPOINTMENT", 5)])),
            )
            .await;
        assert_eq!(score.scenario_version, 1, "[{label}] as sent");
        let weight = &score.weighted.unwrap().weights[0];
        assert_eq!(weight.importance, first.moments[0].importance, "[{label}]");
    }
}
