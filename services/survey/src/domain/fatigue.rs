//! Survey fatigue: a customer is invited at most once per so many days. The gap goes by tier,
//! and the top tiers get the *longest* gap — "fewer invitations for DIAMOND": they meet the
//! operator most often (account managers, halls, events), so would be asked most, and a VIP
//! who feels pestered is the opposite of what the survey is for. Defaults: DIAMOND 30 days,
//! PLATINUM 21, every other tier 14.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation};

/// The longest gap a tier may be given: beyond a year a survey is no longer a habit.
pub const MAX_DAYS_BETWEEN: u32 = 365;

/// The least number of days between two invitations of one customer, per tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FatigueRule {
    default_days: u32,
    per_tier: BTreeMap<String, u32>,
}

impl Default for FatigueRule {
    fn default() -> FatigueRule {
        FatigueRule {
            default_days: 14,
            per_tier: BTreeMap::from([("DIAMOND".to_owned(), 30), ("PLATINUM".to_owned(), 21)]),
        }
    }
}

/// The customer was invited too recently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invited on {} and surveyed at most once every {min_days} days: next invitation from {}",
    last_invited_at.format("%Y-%m-%d"),
    next_allowed_at.format("%Y-%m-%d %H:%M UTC")
)]
pub struct TooSoon {
    pub last_invited_at: DateTime<Utc>,
    pub next_allowed_at: DateTime<Utc>,
    pub min_days: u32,
}

fn days(value: u32) -> Result<u32, Invalid> {
    if (1..=MAX_DAYS_BETWEEN).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new(format!(
            "must be 1 to {MAX_DAYS_BETWEEN} days"
        )))
    }
}

impl FatigueRule {
    /// `min_days_between` days for every tier, none listed. Violations name `min_days_between`.
    pub fn new(min_days_between: u32) -> Result<FatigueRule, Violation> {
        Ok(FatigueRule {
            default_days: days(min_days_between).map_err(|e| e.at("min_days_between"))?,
            per_tier: BTreeMap::new(),
        })
    }

    /// `min_days` for `tier`. Violations name `min_days_between.<TIER>`.
    pub fn with_tier(mut self, tier: &str, min_days: u32) -> Result<FatigueRule, Violation> {
        let field = format!("min_days_between.{tier}");
        let tier = vipcare_domain::tier_code(tier)
            .map_err(|e| e.at(field.clone()))?
            .to_owned();
        let min_days = days(min_days).map_err(|e| e.at(field))?;
        self.per_tier.insert(tier, min_days);
        Ok(self)
    }

    pub fn min_days_for(&self, tier: &str) -> u32 {
        self.per_tier
            .get(tier)
            .copied()
            .unwrap_or(self.default_days)
    }

    /// Whether a customer of `tier`, last invited at `last_invited_at` (`None`: never), may be
    /// invited `now`: at least the tier's days after the last invitation.
    pub fn decide(
        &self,
        last_invited_at: Option<DateTime<Utc>>,
        tier: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TooSoon> {
        let Some(last_invited_at) = last_invited_at else {
            return Ok(());
        };
        let min_days = self.min_days_for(tier);
        let next_allowed_at = last_invited_at + TimeDelta::days(i64::from(min_days));
        if now >= next_allowed_at {
            Ok(())
        } else {
            Err(TooSoon {
                last_invited_at,
                next_allowed_at,
                min_days,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_customer_never_invited_may_be() {
        assert_eq!(
            FatigueRule::default().decide(None, "DIAMOND", at(1, 9)),
            Ok(())
        );
    }

    #[test]
    fn the_top_tiers_wait_longest() {
        let rule = FatigueRule::default();
        assert_eq!(rule.min_days_for("DIAMOND"), 30);
        assert_eq!(rule.min_days_for("PLATINUM"), 21);
        assert_eq!(rule.min_days_for("GOLD"), 14);
        assert_eq!(rule.decide(Some(at(1, 9)), "GOLD", at(15, 9)), Ok(()));
        let refused = rule
            .decide(Some(at(1, 9)), "DIAMOND", at(15, 9))
            .unwrap_err();
        assert_eq!(refused.next_allowed_at, at(31, 9));
        assert_eq!(refused.min_days, 30);
        assert_eq!(
            refused.to_string(),
            "invited on 2026-03-01 and surveyed at most once every 30 days: \
             next invitation from 2026-03-31 09:00 UTC"
        );
    }

    #[test]
    fn the_gap_is_counted_to_the_hour() {
        let rule = FatigueRule::default();
        assert!(rule.decide(Some(at(1, 9)), "GOLD", at(15, 8)).is_err());
        assert!(rule.decide(Some(at(1, 9)), "GOLD", at(15, 9)).is_ok());
    }

    #[test]
    fn days_are_1_to_365_and_tiers_are_codes() {
        assert_eq!(FatigueRule::new(0).unwrap_err().field, "min_days_between");
        assert!(FatigueRule::new(365).is_ok());
        let refused = FatigueRule::default()
            .with_tier("DIAMOND", 366)
            .unwrap_err();
        assert_eq!(refused.field, "min_days_between.DIAMOND");
        let refused = FatigueRule::default().with_tier("diamond", 30).unwrap_err();
        assert_eq!(refused.field, "min_days_between.diamond");
        let rule = FatigueRule::new(10).unwrap().with_tier("GOLD", 7).unwrap();
        assert_eq!(
            (rule.min_days_for("GOLD"), rule.min_days_for("DIAMOND")),
            (7, 10)
        );
    }
}
