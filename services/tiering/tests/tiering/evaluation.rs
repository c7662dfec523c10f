//! EvaluateCustomer: the explained score, dry runs and what-if policies that change nothing,
//! and applied evaluations that move the tier and write its history.

use tonic::Code;
use vipcare_proto::tiering::v1 as pb;

use crate::harness::*;

fn evaluate_request(id: &str, dry_run: bool) -> pb::EvaluateCustomerRequest {
    pb::EvaluateCustomerRequest {
        customer_id: id.into(),
        dry_run,
        what_if_policy: None,
        period: "2026-06".into(),
    }
}

#[tokio::test]
async fn a_dry_run_explains_the_score_and_changes_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("DIAMOND").await.customer_id;
        let answer = suite
            .tiering
            .evaluate_customer(evaluate_request(&id, true))
            .await
            .unwrap_or_else(|s| panic!("[{label}] evaluate: {s:?}"))
            .into_inner();
        assert!(!answer.applied, "[{label}]");
        let e = answer.evaluation.unwrap();
        assert_points(label, e.score, 89.41);
        let kinds: Vec<_> = e.components.iter().map(|c| c.component).collect();
        let expected = [
            pb::Component::Contribution,
            pb::Component::Tenure,
            pb::Component::Loyalty,
            pb::Component::Influence,
            pb::Component::Satisfaction,
        ]
        .map(|c| c as i32);
        assert_eq!(kinds, expected, "[{label}]");
        let contribution = &e.components[0];
        assert!(
            contribution.input.contains("¥300.00"),
            "[{label}] {contribution:?}"
        );
        assert_points(label, contribution.points, 47.06);
        assert_points(label, e.components[3].points, 7.06);
        let satisfaction = &e.components[4];
        assert!(!satisfaction.available, "[{label}]");
        assert_eq!(satisfaction.points, 0.0, "[{label}]");
        let sum: f64 = e.components.iter().map(|c| c.points).sum();
        assert_points(label, sum, e.score);
        assert_eq!(
            (e.computed_tier.as_str(), e.current_tier.as_str()),
            ("DIAMOND", "STANDARD"),
            "[{label}]"
        );
        assert_eq!(e.resulting_tier, "DIAMOND", "[{label}]");
        assert_eq!(e.decision, pb::Decision::Upgrade as i32, "[{label}]");
        assert!(
            e.reasons[0].contains("reaches DIAMOND"),
            "[{label}] {:?}",
            e.reasons
        );
        assert_eq!(e.inputs.unwrap().customer_id, id, "[{label}]");
        assert_eq!(e.policy_version, 1, "[{label}]");

        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(
            (tier.tier.as_str(), tier.display_name.as_str()),
            ("STANDARD", "普通")
        );
        assert_eq!(tier.last_period, "", "[{label}] never evaluated");
        assert!(suite.history(&id).await.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn an_applied_evaluation_moves_the_tier_and_records_it() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        let answer = suite
            .tiering
            .evaluate_customer(evaluate_request(&id, false))
            .await
            .unwrap()
            .into_inner();
        assert!(answer.applied, "[{label}]");
        assert_eq!(
            answer.evaluation.unwrap().resulting_tier,
            "GOLD",
            "[{label}]"
        );

        let shown = suite.tier(&id).await;
        let tier = shown.tier.unwrap();
        assert_eq!(
            (tier.tier.as_str(), tier.display_name.as_str()),
            ("GOLD", "金卡")
        );
        assert_eq!(tier.last_period, "2026-06", "[{label}]");
        assert_eq!(tier.next_review_period, "2026-07", "[{label}]");
        assert_points(label, tier.score, 58.82);
        let lounge = shown.benefits.iter().find(|b| b.code == "airport_lounge");
        let lounge = lounge.unwrap_or_else(|| panic!("[{label}] {:?}", shown.benefits));
        assert_eq!((lounge.quota, lounge.remaining), (2, 2), "[{label}]");
        assert!(
            !shown.benefits.iter().any(|b| b.code == "account_manager"),
            "[{label}] account managers are for PLATINUM and up"
        );

        let history = suite.history(&id).await;
        assert_eq!(history.len(), 1, "[{label}] {history:?}");
        let change = &history[0];
        assert_eq!(
            (change.old_tier.as_str(), change.new_tier.as_str()),
            ("STANDARD", "GOLD")
        );
        assert_eq!(change.decision, pb::Decision::Upgrade as i32, "[{label}]");
        assert_eq!(
            (change.actor.as_str(), change.period.as_str()),
            ("evaluation", "2026-06")
        );

        // The same period again decides the same and changes nothing more.
        let again = suite.evaluate(&id, "2026-06").await;
        assert_eq!(again.resulting_tier, "GOLD", "[{label}]");
        assert_eq!(suite.history(&id).await.len(), 1, "[{label}]");
    }
}

#[tokio::test]
async fn a_what_if_policy_shows_another_tier_without_applying_it() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        let mut generous = suite.policy().await.policy.unwrap();
        generous.tiers[3].min_score = 55.0;
        let request = pb::EvaluateCustomerRequest {
            what_if_policy: Some(generous.clone()),
            ..evaluate_request(&id, false)
        };
        let answer = suite
            .tiering
            .evaluate_customer(request)
            .await
            .unwrap()
            .into_inner();
        assert!(!answer.applied, "[{label}] a what-if is always a dry run");
        let e = answer.evaluation.unwrap();
        assert_eq!(e.resulting_tier, "PLATINUM", "[{label}]");
        assert_eq!(e.policy_version, 0, "[{label}]");
        assert_eq!(suite.tier_code(&id).await, "STANDARD", "[{label}]");
        assert!(suite.history(&id).await.is_empty(), "[{label}]");

        generous.tiers[3].min_score = 40.0;
        let request = pb::EvaluateCustomerRequest {
            what_if_policy: Some(generous),
            ..evaluate_request(&id, true)
        };
        let result = suite.tiering.evaluate_customer(request).await;
        assert_invalid(label, result, "what_if_policy.tiers[3].min_score");

        // The policy in force is untouched.
        assert_eq!(suite.evaluate(&id, "2026-06").await.resulting_tier, "GOLD");
    }
}

#[tokio::test]
async fn unknown_customers_are_not_found() {
    for mut suite in suites().await {
        let label = suite.label;
        let nobody = uuid::Uuid::now_v7().to_string();
        let result = suite
            .tiering
            .evaluate_customer(evaluate_request(&nobody, true))
            .await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");
        let request = pb::GetCustomerTierRequest {
            customer: Some(pb::get_customer_tier_request::Customer::CustomerId(nobody)),
        };
        let result = suite.tiering.get_customer_tier(request).await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");
        let result = suite
            .tiering
            .evaluate_customer(evaluate_request("not an id!", true))
            .await;
        assert_invalid(label, result, "customer_id");
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        let request = pb::EvaluateCustomerRequest {
            period: "2026-13".into(),
            ..evaluate_request(&id, true)
        };
        assert_invalid(
            label,
            suite.tiering.evaluate_customer(request).await,
            "period",
        );
    }
}

#[tokio::test]
async fn periods_after_the_current_one_are_refused() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        // A typo such as 2062-06 would otherwise become the customer's last period, and every
        // real period after it would be refused as "before the last evaluated".
        for period in ["2026-07", "2062-06"] {
            let request = pb::EvaluateCustomerRequest {
                period: period.into(),
                ..evaluate_request(&id, false)
            };
            assert_invalid(
                label,
                suite.tiering.evaluate_customer(request).await,
                "period",
            );
            let request = pb::RunEvaluationRequest {
                period: period.into(),
                dry_run: false,
            };
            assert_invalid(label, suite.tiering.run_evaluation(request).await, "period");
        }
        assert_eq!(suite.evaluate(&id, "2026-06").await.resulting_tier, "GOLD");
    }
}
