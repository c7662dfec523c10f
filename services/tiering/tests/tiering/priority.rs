//! GetRoutingPriority: the hotline's priority for a calling number, from the tier in force and
//! the group key-person flag.

use tonic::Code;
use tonic_types::StatusExt;
use vipcare_proto::tiering::v1 as pb;
use vipcare_runtime::Caller;

use crate::harness::*;

async fn priority(suite: &mut Suite, msisdn: &str) -> pb::GetRoutingPriorityResponse {
    let request = pb::GetRoutingPriorityRequest {
        msisdn: msisdn.into(),
    };
    suite
        .tiering
        .get_routing_priority(request)
        .await
        .unwrap_or_else(|s| panic!("[{}] priority of {msisdn}: {s:?}", suite.label))
        .into_inner()
}

#[tokio::test]
async fn priority_follows_the_tier_and_the_key_person_flag() {
    for mut suite in suites().await {
        let label = suite.label;
        let standard = suite.customer_scoring("STANDARD").await;
        let answer = priority(&mut suite, &standard.msisdn).await;
        assert_eq!(
            (answer.priority, answer.tier.as_str()),
            (0, "STANDARD"),
            "[{label}]"
        );
        assert_eq!(answer.customer_id, standard.customer_id, "[{label}]");

        let gold = suite.customer_scoring("GOLD").await;
        suite.evaluate(&gold.customer_id, "2026-06").await;
        let answer = priority(&mut suite, &gold.msisdn).await;
        assert_eq!(
            (answer.priority, answer.tier.as_str()),
            (4, "GOLD"),
            "[{label}]"
        );

        // A group key person with the same spend (65.89 points, still GOLD) gets one more.
        let key = suite.create(Person::veteran().key_person()).await;
        suite
            .spend(&key.customer_id, &months("2025-06", 12), 15_000)
            .await;
        let e = suite.evaluate(&key.customer_id, "2026-06").await;
        assert_eq!(e.resulting_tier, "GOLD", "[{label}]");
        assert_eq!(
            priority(&mut suite, &key.msisdn).await.priority,
            5,
            "[{label}]"
        );

        let diamond = suite.customer_scoring("DIAMOND").await;
        suite.evaluate(&diamond.customer_id, "2026-06").await;
        assert_eq!(
            priority(&mut suite, &diamond.msisdn).await.priority,
            9,
            "[{label}]"
        );

        // A changed tier shows at once, not after the cached answer expires.
        suite.override_to(&gold.customer_id, "PLATINUM").await;
        let answer = priority(&mut suite, &gold.msisdn).await;
        assert_eq!(
            (answer.priority, answer.tier.as_str()),
            (6, "PLATINUM"),
            "[{label}]"
        );

        let partner = as_partner(
            "airport-lounges",
            pb::GetRoutingPriorityRequest {
                msisdn: gold.msisdn.clone(),
            },
        );
        let answer = suite.tiering.get_routing_priority(partner).await.unwrap();
        assert_eq!(answer.into_inner().customer_id, "", "[{label}]");
    }
}

#[tokio::test]
async fn numbers_are_checked_and_unknown_ones_not_found() {
    for mut suite in suites().await {
        let label = suite.label;
        for bad in ["12345", "12800138000", ""] {
            let request = pb::GetRoutingPriorityRequest { msisdn: bad.into() };
            let result = suite.tiering.get_routing_priority(request).await;
            assert_invalid(label, result, "msisdn");
        }
        let request = pb::GetRoutingPriorityRequest {
            msisdn: "13700000000".into(),
        };
        let status = suite
            .tiering
            .get_routing_priority(request)
            .await
            .expect_err("an unknown number");
        assert_eq!(status.code(), Code::NotFound, "[{label}]");
        // The number is personal data: the answer names what is missing, not whose it is.
        assert_eq!(status.message(), "customer not found", "[{label}]");
        let info = status.get_details_resource_info().expect("ResourceInfo");
        assert_eq!(info.resource_type, "customer", "[{label}]");
        assert!(
            !format!("{status:?}").contains("13700000000"),
            "[{label}] {status:?}"
        );
    }
}

#[tokio::test]
async fn a_new_policy_shows_in_cached_priorities_long_before_they_expire() {
    for mut suite in suites().await {
        let label = suite.label;
        let gold = suite.customer_scoring("GOLD").await;
        suite.evaluate(&gold.customer_id, "2026-06").await;
        // Asked twice: the answer is cached (for 60 s).
        priority(&mut suite, &gold.msisdn).await;
        assert_eq!(
            priority(&mut suite, &gold.msisdn).await.priority,
            4,
            "[{label}]"
        );

        let current = suite.policy().await;
        let mut changed = current.policy.clone().unwrap();
        assert_eq!(changed.tiers[2].code, "GOLD", "[{label}]");
        changed.tiers[2].routing_priority = 7;
        let admin = Caller::new("admin-console", "admin", &[]);
        let request = pb::UpdateTierPolicyRequest {
            policy: Some(changed),
            etag: current.etag,
        };
        suite
            .tiering
            .update_tier_policy(as_caller(&admin, request))
            .await
            .unwrap_or_else(|s| panic!("[{label}] update: {s:?}"));

        // The cached answers are refreshed in the background, within moments.
        let mut poll = tokio::time::interval(std::time::Duration::from_millis(50));
        let seen = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                poll.tick().await;
                let answer = priority(&mut suite, &gold.msisdn).await;
                if answer.priority == 7 {
                    return answer;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("[{label}] the old priority was still served after 10 s"));
        assert_eq!(seen.tier, "GOLD", "[{label}]");
    }
}
