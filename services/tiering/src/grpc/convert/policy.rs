//! `TierPolicy` messages: the policy a client sends (checked by the domain afterwards) and the
//! stored version shown back with its number, time and author.

use vipcare_proto::tiering::v1 as pb;

use super::timestamp;
use crate::domain::{ChurnRule, DEFAULT_LOW_PEAK_END, Scales, Tier, TierPolicy, Weights};
use crate::store::policies::StoredPolicy;

/// The policy a message describes; missing sections are all zero, which validation refuses
/// where zero is not allowed. Server-set fields (version, update time, author) are ignored.
pub fn policy_from_proto(message: &pb::TierPolicy) -> TierPolicy {
    let pb::TierPolicy {
        tiers,
        weights,
        scales,
        downgrade_after_periods,
        downgrade_margin,
        churn,
        key_person_priority_bonus,
        version: _,
        update_time: _,
        updated_by: _,
    } = message;
    TierPolicy {
        tiers: tiers.iter().map(tier_from_proto).collect(),
        weights: weights_from_proto(weights.unwrap_or_default()),
        scales: scales_from_proto(scales.unwrap_or_default()),
        downgrade_after_periods: *downgrade_after_periods,
        downgrade_margin: *downgrade_margin,
        churn: churn_rule_from_proto(churn.unwrap_or_default()),
        key_person_priority_bonus: *key_person_priority_bonus,
    }
}

fn tier_from_proto(tier: &pb::Tier) -> Tier {
    let pb::Tier {
        code,
        display_name,
        min_score,
        routing_priority,
    } = tier;
    Tier {
        code: code.clone(),
        display_name: display_name.clone(),
        min_score: *min_score,
        routing_priority: *routing_priority,
    }
}

fn weights_from_proto(weights: pb::ComponentWeights) -> Weights {
    let pb::ComponentWeights {
        contribution,
        tenure,
        loyalty,
        influence,
        satisfaction,
    } = weights;
    Weights {
        contribution,
        tenure,
        loyalty,
        influence,
        satisfaction,
    }
}

fn scales_from_proto(scales: pb::ScoreScales) -> Scales {
    let pb::ScoreScales {
        contribution_full_arpu_fen,
        tenure_full_months,
        household_full_arpu_fen,
        referrals_full,
    } = scales;
    Scales {
        contribution_full_arpu_fen,
        tenure_full_months,
        household_full_arpu_fen,
        referrals_full,
    }
}

fn churn_rule_from_proto(rule: pb::ChurnRule) -> ChurnRule {
    let pb::ChurnRule {
        threshold,
        spend_decline_weight,
        spend_decline_min_percent,
        spend_decline_full_percent,
        short_tenure_weight,
        short_tenure_months,
        suspension_weight,
        complaint_weight,
        low_satisfaction_weight,
        low_satisfaction_max_peak_end,
    } = rule;
    ChurnRule {
        threshold,
        spend_decline_weight,
        spend_decline_min_percent,
        spend_decline_full_percent,
        short_tenure_weight,
        short_tenure_months,
        suspension_weight,
        complaint_weight,
        low_satisfaction_weight,
        // Unset by clients that predate it: the default, not "nothing is low".
        low_satisfaction_max_peak_end: if low_satisfaction_max_peak_end == 0.0 {
            DEFAULT_LOW_PEAK_END
        } else {
            low_satisfaction_max_peak_end
        },
    }
}

/// The policy alone, without the version fields (a what-if policy, or the start of a stored one).
pub fn policy_to_proto(policy: &TierPolicy) -> pb::TierPolicy {
    let TierPolicy {
        tiers,
        weights,
        scales,
        downgrade_after_periods,
        downgrade_margin,
        churn,
        key_person_priority_bonus,
    } = policy;
    pb::TierPolicy {
        tiers: tiers.iter().map(tier_to_proto).collect(),
        weights: Some(weights_to_proto(*weights)),
        scales: Some(scales_to_proto(*scales)),
        downgrade_after_periods: *downgrade_after_periods,
        downgrade_margin: *downgrade_margin,
        churn: Some(churn_rule_to_proto(*churn)),
        key_person_priority_bonus: *key_person_priority_bonus,
        version: 0,
        update_time: None,
        updated_by: String::new(),
    }
}

/// A stored version as clients read it.
pub fn stored_policy_to_proto(stored: &StoredPolicy) -> pb::TierPolicy {
    let StoredPolicy {
        policy,
        version,
        update_time,
        updated_by,
    } = stored;
    pb::TierPolicy {
        version: *version,
        update_time: Some(timestamp(*update_time)),
        updated_by: updated_by.clone(),
        ..policy_to_proto(policy)
    }
}

fn tier_to_proto(tier: &Tier) -> pb::Tier {
    let Tier {
        code,
        display_name,
        min_score,
        routing_priority,
    } = tier;
    pb::Tier {
        code: code.clone(),
        display_name: display_name.clone(),
        min_score: *min_score,
        routing_priority: *routing_priority,
    }
}

fn weights_to_proto(weights: Weights) -> pb::ComponentWeights {
    let Weights {
        contribution,
        tenure,
        loyalty,
        influence,
        satisfaction,
    } = weights;
    pb::ComponentWeights {
        contribution,
        tenure,
        loyalty,
        influence,
        satisfaction,
    }
}

fn scales_to_proto(scales: Scales) -> pb::ScoreScales {
    let Scales {
        contribution_full_arpu_fen,
        tenure_full_months,
        household_full_arpu_fen,
        referrals_full,
    } = scales;
    pb::ScoreScales {
        contribution_full_arpu_fen,
        tenure_full_months,
        household_full_arpu_fen,
        referrals_full,
    }
}

fn churn_rule_to_proto(rule: ChurnRule) -> pb::ChurnRule {
    let ChurnRule {
        threshold,
        spend_decline_weight,
        spend_decline_min_percent,
        spend_decline_full_percent,
        short_tenure_weight,
        short_tenure_months,
        suspension_weight,
        complaint_weight,
        low_satisfaction_weight,
        low_satisfaction_max_peak_end,
    } = rule;
    pb::ChurnRule {
        threshold,
        spend_decline_weight,
        spend_decline_min_percent,
        spend_decline_full_percent,
        short_tenure_weight,
        short_tenure_months,
        suspension_weight,
        complaint_weight,
        low_satisfaction_weight,
        low_satisfaction_max_peak_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_round_trips_and_server_fields_are_ignored_on_the_way_in() {
        let policy = TierPolicy::default();
        let mut message = policy_to_proto(&policy);
        assert_eq!(policy_from_proto(&message), policy);
        message.version = 9;
        message.updated_by = "someone".into();
        assert_eq!(policy_from_proto(&message), policy);
    }

    #[test]
    fn missing_sections_read_as_zero() {
        let policy = policy_from_proto(&pb::TierPolicy::default());
        assert!(policy.tiers.is_empty());
        assert_eq!(policy.weights.contribution, 0.0);
        assert_eq!(policy.scales.referrals_full, 0);
        assert_eq!(policy.churn.threshold, 0.0);
        assert!(policy.validate().is_err());
    }

    #[test]
    fn a_client_that_predates_the_low_satisfaction_limit_gets_the_default() {
        let mut message = policy_to_proto(&TierPolicy::default());
        message
            .churn
            .as_mut()
            .unwrap()
            .low_satisfaction_max_peak_end = 0.0;
        let policy = policy_from_proto(&message);
        assert_eq!(policy.churn.low_satisfaction_max_peak_end, 2.5);
        assert_eq!(policy, TierPolicy::default());
    }
}
