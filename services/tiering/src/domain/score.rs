//! The 0–100 score. Each component earns a fraction (0–1) of its input's full scale; its points
//! are that fraction times its share of the weights. A component without an input
//! (satisfaction for a customer with no peak-end score of the last year, see `satisfaction`)
//! is left out and its weight is shared among the others, so a customer is never marked down
//! for data nobody has.

use super::money::yuan;
use super::{LineStatus, Period, Satisfaction, TierPolicy, ValueInputs, coded_enum, round};

coded_enum! {
    ComponentKind {
        Contribution = "CONTRIBUTION",
        Tenure = "TENURE",
        Loyalty = "LOYALTY",
        Influence = "INFLUENCE",
        Satisfaction = "SATISFACTION",
    }
}

/// What a component was scored from. Kept as data and put in words only when shown: a run
/// scores hundreds of thousands of customers and explains none of them until asked.
#[derive(Debug, Clone, PartialEq)]
pub enum ComponentInput {
    Contribution {
        arpu_6m_fen: i64,
        full_fen: i64,
    },
    Tenure {
        months: i32,
        full_months: i32,
    },
    Loyalty {
        no_arrears: bool,
        months_billed: i32,
        /// Of the 12 calendar months before `as_of`, those on the network.
        months_counted: i32,
        as_of: Option<Period>,
    },
    Influence {
        key_person: bool,
        family_fen: i64,
        full_fen: i64,
        referrals: i32,
        full_referrals: i32,
    },
    /// The latest peak-end score, or why there is none that counts.
    Satisfaction(Satisfaction),
}

impl std::fmt::Display for ComponentInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ComponentInput::Contribution {
                arpu_6m_fen,
                full_fen,
            } => write!(
                f,
                "6-month ARPU {} (full points at {})",
                yuan(arpu_6m_fen),
                yuan(full_fen)
            ),
            ComponentInput::Tenure {
                months,
                full_months,
            } => write!(
                f,
                "{months} months on the network (full points at {full_months})"
            ),
            ComponentInput::Loyalty {
                no_arrears,
                months_billed,
                months_counted,
                as_of,
            } => {
                f.write_str(if no_arrears {
                    "no arrears; "
                } else {
                    "line not active (arrears or closed); "
                })?;
                billed_words(f, months_billed, months_counted, as_of)
            }
            ComponentInput::Influence {
                key_person,
                family_fen,
                full_fen,
                referrals,
                full_referrals,
            } => write!(
                f,
                "{}; family spend {} a month (full at {}); {referrals} referrals (full at \
                 {full_referrals})",
                if key_person {
                    "group key person"
                } else {
                    "not a group key person"
                },
                yuan(family_fen),
                yuan(full_fen)
            ),
            ComponentInput::Satisfaction(satisfaction) => satisfaction.fmt(f),
        }
    }
}

/// "billed in 9 of the 12 calendar months 2025-06 to 2026-05": the months named are exactly
/// those the share was taken of.
fn billed_words(
    f: &mut std::fmt::Formatter<'_>,
    billed: i32,
    counted: i32,
    as_of: Option<Period>,
) -> std::fmt::Result {
    let Some(as_of) = as_of else {
        return write!(f, "billed in {billed} of the last 12 months");
    };
    let last = as_of.previous();
    let back = |months: i32| (1..months).fold(last, |p, _| p.previous());
    match counted {
        ..=0 => write!(f, "no month on the network before {as_of} to be billed in"),
        12.. => write!(
            f,
            "billed in {billed} of the 12 calendar months {} to {last}",
            back(12)
        ),
        _ => {
            let first = back(counted);
            write!(
                f,
                "billed in {billed} of the {counted} calendar months {first} to {last} (on the \
                 network since {first})"
            )
        }
    }
}

/// How one component added to the score.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentScore {
    pub kind: ComponentKind,
    /// What it was scored from (`to_string()` puts it in words).
    pub input: ComponentInput,
    pub fraction: f64,
    /// Share of the weights in use, 0–1.
    pub weight: f64,
    pub points: f64,
    pub available: bool,
}

/// A score and its parts; the points add up to the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub total: f64,
    pub components: Vec<ComponentScore>,
}

/// Loyalty: no arrears is worth this much, the share of counted months billed the rest.
const NO_ARREARS_SHARE: f64 = 0.6;
/// Influence: a group key person, the family's spend, referrals.
const KEY_PERSON_SHARE: f64 = 0.4;
const HOUSEHOLD_SHARE: f64 = 0.4;
const REFERRAL_SHARE: f64 = 0.2;

fn ratio(value: f64, full: f64) -> f64 {
    if full <= 0.0 {
        return 0.0;
    }
    (value / full).clamp(0.0, 1.0)
}

/// Scores a customer under a policy.
pub fn score(policy: &TierPolicy, inputs: &ValueInputs) -> Score {
    let s = &policy.scales;
    let w = &policy.weights;
    let no_arrears = inputs.status == LineStatus::Active;
    let family_fen =
        super::money::spend_above(inputs.household_arpu_fen, inputs.arpu_3m_fen).max(0);
    let parts = [
        (
            ComponentKind::Contribution,
            w.contribution,
            ratio(
                inputs.arpu_6m_fen as f64,
                s.contribution_full_arpu_fen as f64,
            ),
            ComponentInput::Contribution {
                arpu_6m_fen: inputs.arpu_6m_fen,
                full_fen: s.contribution_full_arpu_fen,
            },
            true,
        ),
        (
            ComponentKind::Tenure,
            w.tenure,
            ratio(inputs.tenure_months as f64, s.tenure_full_months as f64),
            ComponentInput::Tenure {
                months: inputs.tenure_months,
                full_months: s.tenure_full_months,
            },
            true,
        ),
        (
            ComponentKind::Loyalty,
            w.loyalty,
            if no_arrears { NO_ARREARS_SHARE } else { 0.0 }
                + (1.0 - NO_ARREARS_SHARE)
                    * ratio(inputs.months_with_data as f64, inputs.months_counted as f64),
            ComponentInput::Loyalty {
                no_arrears,
                months_billed: inputs.months_with_data,
                months_counted: inputs.months_counted,
                as_of: inputs.as_of,
            },
            true,
        ),
        (
            ComponentKind::Influence,
            w.influence,
            if inputs.group_key_person {
                KEY_PERSON_SHARE
            } else {
                0.0
            } + HOUSEHOLD_SHARE * ratio(family_fen as f64, s.household_full_arpu_fen as f64)
                + REFERRAL_SHARE * ratio(inputs.referrals as f64, s.referrals_full as f64),
            ComponentInput::Influence {
                key_person: inputs.group_key_person,
                family_fen,
                full_fen: s.household_full_arpu_fen,
                referrals: inputs.referrals,
                full_referrals: s.referrals_full,
            },
            true,
        ),
        (
            ComponentKind::Satisfaction,
            w.satisfaction,
            inputs.satisfaction.fraction().unwrap_or(0.0),
            ComponentInput::Satisfaction(inputs.satisfaction),
            inputs.satisfaction.fraction().is_some(),
        ),
    ];
    let weight_in_use: f64 = parts.iter().filter(|p| p.4).map(|p| p.1.max(0.0)).sum();
    let components: Vec<ComponentScore> = parts
        .into_iter()
        .map(|(kind, weight, fraction, input, available)| {
            let share = if available && weight_in_use > 0.0 {
                weight.max(0.0) / weight_in_use
            } else {
                0.0
            };
            ComponentScore {
                kind,
                input,
                fraction: round(fraction, 4),
                weight: round(share, 4),
                points: round(fraction * share * 100.0, 2),
                available,
            }
        })
        .collect();
    let total = round(components.iter().map(|c| c.points).sum::<f64>(), 2).min(100.0);
    Score { total, components }
}

#[cfg(test)]
#[path = "score_tests.rs"]
pub(crate) mod tests;
