//! Churn risk, 0–1: the weighted signals of the "churn information support system" in
//! DOMAIN.md — spend falling (the last 3 months against the 3 before), a short tenure, a
//! suspended line, a low latest peak-end score (`satisfaction`) — each with the words that
//! explain it. The customer's recent service (complaints, work-log problems) is weighed in by
//! `service::with_service` where it is read; the risk a run evaluated is brought up to date
//! with the satisfaction read now by `satisfaction::with_satisfaction`.

use serde::{Deserialize, Serialize};

use super::money::{spend_above, yuan};
use super::satisfaction::satisfaction_reason;
use super::{ChurnRule, Invalid, LineStatus, ValueInputs, round};

/// One signal that raised the risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReason {
    /// "SPEND_DECLINE", "SHORT_TENURE", "SUSPENDED"; "LOW_SATISFACTION" and
    /// "SATISFACTION_NOT_CONSIDERED" from `satisfaction`; "COMPLAINTS" and
    /// "COMPLAINTS_NOT_CONSIDERED" from `service`.
    pub code: String,
    pub description: String,
    pub contribution: f64,
}

/// A risk and its reasons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChurnAssessment {
    pub score: f64,
    pub reasons: Vec<RiskReason>,
    /// At or above the rule's threshold.
    pub at_risk: bool,
}

/// The lowest risk a retention list asks for: 0 to 1, where 0 means the policy's threshold.
pub fn risk_floor(asked: f64) -> Result<Option<f64>, Invalid> {
    if !(0.0..=1.0).contains(&asked) {
        return Err(Invalid::new("must be 0 to 1"));
    }
    Ok((asked != 0.0).then_some(asked))
}

pub fn churn_risk(rule: &ChurnRule, inputs: &ValueInputs) -> ChurnAssessment {
    let mut reasons = Vec::new();
    let mut raise = |code: &str, description: String, contribution: f64| {
        if contribution > 0.0 {
            reasons.push(RiskReason {
                code: code.into(),
                description,
                contribution: round(contribution, 3),
            });
        }
    };
    let (before, recent) = (inputs.previous_arpu_3m_fen, inputs.arpu_3m_fen.max(0));
    if before > 0 && recent < before {
        let decline = spend_above(before, recent) as f64 * 100.0 / before as f64;
        if decline >= rule.spend_decline_min_percent {
            let share = (decline / rule.spend_decline_full_percent).min(1.0);
            raise(
                "SPEND_DECLINE",
                format!(
                    "spend fell {decline:.0}% ({} to {} a month, last 3 months against the 3 before)",
                    yuan(before),
                    yuan(recent)
                ),
                rule.spend_decline_weight * share,
            );
        }
    }
    if inputs.tenure_months < rule.short_tenure_months {
        raise(
            "SHORT_TENURE",
            format!(
                "on the network {} months (under {})",
                inputs.tenure_months, rule.short_tenure_months
            ),
            rule.short_tenure_weight,
        );
    }
    if inputs.status == LineStatus::Suspended {
        raise(
            "SUSPENDED",
            "line suspended for arrears".into(),
            rule.suspension_weight,
        );
    }
    reasons.extend(satisfaction_reason(rule, &inputs.satisfaction));
    assessed(rule, reasons)
}

/// The risk of `reasons`: their sum, at most 1, held to the threshold.
fn assessed(rule: &ChurnRule, reasons: Vec<RiskReason>) -> ChurnAssessment {
    let score = round(
        reasons.iter().map(|r| r.contribution).sum::<f64>().min(1.0),
        3,
    );
    ChurnAssessment {
        score,
        at_risk: score >= rule.threshold,
        reasons,
    }
}

/// `base` with the reasons `ours` picks replaced by `added`, and the risk summed again. When
/// there is nothing to replace or add, `base` exactly as computed (or as stored).
pub(super) fn reweighed(
    rule: &ChurnRule,
    base: &ChurnAssessment,
    ours: impl Fn(&RiskReason) -> bool,
    added: Vec<RiskReason>,
) -> ChurnAssessment {
    if added.is_empty() && !base.reasons.iter().any(&ours) {
        return base.clone();
    }
    let mut reasons: Vec<RiskReason> = base.reasons.iter().filter(|r| !ours(r)).cloned().collect();
    reasons.extend(added);
    assessed(rule, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TierPolicy;
    use crate::domain::score::tests::loyal;

    #[test]
    fn a_retention_list_asks_for_a_risk_of_0_to_1() {
        assert_eq!(risk_floor(0.0), Ok(None), "the policy's threshold");
        assert_eq!(risk_floor(0.4), Ok(Some(0.4)));
        for bad in [-0.1, 1.5, f64::NAN] {
            assert!(risk_floor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_steady_long_standing_customer_has_no_risk() {
        let risk = churn_risk(&TierPolicy::default().churn, &loyal());
        assert_eq!(risk, ChurnAssessment::default());
    }

    #[test]
    fn a_sharp_decline_with_short_tenure_is_at_risk() {
        let mut inputs = loyal();
        inputs.previous_arpu_3m_fen = 20_000;
        inputs.arpu_3m_fen = 10_000; // -50%: the decline's full weight
        inputs.tenure_months = 8;
        let risk = churn_risk(&TierPolicy::default().churn, &inputs);
        assert_eq!(risk.score, 0.8);
        assert!(risk.at_risk);
        let codes: Vec<_> = risk.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["SPEND_DECLINE", "SHORT_TENURE"]);
        assert!(risk.reasons[0].description.contains("50%"));
        assert!(risk.reasons[0].description.contains("¥200.00 to ¥100.00"));
    }

    #[test]
    fn corrupt_amounts_neither_panic_nor_wrap() {
        let mut inputs = loyal();
        inputs.previous_arpu_3m_fen = i64::MAX;
        inputs.arpu_3m_fen = i64::MIN;
        let risk = churn_risk(&TierPolicy::default().churn, &inputs);
        // A spend cannot fall by more than all of it.
        assert_eq!(risk.reasons[0].code, "SPEND_DECLINE");
        assert!(risk.reasons[0].description.starts_with("spend fell 100% "));
        assert_eq!(risk.reasons[0].contribution, 0.6);
    }

    #[test]
    fn small_declines_are_ignored_and_the_score_is_capped() {
        let rule = TierPolicy::default().churn;
        let mut inputs = loyal();
        inputs.previous_arpu_3m_fen = 10_000;
        inputs.arpu_3m_fen = 9_500;
        assert_eq!(churn_risk(&rule, &inputs).score, 0.0);

        inputs.arpu_3m_fen = 0;
        inputs.tenure_months = 1;
        inputs.status = LineStatus::Suspended;
        let risk = churn_risk(&rule, &inputs);
        assert_eq!(risk.score, 1.0);
        assert_eq!(risk.reasons.len(), 3);
    }
}
