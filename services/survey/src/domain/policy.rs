//! The survey policy in force: how a journey is scored (the peak weight), how often a customer
//! may be asked (fatigue by tier), when a response is followed up, how baselines are set and
//! when a group's week alerts. One aggregate, checked whole, so an update that would leave any
//! part of it unusable is refused with every field named as the contract names it
//! (`peak_weight`, `tier_fatigue[DIAMOND].min_days_between`, `follow_up.nps_at_most`, ...).
//!
//! It keeps the values it was made from beside the rules built from them: the rules hide
//! their figures, and the store and the contract need them back.

use std::collections::BTreeMap;

use vipcare_domain::{Invalid, Violation};

use super::baseline::{AlertRule, BaselineRule, DEFAULT_BASELINE, Tally};
use super::fatigue::FatigueRule;
use super::follow_up::Thresholds;
use super::score::PeakWeight;

/// The longest trailing window a baseline may be taken over: the roll-ups a year holds.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// A policy's figures, as the contract and the store carry them.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyValues {
    pub peak_weight: f64,
    /// For a tier not listed in `tier_fatigue`.
    pub min_days_between: u32,
    pub tier_fatigue: BTreeMap<String, u32>,
    pub peak_end_at_most: f64,
    pub end_at_most: i32,
    pub nps_at_most: i32,
    pub baseline_window_days: u32,
    pub baseline_min_responses: u64,
    pub default_baseline: f64,
    pub alert_drop: f64,
    pub alert_min_responses: u64,
}

impl Default for PolicyValues {
    /// The contract's documented defaults.
    fn default() -> PolicyValues {
        PolicyValues {
            peak_weight: 0.5,
            min_days_between: 14,
            tier_fatigue: BTreeMap::from([("DIAMOND".to_owned(), 30), ("PLATINUM".to_owned(), 21)]),
            peak_end_at_most: 2.5,
            end_at_most: 2,
            nps_at_most: 6,
            baseline_window_days: 90,
            baseline_min_responses: 30,
            default_baseline: DEFAULT_BASELINE,
            alert_drop: 0.3,
            alert_min_responses: 5,
        }
    }
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyPolicy {
    values: PolicyValues,
    peak_weight: PeakWeight,
    fatigue: FatigueRule,
    follow_up: Thresholds,
    baseline: BaselineRule,
    alerts: AlertRule,
}

impl Default for SurveyPolicy {
    fn default() -> SurveyPolicy {
        SurveyPolicy::new(PolicyValues::default()).expect("the documented defaults are valid")
    }
}

impl SurveyPolicy {
    /// Checks every figure and names every refused one at once.
    pub fn new(values: PolicyValues) -> Result<SurveyPolicy, Vec<Violation>> {
        let mut found = Vec::new();
        let peak_weight = PeakWeight::new(values.peak_weight)
            .map_err(|e| found.push(e.at("peak_weight")))
            .ok();
        let fatigue = fatigue(&values, &mut found);
        let follow_up = Thresholds::new(
            values.peak_end_at_most,
            values.end_at_most,
            values.nps_at_most,
        )
        .map_err(|v| found.extend(v.into_iter().map(|v| v.under("follow_up"))))
        .ok();
        if !(1..=MAX_WINDOW_DAYS).contains(&values.baseline_window_days) {
            let reason = format!("must be 1 to {MAX_WINDOW_DAYS} days");
            found.push(Invalid::new(reason).at("baseline_window_days"));
        }
        let baseline = BaselineRule::new(values.baseline_min_responses)
            .map_err(|_| found.push(at_least_1("baseline_min_responses")))
            .ok();
        if !(1.0..=5.0).contains(&values.default_baseline) {
            found.push(Invalid::new("must be 1 to 5").at("default_baseline"));
        }
        let alerts = AlertRule::new(values.alert_drop, values.alert_min_responses)
            .map_err(|refused| {
                for v in refused {
                    let field = match v.field.as_str() {
                        "drop" => "alert_drop",
                        _ => "alert_min_responses",
                    };
                    found.push(Invalid::new(v.reason).at(field));
                }
            })
            .ok();
        match (peak_weight, fatigue, follow_up, baseline, alerts) {
            (Some(peak_weight), Some(fatigue), Some(follow_up), Some(baseline), Some(alerts))
                if found.is_empty() =>
            {
                Ok(SurveyPolicy {
                    values,
                    peak_weight,
                    fatigue,
                    follow_up,
                    baseline,
                    alerts,
                })
            }
            _ => Err(found),
        }
    }

    /// The figures it was made from.
    pub fn values(&self) -> &PolicyValues {
        &self.values
    }

    pub fn peak_weight(&self) -> PeakWeight {
        self.peak_weight
    }

    pub fn fatigue(&self) -> &FatigueRule {
        &self.fatigue
    }

    pub fn follow_up(&self) -> Thresholds {
        self.follow_up
    }

    pub fn baseline_rule(&self) -> BaselineRule {
        self.baseline
    }

    pub fn alerts(&self) -> AlertRule {
        self.alerts
    }

    /// How many days back a baseline looks.
    pub fn window_days(&self) -> u32 {
        self.values.baseline_window_days
    }

    /// A moment's baseline from its window: the window's mean once it holds
    /// `baseline_min_responses` scores, else this policy's `default_baseline`.
    pub fn baseline(&self, window: Tally) -> f64 {
        match window.mean() {
            Some(mean) if window.n >= self.values.baseline_min_responses => mean,
            _ => self.values.default_baseline,
        }
    }
}

fn at_least_1(field: &str) -> Violation {
    Invalid::new("must be at least 1").at(field)
}

/// The fatigue rule, its violations named as the contract lists tiers.
fn fatigue(values: &PolicyValues, found: &mut Vec<Violation>) -> Option<FatigueRule> {
    let mut rule = FatigueRule::new(values.min_days_between)
        .map_err(|v| found.push(v))
        .ok();
    for (tier, days) in &values.tier_fatigue {
        let base = rule.clone().unwrap_or_default();
        match base.with_tier(tier, *days) {
            Ok(next) => rule = rule.map(|_| next),
            Err(v) => {
                // The domain names `min_days_between.<TIER>`; the reason says which part.
                let part = if v.reason.starts_with("must be 1 to") {
                    "min_days_between"
                } else {
                    "tier"
                };
                found.push(Invalid::new(v.reason).at(format!("tier_fatigue[{tier}].{part}")));
            }
        }
    }
    rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_contracts() {
        let policy = SurveyPolicy::default();
        assert_eq!(policy.peak_weight().get(), 0.5);
        assert_eq!(policy.fatigue().min_days_for("DIAMOND"), 30);
        assert_eq!(policy.fatigue().min_days_for("PLATINUM"), 21);
        assert_eq!(policy.fatigue().min_days_for("GOLD"), 14);
        assert_eq!(policy.follow_up(), Thresholds::default());
        assert_eq!(policy.alerts(), AlertRule::default());
        assert_eq!(policy.window_days(), 90);
        assert_eq!(policy.baseline(Tally { n: 29, sum: 29 }), 4.0);
        assert_eq!(policy.baseline(Tally { n: 30, sum: 90 }), 3.0);
    }

    #[test]
    fn every_refused_figure_is_named_as_the_contract_names_it() {
        let values = PolicyValues {
            peak_weight: 1.5,
            min_days_between: 0,
            tier_fatigue: BTreeMap::from([("DIAMOND".into(), 400), ("gold".into(), 7)]),
            nps_at_most: 11,
            baseline_window_days: 0,
            baseline_min_responses: 0,
            default_baseline: 6.0,
            alert_drop: 0.0,
            alert_min_responses: 0,
            ..PolicyValues::default()
        };
        let refused = SurveyPolicy::new(values).unwrap_err();
        let fields: Vec<&str> = refused.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "peak_weight",
                "min_days_between",
                "tier_fatigue[DIAMOND].min_days_between",
                "tier_fatigue[gold].tier",
                "follow_up.nps_at_most",
                "baseline_window_days",
                "baseline_min_responses",
                "default_baseline",
                "alert_drop",
                "alert_min_responses",
            ]
        );
    }
}
