//! `CustomerTier`, `TierOverride`, `TierChange` and `TierChangeEvent`: a customer's tier as
//! agents see it, its history, and the notice the customer is sent when it changes.

use chrono::{DateTime, Utc};
use vipcare_proto::tiering::v1 as pb;

use super::{decision_to_proto, timestamp};
use crate::domain::{Override, Period, TierChange, TierPolicy, TierRecord};

/// The tier of a customer under `policy`: from the record, or at the lowest tier for a
/// customer never evaluated (whose next review is the current period).
pub fn customer_tier_to_proto(
    policy: &TierPolicy,
    customer_id: &str,
    record: Option<&TierRecord>,
    now: DateTime<Utc>,
    current: Period,
) -> pb::CustomerTier {
    let fresh;
    let record = match record {
        Some(r) => r,
        None => {
            fresh = TierRecord::new(customer_id, &policy.lowest().code, now);
            &fresh
        }
    };
    let tier = record.effective_tier(now).to_owned();
    let manual = record.manual.as_ref().filter(|o| o.in_force(now));
    let evaluated = record.last_period.is_some();
    pb::CustomerTier {
        customer_id: customer_id.to_owned(),
        display_name: policy
            .tier(&tier)
            .map_or_else(|| tier.clone(), |t| t.display_name.clone()),
        since: match manual {
            Some(o) => Some(timestamp(o.create_time)),
            None if evaluated => Some(timestamp(record.since)),
            None => None,
        },
        next_review_period: record.last_period.map_or(current, Period::next).to_string(),
        r#override: manual.map(override_to_proto),
        evaluated_tier: record.standing.tier.clone(),
        score: record.score,
        last_period: record
            .last_period
            .map(|p| p.to_string())
            .unwrap_or_default(),
        periods_below: record.standing.periods_below,
        retention_flag: record.retention_flag,
        tier,
    }
}

pub fn override_to_proto(manual: &Override) -> pb::TierOverride {
    let Override {
        tier,
        reason,
        actor,
        expire_time,
        create_time,
    } = manual;
    pb::TierOverride {
        tier: tier.clone(),
        reason: reason.clone(),
        actor: actor.clone(),
        expire_time: expire_time.map(timestamp),
        create_time: Some(timestamp(*create_time)),
    }
}

pub fn change_to_proto(change: &TierChange) -> pb::TierChange {
    let TierChange {
        customer_id,
        old_tier,
        new_tier,
        decision,
        reason,
        period,
        actor,
        client,
        change_time,
    } = change;
    pb::TierChange {
        customer_id: customer_id.clone(),
        old_tier: old_tier.clone(),
        new_tier: new_tier.clone(),
        decision: decision_to_proto(*decision) as i32,
        reason: reason.clone(),
        period: period.map(|p| p.to_string()).unwrap_or_default(),
        actor: actor.clone(),
        client: client.clone(),
        change_time: Some(timestamp(*change_time)),
    }
}

/// The notice of a change, with the tiers' names under the policy it was made by.
pub fn notice_to_proto(change: &TierChange, policy: &TierPolicy) -> pb::TierChangeEvent {
    let name = |code: &str| {
        policy
            .tier(code)
            .map(|t| t.display_name.clone())
            .unwrap_or_default()
    };
    pb::TierChangeEvent {
        change: Some(change_to_proto(change)),
        old_display_name: name(&change.old_tier),
        new_display_name: name(&change.new_tier),
    }
}
