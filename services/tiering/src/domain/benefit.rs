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

/// The catalogue a new installation starts with: the benefits of DOMAIN.md §2.
pub fn default_catalogue() -> Vec<Benefit> {
    const UP_FROM_SILVER: &[&str] = &["SILVER", "GOLD", "PLATINUM", "DIAMOND"];
    const UP_FROM_GOLD: &[&str] = &["GOLD", "PLATINUM", "DIAMOND"];
    const TOP: &[&str] = &["PLATINUM", "DIAMOND"];
    let benefit = |code: &str,
                   name: &str,
                   description: &str,
                   tiers: &[&str],
                   cycle: QuotaCycle,
                   quotas: &[(&str, i32)],
                   partners: &[&str]| Benefit {
        code: code.into(),
        name: name.into(),
        description: description.into(),
        eligible_tiers: tiers.iter().map(|t| t.to_string()).collect(),
        cycle,
        quota_per_tier: quotas.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
        partner_ids: partners.iter().map(|p| p.to_string()).collect(),
        active: true,
    };
    use QuotaCycle::{Month, Year};
    vec![
        benefit(
            "priority_hotline",
            "Priority hotline",
            "Calls to 10086 skip the queue.",
            UP_FROM_SILVER,
            Year,
            &[],
            &[],
        ),
        benefit(
            "account_manager",
            "Dedicated account manager",
            "A named account manager handles every request.",
            TOP,
            Year,
            &[],
            &[],
        ),
        benefit(
            "hall_vip_lane",
            "Hall VIP lane",
            "A dedicated window or VIP room in service halls.",
            UP_FROM_GOLD,
            Year,
            &[],
            &[],
        ),
        benefit(
            "airport_lounge",
            "Airport VIP lounge",
            "Partner lounges at major airports.",
            UP_FROM_GOLD,
            Year,
            &[("DIAMOND", 8), ("PLATINUM", 4), ("GOLD", 2)],
            &["airport-lounges"],
        ),
        benefit(
            "railway_vip_room",
            "Railway station VIP room",
            "Partner VIP rooms at high-speed railway stations.",
            UP_FROM_GOLD,
            Year,
            &[("DIAMOND", 8), ("PLATINUM", 4), ("GOLD", 2)],
            &["railway-vip-rooms"],
        ),
        benefit(
            "handset_repair",
            "Free handset repair",
            "Repairs at operator service points.",
            TOP,
            Year,
            &[("DIAMOND", 2), ("PLATINUM", 1)],
            &[],
        ),
        benefit(
            "birthday_care",
            "Birthday care",
            "A gift and a call on the customer's birthday.",
            UP_FROM_SILVER,
            Year,
            &[("DIAMOND", 1), ("PLATINUM", 1), ("GOLD", 1), ("SILVER", 1)],
            &[],
        ),
        benefit(
            "club_events",
            "VIP club events",
            "Invitations to member club events.",
            UP_FROM_GOLD,
            Year,
            &[("DIAMOND", 6), ("PLATINUM", 4), ("GOLD", 2)],
            &[],
        ),
        benefit(
            "merchant_discount",
            "Partner merchant discount",
            "Discounts at partner merchants.",
            UP_FROM_SILVER,
            Month,
            &[("PLATINUM", 10), ("GOLD", 5), ("SILVER", 2)],
            &["partner-merchants"],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lounge() -> Benefit {
        default_catalogue()
            .into_iter()
            .find(|b| b.code == "airport_lounge")
            .unwrap()
    }

    #[test]
    fn the_default_catalogue_is_valid() {
        let catalogue = default_catalogue();
        assert_eq!(catalogue.len(), 9);
        for b in &catalogue {
            assert_eq!(b.validate(&TierPolicy::default()), Ok(()), "{}", b.code);
        }
        assert_eq!(lounge().quota_for("DIAMOND"), Quota::Limited(8));
    }

    #[test]
    fn checks_name_the_first_refusal() {
        let b = lounge();
        let lounges = Some("airport-lounges");
        let ok = b.check("GOLD", LineStatus::Active, lounges, 1);
        assert!(ok.allowed());
        assert_eq!(ok.remaining, 1);
        let refusal = |tier, status, partner, used| b.check(tier, status, partner, used).refusal;
        assert_eq!(
            refusal("GOLD", LineStatus::Active, lounges, 2),
            Some(Refusal::QuotaExhausted)
        );
        assert_eq!(
            refusal("SILVER", LineStatus::Active, lounges, 0),
            Some(Refusal::NotEligibleTier)
        );
        assert_eq!(
            refusal("DIAMOND", LineStatus::Suspended, lounges, 0),
            Some(Refusal::CustomerSuspended)
        );
        assert_eq!(
            refusal("DIAMOND", LineStatus::Active, Some("merchants"), 0),
            Some(Refusal::PartnerNotAllowed)
        );
        // The operator's own channels need no partner.
        assert!(b.check("DIAMOND", LineStatus::Active, None, 0).allowed());
    }

    #[test]
    fn quotas_only_for_eligible_tiers_and_positive() {
        let mut b = lounge();
        b.quota_per_tier.insert("SILVER".into(), 1);
        b.quota_per_tier.insert("GOLD".into(), 0);
        let fields: Vec<_> = b
            .validate(&TierPolicy::default())
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["quota_per_tier[GOLD]", "quota_per_tier[SILVER]"]);
    }

    #[test]
    fn tiers_must_be_tiers_of_the_policy() {
        let mut b = lounge();
        b.eligible_tiers.push("GOLD_PLUS".into());
        b.quota_per_tier.insert("GOLD_PLUS".into(), 1);
        b.quota_per_tier.insert("RUBY".into(), 1);
        let refused = b.validate(&TierPolicy::default()).unwrap_err();
        let found: Vec<_> = refused
            .iter()
            .map(|v| (v.field.as_str(), v.reason.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("eligible_tiers[3]", NOT_IN_POLICY),
                ("quota_per_tier[GOLD_PLUS]", NOT_IN_POLICY),
                ("quota_per_tier[RUBY]", NOT_IN_POLICY),
            ]
        );
    }

    #[test]
    fn cycles_follow_the_shanghai_calendar() {
        let new_year_eve: DateTime<Utc> = "2026-12-31T16:30:00Z".parse().unwrap();
        assert_eq!(cycle_key(QuotaCycle::Year, new_year_eve), "2027");
        assert_eq!(cycle_key(QuotaCycle::Month, new_year_eve), "2027-01");
    }
}
