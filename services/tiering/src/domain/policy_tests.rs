use super::*;

fn refused(policy: &TierPolicy) -> Vec<String> {
    policy
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|v| v.field)
        .collect()
}

#[test]
fn the_default_policy_is_valid_and_has_the_five_tiers() {
    let policy = TierPolicy::default();
    assert_eq!(policy.validate(), Ok(()));
    let codes: Vec<_> = policy.tiers.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["STANDARD", "SILVER", "GOLD", "PLATINUM", "DIAMOND"]);
    assert_eq!(policy.tiers[4].display_name, "钻石");
}

#[test]
fn thresholds_must_increase() {
    let mut policy = TierPolicy::default();
    policy.tiers[3].min_score = 50.0;
    assert_eq!(refused(&policy), ["tiers[3].min_score"]);
    let mut policy = TierPolicy::default();
    policy.tiers[0].min_score = 5.0;
    assert_eq!(refused(&policy), ["tiers[0].min_score"]);
}

#[test]
fn duplicate_codes_and_bad_weights_are_each_named() {
    let mut policy = TierPolicy::default();
    policy.tiers[2].code = "SILVER".into();
    policy.weights.tenure = -1.0;
    assert_eq!(refused(&policy), ["tiers[2].code", "weights.tenure"]);
}

#[test]
fn all_weights_zero_is_refused() {
    let mut policy = TierPolicy {
        weights: Weights {
            contribution: 0.0,
            tenure: 0.0,
            loyalty: 0.0,
            influence: 0.0,
            satisfaction: 0.0,
        },
        ..TierPolicy::default()
    };
    assert_eq!(refused(&policy), ["weights"]);
    // Satisfaction alone is no better: most customers have no peak-end score to earn it.
    policy.weights.satisfaction = 10.0;
    assert_eq!(refused(&policy), ["weights"]);
}

#[test]
fn scores_map_to_the_highest_tier_reached() {
    let policy = TierPolicy::default();
    assert_eq!(policy.index_for_score(0.0), 0);
    assert_eq!(policy.index_for_score(49.99), 1);
    assert_eq!(policy.index_for_score(50.0), 2);
    assert_eq!(policy.index_for_score(100.0), 4);
}

#[test]
fn key_persons_get_a_higher_priority_capped_at_nine() {
    let mut policy = TierPolicy::default();
    assert_eq!(routing_priority(&policy, "GOLD", false), 4);
    assert_eq!(routing_priority(&policy, "GOLD", true), 5);
    policy.key_person_priority_bonus = 5;
    assert_eq!(routing_priority(&policy, "DIAMOND", true), 9);
    assert_eq!(routing_priority(&policy, "GONE", false), 0);
}

#[test]
fn the_low_satisfaction_limit_is_a_peak_end() {
    for bad in [0.5, 5.5, f64::NAN] {
        let mut policy = TierPolicy::default();
        policy.churn.low_satisfaction_max_peak_end = bad;
        assert_eq!(
            refused(&policy),
            ["churn.low_satisfaction_max_peak_end"],
            "{bad}"
        );
    }
    let mut policy = TierPolicy::default();
    policy.churn.low_satisfaction_max_peak_end = 5.0;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn a_policy_stored_before_the_limit_reads_with_the_default() {
    let mut stored = serde_json::to_value(TierPolicy::default()).unwrap();
    stored["churn"]
        .as_object_mut()
        .unwrap()
        .remove("low_satisfaction_max_peak_end");
    let read: TierPolicy = serde_json::from_value(stored).unwrap();
    assert_eq!(read, TierPolicy::default());
}
