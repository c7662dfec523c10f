//! The catalogue a new installation starts with: the benefits of DOMAIN.md §2, with the
//! tiers, quotas and partners each is offered to.

use super::{Benefit, QuotaCycle};

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
