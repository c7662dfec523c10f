//! What a moment's score usually is, and when a hall or a staff member falls below it.
//!
//! A moment's baseline is its mean over a trailing window the caller chooses (say 90 days),
//! once that window holds enough scores to mean something; before that, a fixed default.
//! A group's week is compared with it: a mean more than `drop` below the baseline raises an
//! alert, but only over enough scores that one unhappy customer is not taken for a trend.

use std::collections::BTreeMap;

use vipcare_domain::{Invalid, Violation};

use super::codes::GroupBy;

/// The baseline of a moment with too few scores yet: "satisfied" on the 1-5 scale.
pub const DEFAULT_BASELINE: f64 = 4.0;

/// Scores of one moment, added up: additive, so days roll up into weeks and windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub n: u64,
    /// The sum of the integer scores.
    pub sum: u64,
}

impl Tally {
    pub fn add(&mut self, score: u8) {
        self.n += 1;
        self.sum += u64::from(score);
    }

    pub fn merge(&mut self, other: Tally) {
        self.n += other.n;
        self.sum += other.sum;
    }

    /// `None` without scores.
    pub fn mean(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }
}

/// How a baseline is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineRule {
    min_responses: u64,
}

impl Default for BaselineRule {
    /// 30 scores: a mean's noise falls to about a tenth of a point on a 1-5 scale.
    fn default() -> BaselineRule {
        BaselineRule { min_responses: 30 }
    }
}

impl BaselineRule {
    /// Violations name `min_responses`.
    pub fn new(min_responses: u64) -> Result<BaselineRule, Violation> {
        if min_responses == 0 {
            return Err(Invalid::new("must be at least 1").at("min_responses"));
        }
        Ok(BaselineRule { min_responses })
    }

    /// The window's mean when it has at least `min_responses` scores, else the default.
    pub fn baseline(self, window: Tally) -> f64 {
        match window.mean() {
            Some(mean) if window.n >= self.min_responses => mean,
            _ => DEFAULT_BASELINE,
        }
    }

    /// Every moment's baseline from its window's tally, by moment code.
    pub fn baselines(self, windows: &BTreeMap<String, Tally>) -> Baselines {
        Baselines {
            per_moment: windows
                .iter()
                .map(|(code, tally)| (code.clone(), self.baseline(*tally)))
                .collect(),
        }
    }
}

/// The baselines of a scenario's moments; a moment without scores gets the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baselines {
    per_moment: BTreeMap<String, f64>,
}

impl Baselines {
    pub fn of(&self, moment: &str) -> f64 {
        self.per_moment
            .get(moment)
            .copied()
            .unwrap_or(DEFAULT_BASELINE)
    }
}

/// When a group's week raises an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRule {
    drop: f64,
    min_scores: u64,
}

impl Default for AlertRule {
    /// 0.3 below the baseline, over at least 5 scores in the week: with fewer, a single 1
    /// among 4s is enough to fall 0.6 below, and a hall would be alerted for one customer.
    fn default() -> AlertRule {
        AlertRule {
            drop: 0.3,
            min_scores: 5,
        }
    }
}

/// A group's week of a moment, fallen below the moment's baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub moment: String,
    pub group_kind: GroupBy,
    pub group: String,
    pub mean: f64,
    pub baseline: f64,
    /// mean − baseline: below −drop.
    pub gap: f64,
    pub n: u64,
}

/// Scores are whole and baselines means, so a mean lands exactly `drop` below the baseline
/// often; float noise must not decide whether that alerts (it does not: "more than").
const EPSILON: f64 = 1e-9;

impl AlertRule {
    /// `drop` more than 0 and at most 4 (the scale's span), `min_scores` at least 1.
    /// Violations name `drop` and `min_scores`.
    pub fn new(drop: f64, min_scores: u64) -> Result<AlertRule, Vec<Violation>> {
        let mut found = Vec::new();
        if !(drop > 0.0 && drop <= 4.0) {
            found.push(Invalid::new("must be more than 0 and at most 4").at("drop"));
        }
        if min_scores == 0 {
            found.push(Invalid::new("must be at least 1").at("min_scores"));
        }
        if found.is_empty() {
            Ok(AlertRule { drop, min_scores })
        } else {
            Err(found)
        }
    }

    /// An alert when the group's `week` of `moment` has at least `min_scores` scores and a
    /// mean more than `drop` below `baseline`.
    pub fn check(
        self,
        moment: &str,
        group_kind: GroupBy,
        group: &str,
        week: Tally,
        baseline: f64,
    ) -> Option<Alert> {
        let mean = week.mean()?;
        let gap = mean - baseline;
        (week.n >= self.min_scores && gap < -self.drop - EPSILON).then(|| Alert {
            moment: moment.to_owned(),
            group_kind,
            group: group.to_owned(),
            mean,
            baseline,
            gap,
            n: week.n,
        })
    }
}

#[cfg(test)]
#[path = "baseline_tests.rs"]
mod tests;
