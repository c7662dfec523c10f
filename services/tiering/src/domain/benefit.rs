//! The benefit catalogue and entitlement: which tiers may use a benefit, how many times per
//! calendar cycle (year or month on the operator's calendar), and through which partners. A
//! check names the first reason that refuses, in the order a front-line agent would explain it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

use super::codes::serde_by_code;
use super::{Invalid, LineStatus, TierPolicy, Violation, benefit_code, coded_enum, tier_code};

coded_enum! {
    QuotaCycle {
        Year = "YEAR",
        Month = "MONTH",
    }
}

coded_enum! {
    /// Why a benefit may not be used.
    Refusal {
        Inactive = "BENEFIT_INACTIVE",
        PartnerNotAllowed = "PARTNER_NOT_ALLOWED",
        CustomerSuspended = "CUSTOMER_SUSPENDED",
        NotEligibleTier = "NOT_ELIGIBLE_TIER",
        QuotaExhausted = "QUOTA_EXHAUSTED",
    }
}

serde_by_code!(QuotaCycle);

/// A benefit of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benefit {
    pub code: String,
    pub name: String,
    pub description: String,
    pub eligible_tiers: Vec<String>,
    pub cycle: QuotaCycle,
    /// Uses per cycle by tier; an eligible tier missing here has no limit.
    pub quota_per_tier: BTreeMap<String, i32>,
    /// Partners who may check and redeem it; empty: the operator's own channels only.
    pub partner_ids: Vec<String>,
    pub active: bool,
}

const NOT_IN_POLICY: &str = "not a tier of the policy in force";

/// A tier an active benefit names that `policy` lacks: adopting such a policy would leave the
/// benefit pointing at a tier nobody can reach (and its quotas unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierInUse {
    pub benefit: String,
    pub tier: String,
}

/// Every tier the active benefits of `catalogue` name that `policy` lacks.
pub fn tiers_in_use_missing_from(policy: &TierPolicy, catalogue: &[Benefit]) -> Vec<TierInUse> {
    let mut missing = Vec::new();
    for benefit in catalogue.iter().filter(|b| b.active) {
        let named = benefit
            .eligible_tiers
            .iter()
            .chain(benefit.quota_per_tier.keys());
        for tier in named {
            let seen = missing
                .iter()
                .any(|m: &TierInUse| m.benefit == benefit.code && m.tier == *tier);
            if policy.index_of(tier).is_none() && !seen {
                missing.push(TierInUse {
                    benefit: benefit.code.clone(),
                    tier: tier.clone(),
                });
            }
        }
    }
    missing
}

/// Uses a tier has per cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    Unlimited,
    Limited(i32),
}

/// The answer to "may this customer use this benefit now".
#[derive(Debug, Clone, PartialEq)]
pub struct Entitlement {
    pub refusal: Option<Refusal>,
    pub quota: Quota,
    pub used: i32,
    /// Left this cycle (0 when unlimited).
    pub remaining: i32,
    pub message: String,
}

impl Entitlement {
    pub fn allowed(&self) -> bool {
        self.refusal.is_none()
    }
}

/// What a tier has of a benefit in the current cycle, shown with the customer's tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    pub code: String,
    pub name: String,
    pub cycle: QuotaCycle,
    pub quota: Quota,
    pub used: i32,
    /// The cycle counted, "2026" or "2026-11".
    pub cycle_key: String,
}

impl Balance {
    /// Uses left this cycle (0 when unlimited).
    pub fn remaining(&self) -> i32 {
        match self.quota {
            Quota::Limited(n) => (n - self.used).max(0),
            Quota::Unlimited => 0,
        }
    }
}

impl Benefit {
    /// Every refused field, relative to the benefit. Tiers must be tiers of `policy` (the one
    /// in force): a benefit for a tier nobody can reach would be offered to no one, silently.
    pub fn validate(&self, policy: &TierPolicy) -> Result<(), Vec<Violation>> {
        let unknown = |tier: &str| tier_code(tier).is_ok() && policy.index_of(tier).is_none();
        let mut found = Vec::new();
        if let Err(e) = benefit_code(&self.code) {
            found.push(e.at("code"));
        }
        if let Err(e) = super::bounded(&self.name, 64) {
            found.push(e.at("name"));
        }
        if let Err(e) = vipcare_domain::bounded_text(&self.description, 500) {
            found.push(e.at("description"));
        }
        if self.eligible_tiers.is_empty() {
            found.push(Invalid::new("at least one tier is required").at("eligible_tiers"));
        }
        for (i, tier) in self.eligible_tiers.iter().enumerate() {
            if let Err(e) = tier_code(tier) {
                found.push(e.at(format!("eligible_tiers[{i}]")));
            } else if unknown(tier) {
                found.push(Invalid::new(NOT_IN_POLICY).at(format!("eligible_tiers[{i}]")));
            }
        }
        for (tier, quota) in &self.quota_per_tier {
            if let Err(e) = tier_code(tier) {
                found.push(e.at(format!("quota_per_tier[{tier}]")));
            } else if unknown(tier) {
                found.push(Invalid::new(NOT_IN_POLICY).at(format!("quota_per_tier[{tier}]")));
            } else if !self.eligible_tiers.contains(tier) {
                found.push(
                    Invalid::new("a quota for a tier that is not eligible")
                        .at(format!("quota_per_tier[{tier}]")),
                );
            } else if *quota <= 0 {
                found.push(
                    Invalid::new("must be at least 1 (leave the tier out for no limit)")
                        .at(format!("quota_per_tier[{tier}]")),
                );
            }
        }
        for (i, partner) in self.partner_ids.iter().enumerate() {
            if let Err(e) = super::bounded(partner, 64) {
                found.push(e.at(format!("partner_ids[{i}]")));
            }
        }
        if found.is_empty() { Ok(()) } else { Err(found) }
    }

    pub fn quota_for(&self, tier: &str) -> Quota {
        match self.quota_per_tier.get(tier) {
            Some(n) => Quota::Limited(*n),
            None => Quota::Unlimited,
        }
    }

    pub fn eligible(&self, tier: &str) -> bool {
        self.eligible_tiers.iter().any(|t| t == tier)
    }

    /// What `tier` has of it in the cycle `cycle_key`, having used `used`.
    pub fn balance(&self, tier: &str, used: i32, cycle_key: String) -> Balance {
        Balance {
            code: self.code.clone(),
            name: self.name.clone(),
            cycle: self.cycle,
            quota: self.quota_for(tier),
            used,
            cycle_key,
        }
    }

    /// May a customer of `tier`, with `used` units used this cycle, use it through `partner`
    /// (None for the operator's own channels)?
    pub fn check(
        &self,
        tier: &str,
        status: LineStatus,
        partner: Option<&str>,
        used: i32,
    ) -> Entitlement {
        let quota = self.quota_for(tier);
        let remaining = match quota {
            Quota::Limited(n) => (n - used).max(0),
            Quota::Unlimited => 0,
        };
        let refusal = if !self.active {
            Some((
                Refusal::Inactive,
                format!("{} is not offered at the moment", self.name),
            ))
        } else if let Some(p) = partner.filter(|p| !self.partner_ids.iter().any(|id| id == p)) {
            Some((
                Refusal::PartnerNotAllowed,
                format!("partner {p} does not provide {}", self.name),
            ))
        } else if status == LineStatus::Suspended || status == LineStatus::Closed {
            Some((
                Refusal::CustomerSuspended,
                "the customer's line is suspended or closed".to_owned(),
            ))
        } else if !self.eligible(tier) {
            Some((
                Refusal::NotEligibleTier,
                format!(
                    "{} is for {}; the customer is {tier}",
                    self.name,
                    self.eligible_tiers.join(", ")
                ),
            ))
        } else if matches!(quota, Quota::Limited(n) if used >= n) {
            Some((
                Refusal::QuotaExhausted,
                format!(
                    "all {used} uses of {} this {} are taken",
                    self.name,
                    self.cycle_word()
                ),
            ))
        } else {
            None
        };
        let (refusal, message) = match refusal {
            Some((r, m)) => (Some(r), m),
            None => (
                None,
                match quota {
                    Quota::Unlimited => format!("{} may be used without limit", self.name),
                    Quota::Limited(_) => {
                        format!("{remaining} left this {}", self.cycle_word())
                    }
                },
            ),
        };
        Entitlement {
            refusal,
            quota,
            used,
            remaining,
            message,
        }
    }

    fn cycle_word(&self) -> &'static str {
        match self.cycle {
            QuotaCycle::Year => "year",
            QuotaCycle::Month => "month",
        }
    }
}

/// The cycle `now` falls in on the operator's calendar: "2026" or "2026-11".
pub fn cycle_key(cycle: QuotaCycle, now: DateTime<Utc>) -> String {
    let local = now.with_timezone(&Shanghai);
    match cycle {
        QuotaCycle::Year => format!("{:04}", local.year()),
        QuotaCycle::Month => format!("{:04}-{:02}", local.year(), local.month()),
    }
}

#[cfg(test)]
#[path = "benefit_tests.rs"]
mod tests;
