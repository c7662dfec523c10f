//! The customer's satisfaction as the survey service keeps it: their latest peak-end score
//! (1–5: how the key moments and the end of a service felt, DOMAIN.md), with the day it was
//! given. It earns the score's SATISFACTION component ((peak-end − 1) / 4 of its points: 1 earns
//! none, 5 all) and, at or under the churn rule's `low_satisfaction_max_peak_end`, raises churn
//! risk (LOW_SATISFACTION).
//!
//! Only a score given in the [`WINDOW_DAYS`] days before the evaluation counts. A feeling about
//! one service a year ago says little about the customer today, and counting it for ever would
//! let one bad evening mark a customer down for good. An older score is taken as none: the
//! component's weight is shared among the others, exactly as for a customer never asked, so
//! nobody is marked down for data nobody has. The survey keeps only the latest score, so an
//! earlier period evaluated again is weighed with the latest one known.
//!
//! A single read the survey service did not answer is scored without it too, and says so
//! ([`NOT_CONSIDERED`]); an evaluation run waits for the survey instead (see `batch`).

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

use super::churn::reweighed;
use super::codes::millis;
use super::{ChurnAssessment, ChurnRule, RiskReason, round};

/// How far back a peak-end score counts.
pub const WINDOW_DAYS: i64 = 365;

/// The reason a low latest peak-end raises the risk by.
pub const LOW_SATISFACTION: &str = "LOW_SATISFACTION";
/// The reason that says the survey service did not answer (it adds nothing).
pub const NOT_CONSIDERED: &str = "SATISFACTION_NOT_CONSIDERED";

/// The highest peak-end that is low when the policy does not say (its clients predate it).
pub const DEFAULT_LOW_PEAK_END: f64 = 2.5;

/// A peak-end score and when it was given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeakEnd {
    /// 1 to 5.
    pub value: f64,
    #[serde(with = "millis")]
    pub given: DateTime<Utc>,
}

impl PeakEnd {
    /// A score as the survey service gave it; `None` for one outside 1–5 (a broken contract:
    /// better no input than a wrong one).
    pub fn of(value: f64, given: DateTime<Utc>) -> Option<PeakEnd> {
        (1.0..=5.0)
            .contains(&value)
            .then_some(PeakEnd { value, given })
    }
}

impl std::fmt::Display for PeakEnd {
    /// "latest peak-end 1.5 of 5 on 2026-11-30" (the operator's calendar day).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "latest peak-end {} of 5 on {}",
            round(self.value, 2),
            self.given.with_timezone(&Shanghai).format("%Y-%m-%d")
        )
    }
}

/// What the survey service answered about a customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SurveyAnswer {
    /// Their latest peak-end score; `None` when they never gave one.
    Latest(Option<PeakEnd>),
    /// The service failed or was too slow.
    Unavailable,
}

/// The satisfaction a score and a churn risk are computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Satisfaction {
    /// The latest peak-end score, given within the window.
    Counted(PeakEnd),
    /// None that counts: never given (`None`), or the latest is older than the window.
    Uncounted(Option<PeakEnd>),
    /// The survey service did not answer.
    Unread,
}

impl Satisfaction {
    /// What `answer` counts for in an evaluation at `now`.
    pub fn judged(answer: SurveyAnswer, now: DateTime<Utc>) -> Satisfaction {
        match answer {
            SurveyAnswer::Unavailable => Satisfaction::Unread,
            SurveyAnswer::Latest(None) => Satisfaction::Uncounted(None),
            SurveyAnswer::Latest(Some(latest)) => {
                if now - latest.given > TimeDelta::days(WINDOW_DAYS) {
                    Satisfaction::Uncounted(Some(latest))
                } else {
                    Satisfaction::Counted(latest)
                }
            }
        }
    }

    /// The component's fraction, 0–1; `None` without a score that counts.
    pub fn fraction(&self) -> Option<f64> {
        match self {
            Satisfaction::Counted(pe) => Some(((pe.value - 1.0) / 4.0).clamp(0.0, 1.0)),
            Satisfaction::Uncounted(_) | Satisfaction::Unread => None,
        }
    }
}

impl std::fmt::Display for Satisfaction {
    /// The component's input in words.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHARED: &str = "its weight is shared among the other components";
        match self {
            Satisfaction::Counted(pe) => write!(f, "{pe} (full points at 5)"),
            Satisfaction::Uncounted(None) => write!(f, "no survey scores yet: {SHARED}"),
            Satisfaction::Uncounted(Some(pe)) => {
                write!(f, "{pe} is older than {WINDOW_DAYS} days: {SHARED}")
            }
            Satisfaction::Unread => write!(f, "the survey service did not answer: {SHARED}"),
        }
    }
}

/// `base` (a risk as evaluated) with `satisfaction` as it is now: the satisfaction reasons
/// `base` carries are replaced, the risk summed again and held to the threshold.
pub fn with_satisfaction(
    rule: &ChurnRule,
    base: &ChurnAssessment,
    satisfaction: &Satisfaction,
) -> ChurnAssessment {
    let ours = |r: &RiskReason| r.code == LOW_SATISFACTION || r.code == NOT_CONSIDERED;
    let added = satisfaction_reason(rule, satisfaction)
        .into_iter()
        .collect();
    reweighed(rule, base, ours, added)
}

/// The churn reason satisfaction gives, if any. A peak-end at the rule's limit weighs half of
/// `low_satisfaction_weight`, one of 1 (the worst) all of it: the unhappier, the likelier to go.
pub fn satisfaction_reason(rule: &ChurnRule, satisfaction: &Satisfaction) -> Option<RiskReason> {
    match satisfaction {
        Satisfaction::Counted(pe) if pe.value <= rule.low_satisfaction_max_peak_end => {
            let limit = rule.low_satisfaction_max_peak_end;
            let depth = if limit > 1.0 {
                (limit - pe.value) / (limit - 1.0)
            } else {
                1.0
            };
            let contribution = rule.low_satisfaction_weight * (0.5 + 0.5 * depth.clamp(0.0, 1.0));
            (contribution > 0.0).then(|| RiskReason {
                code: LOW_SATISFACTION.into(),
                description: format!("{pe} ({} or under is low)", round(limit, 2)),
                contribution: round(contribution, 3),
            })
        }
        Satisfaction::Counted(_) | Satisfaction::Uncounted(_) => None,
        Satisfaction::Unread => Some(RiskReason {
            code: NOT_CONSIDERED.into(),
            description: "the latest satisfaction not considered: the survey service did not \
                          answer"
                .into(),
            contribution: 0.0,
        }),
    }
}

#[cfg(test)]
#[path = "satisfaction_tests.rs"]
mod tests;
