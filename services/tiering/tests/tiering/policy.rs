//! GetTierPolicy and UpdateTierPolicy: the seeded ladder, versions guarded by etags, and
//! invalid policies refused with every field named.

use tonic::Code;
use vipcare_proto::tiering::v1 as pb;
use vipcare_runtime::Caller;

use crate::harness::*;

fn names(policy: &pb::TierPolicy) -> Vec<&str> {
    policy
        .tiers
        .iter()
        .map(|t| t.display_name.as_str())
        .collect()
}

#[tokio::test]
async fn the_seeded_policy_is_the_five_tier_ladder() {
    for mut suite in suites().await {
        let label = suite.label;
        let answer = suite.policy().await;
        let policy = answer.policy.unwrap();
        assert_eq!(
            names(&policy),
            ["普通", "银卡", "金卡", "白金", "钻石"],
            "[{label}]"
        );
        let codes: Vec<_> = policy.tiers.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(
            codes,
            ["STANDARD", "SILVER", "GOLD", "PLATINUM", "DIAMOND"],
            "[{label}]"
        );
        let minimums: Vec<_> = policy.tiers.iter().map(|t| t.min_score).collect();
        assert_eq!(minimums, [0.0, 30.0, 50.0, 70.0, 85.0], "[{label}]");
        assert_eq!(policy.version, 1, "[{label}]");
        assert!(!answer.etag.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn an_update_needs_the_etag_it_was_made_from() {
    for mut suite in suites().await {
        let label = suite.label;
        let first = suite.policy().await;
        let mut changed = first.policy.clone().unwrap();
        changed.tiers[2].min_score = 55.0;
        let admin = Caller::new("admin-console", "admin", &[]);
        let request = pb::UpdateTierPolicyRequest {
            policy: Some(changed.clone()),
            etag: first.etag.clone(),
        };
        let updated = suite
            .tiering
            .update_tier_policy(as_caller(&admin, request))
            .await
            .unwrap_or_else(|s| panic!("[{label}] update: {s:?}"))
            .into_inner();
        let stored = updated.policy.unwrap();
        assert_eq!(stored.version, 2, "[{label}]");
        assert_eq!(stored.tiers[2].min_score, 55.0, "[{label}]");
        assert_eq!(stored.updated_by, "admin-console", "[{label}]");
        assert_ne!(updated.etag, first.etag, "[{label}]");

        // Someone working from the first version lost the race.
        changed.tiers[2].min_score = 60.0;
        let stale = pb::UpdateTierPolicyRequest {
            policy: Some(changed),
            etag: first.etag.clone(),
        };
        let result = suite.tiering.update_tier_policy(stale).await;
        assert_eq!(code(result), Code::Aborted, "[{label}]");

        let now = suite.policy().await;
        assert_eq!(now.etag, updated.etag, "[{label}]");
        assert_eq!(now.policy.unwrap().tiers[2].min_score, 55.0, "[{label}]");
        let old = suite
            .tiering
            .get_tier_policy(pb::GetTierPolicyRequest { version: 1 })
            .await
            .unwrap()
            .into_inner();
        let old_policy = old.policy.unwrap();
        assert_eq!(old_policy.version, 1, "[{label}]");
        assert_eq!(old_policy.tiers[2].min_score, 50.0, "[{label}]");
        assert_eq!(old.etag, first.etag, "[{label}]");
        let missing = suite
            .tiering
            .get_tier_policy(pb::GetTierPolicyRequest { version: 9 })
            .await;
        assert_eq!(code(missing), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn invalid_policies_are_refused_with_the_field_named() {
    type Breakage = fn(&mut pb::TierPolicy);
    let cases: [(&str, Breakage); 6] = [
        ("policy.tiers[3].min_score", |p| p.tiers[3].min_score = 50.0),
        // Set by the server and ignored, but only if it is a timestamp at all (year 10000 is not).
        ("policy.update_time", |p| {
            p.update_time = Some(prost_types::Timestamp {
                seconds: 253_402_300_800,
                nanos: 0,
            });
        }),
        ("policy.weights.tenure", |p| {
            p.weights.as_mut().unwrap().tenure = -1.0;
        }),
        ("policy.weights", |p| {
            p.weights = Some(pb::ComponentWeights::default());
        }),
        ("policy.tiers[2].code", |p| {
            p.tiers[2].code = "SILVER".into()
        }),
        ("policy.tiers[0].min_score", |p| p.tiers[0].min_score = 5.0),
    ];
    for mut suite in suites().await {
        let label = suite.label;
        let before = suite.policy().await;
        for (field, breakage) in cases {
            let mut policy = before.policy.clone().unwrap();
            breakage(&mut policy);
            let request = pb::UpdateTierPolicyRequest {
                policy: Some(policy),
                etag: before.etag.clone(),
            };
            let result = suite.tiering.update_tier_policy(request).await;
            assert_invalid(label, result, field);
        }
        let request = pb::UpdateTierPolicyRequest {
            policy: before.policy.clone(),
            etag: String::new(),
        };
        assert_invalid(
            label,
            suite.tiering.update_tier_policy(request).await,
            "etag",
        );

        let after = suite.policy().await;
        assert_eq!(after.etag, before.etag, "[{label}] nothing was stored");
        assert_eq!(after.policy, before.policy, "[{label}]");
    }
}

#[tokio::test]
async fn a_policy_dropping_a_tier_that_benefits_name_is_refused() {
    use tonic_types::StatusExt;
    for mut suite in suites().await {
        let label = suite.label;
        let first = suite.policy().await;
        let mut without_platinum = first.policy.clone().unwrap();
        without_platinum.tiers.retain(|t| t.code != "PLATINUM");
        let request = pb::UpdateTierPolicyRequest {
            policy: Some(without_platinum),
            etag: first.etag.clone(),
        };
        let status = suite
            .tiering
            .update_tier_policy(request)
            .await
            .expect_err("the seeded catalogue names PLATINUM");
        assert_eq!(
            status.code(),
            Code::FailedPrecondition,
            "[{label}] {status:?}"
        );
        let failure = status
            .get_details_precondition_failure()
            .unwrap_or_else(|| panic!("[{label}] no PreconditionFailure in {status:?}"));
        let subjects: Vec<&str> = failure
            .violations
            .iter()
            .map(|v| v.subject.as_str())
            .collect();
        assert!(
            subjects.contains(&"benefit/airport_lounge")
                && subjects.contains(&"benefit/account_manager"),
            "[{label}] {subjects:?}"
        );
        assert!(
            failure.violations.iter().all(|v| v.r#type == "TIER_IN_USE"),
            "[{label}]"
        );
        let after = suite.policy().await;
        assert_eq!(after.etag, first.etag, "[{label}] the policy is unchanged");
    }
}
