//! Churn risk: falling spend and a short tenure raise it, evaluations keep it for the retention
//! list, and a customer at risk keeps the tier a downgrade would have taken.

use vipcare_proto::tiering::v1 as pb;

use crate::harness::*;

async fn risk(suite: &mut Suite, id: &str) -> pb::GetChurnRiskResponse {
    let request = pb::GetChurnRiskRequest {
        customer_id: id.into(),
    };
    suite
        .tiering
        .get_churn_risk(request)
        .await
        .unwrap()
        .into_inner()
}

fn codes(reasons: &[pb::RiskReason]) -> Vec<&str> {
    reasons.iter().map(|r| r.code.as_str()).collect()
}

#[tokio::test]
async fn falling_spend_and_a_short_tenure_put_a_customer_on_the_retention_list() {
    for mut suite in suites().await {
        let label = suite.label;
        // ¥200 a month, then ¥100: a 50% fall, 16 months on the network as of 2026-06.
        let risky = suite.create(Person::newcomer()).await.customer_id;
        suite.spend(&risky, &months("2025-12", 3), 20_000).await;
        suite.spend(&risky, &months("2026-03", 3), 10_000).await;
        let steady = suite.customer_scoring("GOLD").await.customer_id;

        let now = risk(&mut suite, &risky).await;
        assert!(now.score >= 0.6, "[{label}] {now:?}");
        assert!(now.at_risk, "[{label}]");
        assert_eq!(
            codes(&now.reasons),
            ["SPEND_DECLINE", "SHORT_TENURE"],
            "[{label}]"
        );
        assert!(
            now.reasons[0].description.contains("50%"),
            "[{label}] {:?}",
            now.reasons
        );
        assert_eq!(now.period, "", "[{label}] computed now");
        let calm = risk(&mut suite, &steady).await;
        assert!(
            !calm.at_risk && calm.reasons.is_empty(),
            "[{label}] {calm:?}"
        );

        suite.evaluate(&risky, "2026-06").await;
        suite.evaluate(&steady, "2026-06").await;
        let listed = suite
            .tiering
            .list_at_risk(pb::ListAtRiskRequest::default())
            .await
            .unwrap()
            .into_inner()
            .customers;
        let ids: Vec<_> = listed.iter().map(|c| c.customer_id.as_str()).collect();
        assert_eq!(
            ids,
            [risky.as_str()],
            "[{label}] the steady customer is not listed"
        );
        assert_eq!(listed[0].period, "2026-06", "[{label}]");
        assert_eq!(codes(&listed[0].reasons), ["SPEND_DECLINE", "SHORT_TENURE"]);
        for (tier, expected) in [("SILVER", 1), ("GOLD", 0)] {
            let request = pb::ListAtRiskRequest {
                tier: tier.into(),
                ..Default::default()
            };
            let listed = suite
                .tiering
                .list_at_risk(request)
                .await
                .unwrap()
                .into_inner();
            assert_eq!(listed.customers.len(), expected, "[{label}] {tier}");
        }
        assert_eq!(
            risk(&mut suite, &risky).await.period,
            "2026-06",
            "[{label}]"
        );
        assert!(
            suite.tier(&risky).await.tier.unwrap().retention_flag,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_customer_at_risk_keeps_the_tier_instead_of_going_down() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite
            .create(Person::newcomer().key_person())
            .await
            .customer_id;
        suite.spend(&id, &months("2025-02", 11), 30_000).await;
        let january = suite.evaluate(&id, "2026-01").await;
        assert_eq!(january.resulting_tier, "PLATINUM", "[{label}] {january:?}");

        // Spend halves from January on: by April the last three months against the three before
        // show it, the score falls to GOLD's range and the risk to 0.8 (0.68 in May).
        suite.spend(&id, &months("2026-01", 5), 15_000).await;
        for (period, below) in [("2026-04", 1), ("2026-05", 2)] {
            let e = suite.evaluate(&id, period).await;
            assert_eq!(
                e.decision,
                pb::Decision::HoldAtRisk as i32,
                "[{label}] {period}"
            );
            assert_eq!(e.computed_tier, "GOLD", "[{label}] {period}");
            assert_eq!(e.resulting_tier, "PLATINUM", "[{label}] {period}");
            assert_eq!(e.periods_below, below, "[{label}] {period}");
            assert!(e.retention_flag, "[{label}]");
            assert!(
                e.reasons.iter().any(|r| r.contains("retention")),
                "[{label}]"
            );
        }
        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(tier.tier, "PLATINUM", "[{label}]");
        assert!(tier.retention_flag, "[{label}]");
        assert_eq!(
            suite.history(&id).await.len(),
            1,
            "[{label}] only the upgrade"
        );
    }
}
