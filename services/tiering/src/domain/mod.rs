//! Tiering's rules, free of transport and storage: the versioned tier policy and its checks,
//! the 0–100 score with its components (satisfaction from the latest peak-end score), churn
//! risk, the decision an evaluation makes from the customer's standing, benefits with per-tier
//! quotas per cycle and their redemptions, and hotline priority. Every result carries the
//! plain-language reasons it was reached by. What a request may name (customers, periods, runs,
//! partners, override texts) is checked here too, so the gRPC layer only converts. Values the
//! store keeps as JSON derive serde here.

mod benefit;
mod catalogue;
mod churn;
mod codes;
mod customer;
mod decision;
mod inputs;
mod manual;
mod money;
mod policy;
mod record;
mod redemption;
mod satisfaction;
mod score;
mod service;

pub use benefit::{
    Balance, Benefit, Entitlement, Quota, QuotaCycle, Refusal, TierInUse, cycle_key,
    tiers_in_use_missing_from,
};
pub use catalogue::default_catalogue;
pub use churn::{ChurnAssessment, RiskReason, churn_risk, risk_floor};
pub use customer::{CustomerRef, customer_id, evaluable_period, mobile_number, run_id};
pub use decision::{Decision, Outcome, Standing, decide};
pub use inputs::{Basis, LineStatus, SpendTrend, ValueInputs, ValueSummary};
pub use manual::Override;
pub use policy::{ChurnRule, Scales, Tier, TierPolicy, Weights, routing_priority};
pub use record::{EXPIRY_ACTOR, PeriodBehind, TierChange, TierRecord};
pub use redemption::{PartnerRefused, Redeemed, Redemption, acting_partner};
pub use satisfaction::{
    DEFAULT_LOW_PEAK_END, LOW_SATISFACTION, NOT_CONSIDERED as SATISFACTION_NOT_CONSIDERED, PeakEnd,
    Satisfaction, SurveyAnswer, WINDOW_DAYS as SATISFACTION_WINDOW_DAYS, with_satisfaction,
};
pub use score::{ComponentKind, ComponentScore, Score, score};
pub use service::{
    COMPLAINTS, ComplaintFact, NOT_CONSIDERED, SERVICE_WINDOW_DAYS, ServiceSignals, with_service,
};
pub use vipcare_domain::{
    Clock, FixedClock, Invalid, Period, SystemClock, Violation, batch_ids, coded_enum, page_size,
};

/// Tier codes: 1–32 of A–Z, 0–9 and `_`, e.g. "GOLD".
pub fn tier_code(text: &str) -> Result<&str, Invalid> {
    code_shape(text, 32, |b| {
        b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
    })
    .map_err(|reason| Invalid::new(format!("{reason}: 1-32 of A-Z, 0-9 and _")))
}

/// Benefit codes: 1–48 of a–z, 0–9 and `_`, e.g. "airport_lounge".
pub fn benefit_code(text: &str) -> Result<&str, Invalid> {
    code_shape(text, 48, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
    })
    .map_err(|reason| Invalid::new(format!("{reason}: 1-48 of a-z, 0-9 and _")))
}

fn code_shape(text: &str, max: usize, allowed: impl Fn(u8) -> bool) -> Result<&str, &'static str> {
    if text.is_empty() {
        Err("required")
    } else if text.len() > max || !text.bytes().all(allowed) {
        Err("not a valid code")
    } else {
        Ok(text)
    }
}

/// Free text of 1 to `max` characters (trimmed), without control or bidirectional formatting
/// characters (the rule every service's free text follows).
pub fn bounded(text: &str, max: usize) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new("required"));
    }
    vipcare_domain::bounded_text(text, max)
}

/// Rounds for display and storage: scores to 2 decimals, risks to 3.
pub(crate) fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_a_strict_shape() {
        assert!(tier_code("GOLD").is_ok());
        assert!(tier_code("TIER_2").is_ok());
        for bad in ["", "gold", "GO LD", &"G".repeat(33)] {
            assert!(tier_code(bad).is_err(), "{bad:?}");
        }
        assert!(benefit_code("airport_lounge").is_ok());
        for bad in ["", "Airport", "lounge-1", &"a".repeat(49)] {
            assert!(benefit_code(bad).is_err(), "{bad:?}");
        }
    }
}
