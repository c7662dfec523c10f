//! The tier policy: the ladder, the score's weights and scales, the downgrade rules and the
//! churn rule. A policy is checked as a whole before it is stored; every refused part is named.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Invalid, Violation, tier_code};

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub code: String,
    pub display_name: String,
    pub min_score: f64,
    pub routing_priority: i32,
}

/// Relative weights of the score components.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub contribution: f64,
    pub tenure: f64,
    pub loyalty: f64,
    pub influence: f64,
    pub satisfaction: f64,
}

/// What earns a component's full points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scales {
    pub contribution_full_arpu_fen: i64,
    pub tenure_full_months: i32,
    pub household_full_arpu_fen: i64,
    pub referrals_full: i32,
}

/// Churn risk as the weighted sum of the signals present, capped at 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChurnRule {
    pub threshold: f64,
    pub spend_decline_weight: f64,
    pub spend_decline_min_percent: f64,
    pub spend_decline_full_percent: f64,
    pub short_tenure_weight: f64,
    pub short_tenure_months: i32,
    pub suspension_weight: f64,
    pub complaint_weight: f64,
    pub low_satisfaction_weight: f64,
    /// The highest latest peak-end (1–5) that is low satisfaction. Policies stored before it
    /// existed read as the default.
    #[serde(default = "default_low_peak_end")]
    pub low_satisfaction_max_peak_end: f64,
}

fn default_low_peak_end() -> f64 {
    super::satisfaction::DEFAULT_LOW_PEAK_END
}

/// The rules tiers are decided by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierPolicy {
    /// Lowest first.
    pub tiers: Vec<Tier>,
    pub weights: Weights,
    pub scales: Scales,
    pub downgrade_after_periods: i32,
    pub downgrade_margin: f64,
    pub churn: ChurnRule,
    pub key_person_priority_bonus: i32,
}

impl Default for TierPolicy {
    /// The ladder of DOMAIN.md: 普通, 银卡, 金卡, 白金, 钻石.
    fn default() -> Self {
        let tier = |code: &str, name: &str, min_score: f64, priority: i32| Tier {
            code: code.into(),
            display_name: name.into(),
            min_score,
            routing_priority: priority,
        };
        TierPolicy {
            tiers: vec![
                tier("STANDARD", "普通", 0.0, 0),
                tier("SILVER", "银卡", 30.0, 2),
                tier("GOLD", "金卡", 50.0, 4),
                tier("PLATINUM", "白金", 70.0, 6),
                tier("DIAMOND", "钻石", 85.0, 8),
            ],
            weights: Weights {
                contribution: 40.0,
                tenure: 15.0,
                loyalty: 15.0,
                influence: 15.0,
                satisfaction: 15.0,
            },
            scales: Scales {
                contribution_full_arpu_fen: 30_000,
                tenure_full_months: 120,
                household_full_arpu_fen: 60_000,
                referrals_full: 5,
            },
            downgrade_after_periods: 2,
            downgrade_margin: 3.0,
            churn: ChurnRule {
                threshold: 0.6,
                spend_decline_weight: 0.6,
                spend_decline_min_percent: 10.0,
                spend_decline_full_percent: 50.0,
                short_tenure_weight: 0.2,
                short_tenure_months: 24,
                suspension_weight: 0.3,
                complaint_weight: 0.2,
                low_satisfaction_weight: 0.2,
                low_satisfaction_max_peak_end: super::satisfaction::DEFAULT_LOW_PEAK_END,
            },
            key_person_priority_bonus: 1,
        }
    }
}

impl TierPolicy {
    /// Every refused part, with paths relative to the policy (`tiers[2].min_score`).
    pub fn validate(&self) -> Result<(), Vec<Violation>> {
        let mut found = Vec::new();
        let mut refuse = |field: String, reason: &str| found.push(Invalid::new(reason).at(field));
        self.check_ladder(&mut refuse);
        let w = &self.weights;
        let weights = [
            ("contribution", w.contribution),
            ("tenure", w.tenure),
            ("loyalty", w.loyalty),
            ("influence", w.influence),
            ("satisfaction", w.satisfaction),
        ];
        for (name, weight) in weights {
            if !weight.is_finite() || weight < 0.0 {
                refuse(format!("weights.{name}"), "must be a number of at least 0");
            }
        }
        // Most customers have no peak-end score of the last year (never asked, or long ago), so
        // satisfaction cannot carry the score alone.
        if weights[..4].iter().all(|(_, weight)| *weight <= 0.0) {
            refuse(
                "weights".into(),
                "contribution, tenure, loyalty and influence must not all be zero",
            );
        }
        let s = &self.scales;
        if s.contribution_full_arpu_fen <= 0 {
            refuse(
                "scales.contribution_full_arpu_fen".into(),
                "must be above 0",
            );
        }
        if s.tenure_full_months <= 0 {
            refuse("scales.tenure_full_months".into(), "must be above 0");
        }
        if s.household_full_arpu_fen <= 0 {
            refuse("scales.household_full_arpu_fen".into(), "must be above 0");
        }
        if s.referrals_full <= 0 {
            refuse("scales.referrals_full".into(), "must be above 0");
        }
        if !(1..=12).contains(&self.downgrade_after_periods) {
            refuse("downgrade_after_periods".into(), "must be 1 to 12");
        }
        if !(0.0..=50.0).contains(&self.downgrade_margin) {
            refuse("downgrade_margin".into(), "must be 0 to 50 points");
        }
        if !(0..=9).contains(&self.key_person_priority_bonus) {
            refuse("key_person_priority_bonus".into(), "must be 0 to 9");
        }
        self.check_churn(&mut refuse);
        if found.is_empty() { Ok(()) } else { Err(found) }
    }

    fn check_ladder(&self, refuse: &mut impl FnMut(String, &str)) {
        if self.tiers.is_empty() {
            refuse("tiers".into(), "at least one tier is required");
            return;
        }
        let mut codes = HashSet::new();
        for (i, tier) in self.tiers.iter().enumerate() {
            if let Err(e) = tier_code(&tier.code) {
                refuse(format!("tiers[{i}].code"), &e.0);
            } else if !codes.insert(tier.code.as_str()) {
                refuse(format!("tiers[{i}].code"), "duplicate tier code");
            }
            if let Err(e) = super::bounded(&tier.display_name, 32) {
                refuse(format!("tiers[{i}].display_name"), &e.0);
            }
            if !(0.0..=100.0).contains(&tier.min_score) {
                refuse(format!("tiers[{i}].min_score"), "must be 0 to 100");
            } else if i == 0 && tier.min_score != 0.0 {
                refuse(
                    "tiers[0].min_score".into(),
                    "the lowest tier must start at 0, so every customer has a tier",
                );
            } else if i > 0 && tier.min_score <= self.tiers[i - 1].min_score {
                refuse(
                    format!("tiers[{i}].min_score"),
                    "minimum scores must increase strictly up the ladder",
                );
            }
            if !(0..=9).contains(&tier.routing_priority) {
                refuse(format!("tiers[{i}].routing_priority"), "must be 0 to 9");
            }
        }
    }

    fn check_churn(&self, refuse: &mut impl FnMut(String, &str)) {
        let c = &self.churn;
        if !(c.threshold > 0.0 && c.threshold <= 1.0) {
            refuse("churn.threshold".into(), "must be above 0 and at most 1");
        }
        for (name, weight) in [
            ("spend_decline_weight", c.spend_decline_weight),
            ("short_tenure_weight", c.short_tenure_weight),
            ("suspension_weight", c.suspension_weight),
            ("complaint_weight", c.complaint_weight),
            ("low_satisfaction_weight", c.low_satisfaction_weight),
        ] {
            if !(0.0..=1.0).contains(&weight) {
                refuse(format!("churn.{name}"), "must be 0 to 1");
            }
        }
        if !(0.0..100.0).contains(&c.spend_decline_min_percent) {
            refuse(
                "churn.spend_decline_min_percent".into(),
                "must be 0 to under 100",
            );
        }
        if !(c.spend_decline_full_percent > c.spend_decline_min_percent
            && c.spend_decline_full_percent <= 100.0)
        {
            refuse(
                "churn.spend_decline_full_percent".into(),
                "must be above spend_decline_min_percent and at most 100",
            );
        }
        if !(1.0..=5.0).contains(&c.low_satisfaction_max_peak_end) {
            refuse(
                "churn.low_satisfaction_max_peak_end".into(),
                "must be 1 to 5 (0: the default 2.5)",
            );
        }
        if !(0..=600).contains(&c.short_tenure_months) {
            refuse("churn.short_tenure_months".into(), "must be 0 to 600");
        }
    }

    /// The position of a tier code on the ladder.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.code == code)
    }

    pub fn tier(&self, code: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.code == code)
    }

    /// The lowest tier, where customers who were never evaluated stand.
    pub fn lowest(&self) -> &Tier {
        &self.tiers[0]
    }

    /// The highest tier whose minimum the score reaches.
    pub fn index_for_score(&self, score: f64) -> usize {
        self.tiers
            .iter()
            .rposition(|t| score >= t.min_score)
            .unwrap_or(0)
    }
}

/// Hotline priority, 0–9: the tier's, raised for a group key person.
pub fn routing_priority(policy: &TierPolicy, tier: &str, key_person: bool) -> i32 {
    let base = policy.tier(tier).map_or(0, |t| t.routing_priority);
    let bonus = if key_person {
        policy.key_person_priority_bonus
    } else {
        0
    };
    (base + bonus).clamp(0, 9)
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
