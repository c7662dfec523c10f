//! Downgrades: only after the grace periods, one tier at a time, never within the margin, and
//! evaluating a period again never counts it twice.

use tonic::Code;
use vipcare_proto::tiering::v1 as pb;

use crate::harness::*;

fn decision(e: &pb::Evaluation) -> pb::Decision {
    pb::Decision::try_from(e.decision).unwrap()
}

#[tokio::test]
async fn a_falling_customer_is_held_for_a_period_then_moves_down_one_tier() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.create(Person::veteran()).await.customer_id;
        suite.spend(&id, &months("2024-07", 12), 25_000).await;
        let july = suite.evaluate(&id, "2025-07").await;
        assert_eq!(decision(&july), pb::Decision::Upgrade, "[{label}]");
        assert_eq!(july.resulting_tier, "PLATINUM", "[{label}]");

        // Spend drops to ¥20 a month from July on: by February the last six months show it and
        // the score falls to SILVER's range.
        suite.spend(&id, &months("2025-07", 12), 2_000).await;
        for _ in 0..2 {
            let february = suite.evaluate(&id, "2026-02").await;
            assert_eq!(decision(&february), pb::Decision::HoldGrace, "[{label}]");
            assert_eq!(february.computed_tier, "SILVER", "[{label}]");
            assert_eq!(february.resulting_tier, "PLATINUM", "[{label}]");
            assert_eq!(february.periods_below, 1, "[{label}] counted once");
        }
        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!((tier.tier.as_str(), tier.periods_below), ("PLATINUM", 1));

        let march = suite.evaluate(&id, "2026-03").await;
        assert_eq!(decision(&march), pb::Decision::Downgrade, "[{label}]");
        assert_eq!(march.resulting_tier, "GOLD", "[{label}] one tier at most");
        assert_eq!(march.periods_below, 0, "[{label}]");
        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(
            (tier.tier.as_str(), tier.display_name.as_str()),
            ("GOLD", "金卡")
        );

        let history = suite.history(&id).await;
        let moves: Vec<_> = history
            .iter()
            .map(|c| (c.old_tier.as_str(), c.new_tier.as_str(), c.period.as_str()))
            .collect();
        assert_eq!(
            moves,
            [
                ("PLATINUM", "GOLD", "2026-03"),
                ("STANDARD", "PLATINUM", "2025-07")
            ],
            "[{label}]"
        );
        assert_eq!(history[0].decision, pb::Decision::Downgrade as i32);

        // March again: the same downgrade from the same standing, and no second history row.
        let again = suite.evaluate(&id, "2026-03").await;
        assert_eq!(decision(&again), pb::Decision::Downgrade, "[{label}]");
        assert_eq!(again.resulting_tier, "GOLD", "[{label}]");
        assert_eq!(suite.history(&id).await.len(), 2, "[{label}]");

        let request = pb::EvaluateCustomerRequest {
            customer_id: id.clone(),
            dry_run: false,
            what_if_policy: None,
            period: "2026-01".into(),
        };
        let result = suite.tiering.evaluate_customer(request).await;
        assert_eq!(
            code(result),
            Code::FailedPrecondition,
            "[{label}] a past period"
        );
    }
}

#[tokio::test]
async fn a_raised_threshold_within_the_margin_keeps_the_tier() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id; // 58.82
        assert_eq!(suite.evaluate(&id, "2026-04").await.resulting_tier, "GOLD");

        for (gold_min, period, expected, below) in [
            (61.0, "2026-05", pb::Decision::Unchanged, 0),
            (65.0, "2026-06", pb::Decision::HoldGrace, 1),
        ] {
            let current = suite.policy().await;
            let mut policy = current.policy.unwrap();
            policy.tiers[2].min_score = gold_min;
            let request = pb::UpdateTierPolicyRequest {
                policy: Some(policy),
                etag: current.etag,
            };
            suite.tiering.update_tier_policy(request).await.unwrap();
            let e = suite.evaluate(&id, period).await;
            assert_eq!(decision(&e), expected, "[{label}] GOLD from {gold_min}");
            assert_eq!(e.computed_tier, "SILVER", "[{label}]");
            assert_eq!(e.resulting_tier, "GOLD", "[{label}]");
            assert_eq!(e.periods_below, below, "[{label}]");
            if below == 0 {
                assert!(e.reasons[0].contains("margin"), "[{label}] {:?}", e.reasons);
            }
        }
        let e = suite.evaluate(&id, "2026-06").await;
        assert!(
            e.reasons.iter().any(|r| r.contains("1 of 2")),
            "[{label}] {:?}",
            e.reasons
        );
        assert_eq!(e.policy_version, 3, "[{label}]");
    }
}
