//! `Benefit`, `BenefitBalance`, `Redemption` and the entitlement reason: the catalogue as
//! clients write and read it, and the uses of it. A redemption also comes back from its
//! message once: the answers stored before redemptions were kept as domain values.

use vipcare_proto::common::v1::Channel;
use vipcare_proto::tiering::v1 as pb;

use super::{time_from_proto, timestamp};
use crate::domain::{
    Balance, Benefit, Invalid, Quota, QuotaCycle, Redeemed, Redemption, Refusal, Violation,
};

/// The benefit a message describes, or a violation naming `cycle` when the cycle is missing
/// or unknown. Its other fields are checked by the domain against the policy in force.
pub fn benefit_from_proto(message: &pb::Benefit) -> Result<Benefit, Violation> {
    let pb::Benefit {
        code,
        name,
        description,
        eligible_tiers,
        cycle,
        quota_per_tier,
        partner_ids,
        active,
    } = message;
    let cycle = match pb::QuotaCycle::try_from(*cycle) {
        Ok(pb::QuotaCycle::Year) => QuotaCycle::Year,
        Ok(pb::QuotaCycle::Month) => QuotaCycle::Month,
        Ok(pb::QuotaCycle::Unspecified) | Err(_) => {
            return Err(Invalid::new("YEAR or MONTH is required").at("cycle"));
        }
    };
    Ok(Benefit {
        code: code.clone(),
        name: name.clone(),
        description: description.clone(),
        eligible_tiers: eligible_tiers.clone(),
        cycle,
        quota_per_tier: quota_per_tier
            .iter()
            .map(|(tier, n)| (tier.clone(), *n))
            .collect(),
        partner_ids: partner_ids.clone(),
        active: *active,
    })
}

pub fn benefit_to_proto(benefit: &Benefit) -> pb::Benefit {
    let Benefit {
        code,
        name,
        description,
        eligible_tiers,
        cycle,
        quota_per_tier,
        partner_ids,
        active,
    } = benefit;
    pb::Benefit {
        code: code.clone(),
        name: name.clone(),
        description: description.clone(),
        eligible_tiers: eligible_tiers.clone(),
        cycle: cycle_to_proto(*cycle) as i32,
        quota_per_tier: quota_per_tier
            .iter()
            .map(|(tier, n)| (tier.clone(), *n))
            .collect(),
        partner_ids: partner_ids.clone(),
        active: *active,
    }
}

pub fn cycle_to_proto(cycle: QuotaCycle) -> pb::QuotaCycle {
    match cycle {
        QuotaCycle::Year => pb::QuotaCycle::Year,
        QuotaCycle::Month => pb::QuotaCycle::Month,
    }
}

pub fn balance_to_proto(balance: &Balance) -> pb::BenefitBalance {
    let Balance {
        code,
        name,
        cycle,
        quota,
        used,
        cycle_key,
    } = balance;
    pb::BenefitBalance {
        code: code.clone(),
        name: name.clone(),
        cycle: cycle_to_proto(*cycle) as i32,
        unlimited: *quota == Quota::Unlimited,
        quota: match quota {
            Quota::Limited(n) => *n,
            Quota::Unlimited => 0,
        },
        used: *used,
        remaining: balance.remaining(),
        cycle_key: cycle_key.clone(),
    }
}

pub fn refusal_to_proto(refusal: Option<Refusal>) -> pb::EntitlementReason {
    match refusal {
        None => pb::EntitlementReason::Ok,
        Some(Refusal::Inactive) => pb::EntitlementReason::BenefitInactive,
        Some(Refusal::PartnerNotAllowed) => pb::EntitlementReason::PartnerNotAllowed,
        Some(Refusal::CustomerSuspended) => pb::EntitlementReason::CustomerSuspended,
        Some(Refusal::NotEligibleTier) => pb::EntitlementReason::NotEligibleTier,
        Some(Refusal::QuotaExhausted) => pb::EntitlementReason::QuotaExhausted,
    }
}

pub fn redemption_to_proto(redemption: &Redemption) -> pb::Redemption {
    let Redemption {
        redemption_id,
        customer_id,
        benefit_code,
        partner_id,
        cycle_key,
        tier,
        client,
        channel,
        request_id,
        redeem_time,
    } = redemption;
    pb::Redemption {
        redemption_id: redemption_id.clone(),
        customer_id: customer_id.clone(),
        benefit_code: benefit_code.clone(),
        partner_id: partner_id.clone(),
        cycle_key: cycle_key.clone(),
        tier: tier.clone(),
        client: client.clone(),
        redeem_time: Some(timestamp(*redeem_time)),
        request_id: request_id.clone(),
        // The gateway's channel names are the enum's, lower case and without the prefix.
        channel: Channel::from_str_name(&format!("CHANNEL_{}", channel.to_uppercase()))
            .unwrap_or(Channel::Unspecified) as i32,
    }
}

pub fn redeemed_to_proto(redeemed: &Redeemed) -> pb::RedeemBenefitResponse {
    let Redeemed {
        redemption,
        remaining,
        unlimited,
    } = redeemed;
    pb::RedeemBenefitResponse {
        redemption: Some(redemption_to_proto(redemption)),
        remaining: *remaining,
        unlimited: *unlimited,
    }
}

/// A stored redemption answer from before they were domain values; None if it has no
/// redemption or a time no answer could have carried.
pub fn redeemed_from_proto(answer: &pb::RedeemBenefitResponse) -> Option<Redeemed> {
    let pb::RedeemBenefitResponse {
        redemption,
        remaining,
        unlimited,
    } = answer;
    Some(Redeemed {
        redemption: redemption_from_proto(redemption.as_ref()?)?,
        remaining: *remaining,
        unlimited: *unlimited,
    })
}

/// A redemption from its message; None without a valid time.
pub fn redemption_from_proto(message: &pb::Redemption) -> Option<Redemption> {
    let pb::Redemption {
        redemption_id,
        customer_id,
        benefit_code,
        partner_id,
        cycle_key,
        tier,
        client,
        redeem_time,
        request_id,
        channel,
    } = message;
    let channel = match Channel::try_from(*channel).unwrap_or(Channel::Unspecified) {
        Channel::Unspecified => String::new(),
        known => known
            .as_str_name()
            .trim_start_matches("CHANNEL_")
            .to_lowercase(),
    };
    Some(Redemption {
        redemption_id: redemption_id.clone(),
        customer_id: customer_id.clone(),
        benefit_code: benefit_code.clone(),
        partner_id: partner_id.clone(),
        cycle_key: cycle_key.clone(),
        tier: tier.clone(),
        client: client.clone(),
        channel,
        request_id: request_id.clone(),
        redeem_time: time_from_proto(redeem_time.as_ref()?).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::default_catalogue;

    #[test]
    fn the_catalogue_round_trips() {
        for benefit in default_catalogue() {
            let message = benefit_to_proto(&benefit);
            assert_eq!(benefit_from_proto(&message), Ok(benefit));
        }
    }

    #[test]
    fn a_benefit_needs_a_known_cycle() {
        let mut message = benefit_to_proto(&default_catalogue()[0]);
        for cycle in [0, 3, -1] {
            message.cycle = cycle;
            assert_eq!(benefit_from_proto(&message).unwrap_err().field, "cycle");
        }
    }

    #[test]
    fn a_redemption_answer_round_trips_with_its_channel() {
        for channel in ["hall", "partner", "account_manager", ""] {
            let redeemed = Redeemed {
                redemption: Redemption {
                    redemption_id: "r-1".into(),
                    customer_id: "c-1".into(),
                    benefit_code: "airport_lounge".into(),
                    partner_id: String::new(),
                    cycle_key: "2026".into(),
                    tier: "GOLD".into(),
                    client: "hall-app".into(),
                    channel: channel.into(),
                    request_id: "visit-1".into(),
                    redeem_time: "2026-06-15T04:00:00Z".parse().unwrap(),
                },
                remaining: 1,
                unlimited: false,
            };
            let message = redeemed_to_proto(&redeemed);
            assert_eq!(redeemed_from_proto(&message), Some(redeemed));
        }
    }
}
