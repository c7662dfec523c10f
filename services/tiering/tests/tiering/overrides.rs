//! OverrideTier: a manual tier that wins over evaluations, is audited in the history with its
//! actor, and once cleared gives the evaluated tier back.

use chrono::{DateTime, Duration, Utc};
use tonic::Code;
use vipcare_proto::tiering::v1 as pb;
use vipcare_runtime::Caller;

use crate::harness::*;

fn at(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

fn request(id: &str, tier: &str, reason: &str) -> pb::OverrideTierRequest {
    pb::OverrideTierRequest {
        customer_id: id.into(),
        tier: tier.into(),
        reason: reason.into(),
        actor: "emp-7".into(),
        expire_time: None,
        request_id: String::new(),
    }
}

#[tokio::test]
async fn an_override_wins_until_cleared_and_is_audited() {
    for mut suite in suites().await {
        let label = suite.label;
        let now: DateTime<Utc> = NOW.parse().unwrap();
        let id = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&id, "2026-06").await;

        let hall = Caller::new("hall-7", "hall", &[]);
        let board = pb::OverrideTierRequest {
            expire_time: Some(at(now + Duration::days(30))),
            ..request(&id, "DIAMOND", "board member")
        };
        let set = suite.tiering.override_tier(as_caller(&hall, board)).await;
        let set = set
            .unwrap_or_else(|s| panic!("[{label}] override: {s:?}"))
            .into_inner();
        assert_eq!(set.tier.unwrap().tier, "DIAMOND", "[{label}]");

        let shown = suite.tier(&id).await;
        let tier = shown.tier.unwrap();
        assert_eq!(
            (tier.tier.as_str(), tier.display_name.as_str()),
            ("DIAMOND", "钻石")
        );
        assert_eq!(tier.evaluated_tier, "GOLD", "[{label}]");
        let manual = tier.r#override.unwrap();
        assert_eq!(
            (manual.actor.as_str(), manual.reason.as_str()),
            ("emp-7", "board member")
        );
        assert_eq!(
            manual.expire_time,
            Some(at(now + Duration::days(30))),
            "[{label}]"
        );
        let lounge = shown
            .benefits
            .iter()
            .find(|b| b.code == "airport_lounge")
            .unwrap();
        assert_eq!(lounge.quota, 8, "[{label}] DIAMOND's quota");
        assert!(
            shown.benefits.iter().any(|b| b.code == "account_manager"),
            "[{label}]"
        );

        let latest = &suite.history(&id).await[0];
        assert_eq!(
            (latest.old_tier.as_str(), latest.new_tier.as_str()),
            ("GOLD", "DIAMOND")
        );
        assert_eq!(
            latest.decision,
            pb::Decision::Overridden as i32,
            "[{label}]"
        );
        assert_eq!(
            (latest.actor.as_str(), latest.client.as_str()),
            ("emp-7", "hall-7")
        );
        assert_eq!(latest.reason, "board member", "[{label}]");

        // Evaluations go on underneath without moving the tier in force.
        let e = suite.evaluate(&id, "2026-06").await;
        assert_eq!(e.decision, pb::Decision::Overridden as i32, "[{label}]");
        assert_eq!(
            (e.resulting_tier.as_str(), e.evaluated_tier.as_str()),
            ("DIAMOND", "GOLD")
        );

        let cleared = suite
            .tiering
            .override_tier(request(&id, "", "review done"))
            .await;
        assert_eq!(
            cleared.unwrap().into_inner().tier.unwrap().tier,
            "GOLD",
            "[{label}]"
        );
        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(tier.tier, "GOLD", "[{label}]");
        assert!(tier.r#override.is_none(), "[{label}]");
        let history = suite.history(&id).await;
        assert_eq!(history.len(), 3, "[{label}] {history:?}");
        assert_eq!(
            (history[0].old_tier.as_str(), history[0].new_tier.as_str()),
            ("DIAMOND", "GOLD")
        );
        assert!(history[0].reason.contains("override removed"), "[{label}]");
    }
}

#[tokio::test]
async fn bad_overrides_are_refused_and_change_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let now: DateTime<Utc> = NOW.parse().unwrap();
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        let expired = pb::OverrideTierRequest {
            expire_time: Some(at(now - Duration::hours(1))),
            ..request(&id, "DIAMOND", "too late")
        };
        let result = suite.tiering.override_tier(expired).await;
        assert_invalid(label, result, "expire_time");
        // Past what a Timestamp can say: stored, it would leave the tier unreadable in JSON.
        for (seconds, nanos) in [(253_402_300_800, 0), (now.timestamp() + 60, -1)] {
            let beyond = pb::OverrideTierRequest {
                expire_time: Some(prost_types::Timestamp { seconds, nanos }),
                ..request(&id, "DIAMOND", "forever")
            };
            let result = suite.tiering.override_tier(beyond).await;
            assert_invalid(label, result, "expire_time");
        }

        let result = suite
            .tiering
            .override_tier(request(&id, "BRONZE", "no such tier"))
            .await;
        assert_invalid(label, result, "tier");
        let result = suite.tiering.override_tier(request(&id, "GOLD", " ")).await;
        assert_invalid(label, result, "reason");
        let nobody = uuid::Uuid::now_v7().to_string();
        let result = suite
            .tiering
            .override_tier(request(&nobody, "GOLD", "who?"))
            .await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");

        assert_eq!(suite.tier_code(&id).await, "STANDARD", "[{label}]");
        assert!(suite.history(&id).await.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn a_repeated_override_request_is_applied_once() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        let once = pb::OverrideTierRequest {
            request_id: "ticket-42".into(),
            ..request(&id, "PLATINUM", "complaint recovery")
        };
        let first = suite
            .tiering
            .override_tier(once.clone())
            .await
            .unwrap()
            .into_inner();
        let again = suite
            .tiering
            .override_tier(once)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again, first, "[{label}]");
        assert_eq!(suite.history(&id).await.len(), 1, "[{label}]");
    }
}

#[tokio::test]
async fn an_override_may_last_until_the_last_instant_a_timestamp_can_say() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        let last = prost_types::Timestamp {
            seconds: 253_402_300_799,
            nanos: 999_999_999,
        };
        let until_the_end = pb::OverrideTierRequest {
            expire_time: Some(last),
            ..request(&id, "DIAMOND", "until the end of time")
        };
        let result = suite.tiering.override_tier(until_the_end).await;
        assert!(result.is_ok(), "[{label}] {result:?}");
        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(tier.tier, "DIAMOND", "[{label}]");
        // Kept to the millisecond, still inside the range clients can read.
        let expiry = tier.r#override.unwrap().expire_time.unwrap();
        assert_eq!(
            (expiry.seconds, expiry.nanos),
            (253_402_300_799, 999_000_000),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_batch_of_tiers_answers_overrides_evaluations_and_the_never_evaluated() {
    for mut suite in suites().await {
        let label = suite.label;
        let gold = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&gold, "2026-06").await;
        let promoted = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&promoted, "2026-06").await;
        suite.override_to(&promoted, "DIAMOND").await;
        let never = suite.customer_scoring("SILVER").await.customer_id;
        let entry = suite.tier_code(&never).await;

        let request = pb::BatchGetCustomerTiersRequest {
            customer_ids: vec![never.clone(), promoted.clone(), gold.clone(), never.clone()],
        };
        let tiers = suite
            .tiering
            .batch_get_customer_tiers(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] batch: {s:?}"))
            .into_inner()
            .tiers;
        let got: Vec<(&str, &str)> = tiers
            .iter()
            .map(|t| (t.customer_id.as_str(), t.tier.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (never.as_str(), entry.as_str()),
                (promoted.as_str(), "DIAMOND"),
                (gold.as_str(), "GOLD"),
            ],
            "[{label}] once each, in the order asked, as GetCustomerTier shows them"
        );
        assert_eq!(tiers[1].evaluated_tier, "GOLD", "[{label}]");
        assert_eq!(suite.tier_code(&promoted).await, "DIAMOND", "[{label}]");

        let bad = pb::BatchGetCustomerTiersRequest {
            customer_ids: vec![gold.clone(), "no spaces please".into()],
        };
        let refused = suite.tiering.batch_get_customer_tiers(bad).await;
        assert_invalid(label, refused, "customer_ids[1]");
        let none = pb::BatchGetCustomerTiersRequest::default();
        let refused = suite.tiering.batch_get_customer_tiers(none).await;
        assert_invalid(label, refused, "customer_ids");
    }
}
