//! Domain values to and from the contract's messages. The store keeps policies, benefits,
//! churn reasons and run decisions as these encoded messages too, so what was stored reads back
//! exactly as clients see it.

use chrono::{DateTime, Utc};
use prost_types::Timestamp;
use vipcare_domain::time::timestamp_in_range;
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::tiering::v1 as pb;

use crate::domain::{
    Benefit, ChurnAssessment, ChurnRule, ComponentKind, ComponentScore, Decision, Invalid,
    LineStatus, Outcome, Override, Period, QuotaCycle, RiskReason, Scales, Score, Tier, TierPolicy,
    ValueInputs, Weights,
};

pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

/// A timestamp from a request, refused outside protobuf's valid range: stored, such a time
/// would make every later answer that shows it unreadable to JSON clients.
pub fn from_timestamp(t: &Timestamp) -> Result<DateTime<Utc>, Invalid> {
    timestamp_in_range(t.seconds, t.nanos)
}

pub fn policy_to_pb(p: &TierPolicy) -> pb::TierPolicy {
    let w = &p.weights;
    let s = &p.scales;
    let c = &p.churn;
    pb::TierPolicy {
        tiers: p
            .tiers
            .iter()
            .map(|t| pb::Tier {
                code: t.code.clone(),
                display_name: t.display_name.clone(),
                min_score: t.min_score,
                routing_priority: t.routing_priority,
            })
            .collect(),
        weights: Some(pb::ComponentWeights {
            contribution: w.contribution,
            tenure: w.tenure,
            loyalty: w.loyalty,
            influence: w.influence,
            satisfaction: w.satisfaction,
        }),
        scales: Some(pb::ScoreScales {
            contribution_full_arpu_fen: s.contribution_full_arpu_fen,
            tenure_full_months: s.tenure_full_months,
            household_full_arpu_fen: s.household_full_arpu_fen,
            referrals_full: s.referrals_full,
        }),
        downgrade_after_periods: p.downgrade_after_periods,
        downgrade_margin: p.downgrade_margin,
        churn: Some(pb::ChurnRule {
            threshold: c.threshold,
            spend_decline_weight: c.spend_decline_weight,
            spend_decline_min_percent: c.spend_decline_min_percent,
            spend_decline_full_percent: c.spend_decline_full_percent,
            short_tenure_weight: c.short_tenure_weight,
            short_tenure_months: c.short_tenure_months,
            suspension_weight: c.suspension_weight,
            complaint_weight: c.complaint_weight,
            low_satisfaction_weight: c.low_satisfaction_weight,
        }),
        key_person_priority_bonus: p.key_person_priority_bonus,
        version: 0,
        update_time: None,
        updated_by: String::new(),
    }
}

/// The policy a message describes; missing sections are all zero, which validation refuses
/// where zero is not allowed. Server-set fields (version, update time, author) are ignored.
pub fn policy_from_pb(p: &pb::TierPolicy) -> TierPolicy {
    let w = p.weights.unwrap_or_default();
    let s = p.scales.unwrap_or_default();
    let c = p.churn.unwrap_or_default();
    TierPolicy {
        tiers: p
            .tiers
            .iter()
            .map(|t| Tier {
                code: t.code.clone(),
                display_name: t.display_name.clone(),
                min_score: t.min_score,
                routing_priority: t.routing_priority,
            })
            .collect(),
        weights: Weights {
            contribution: w.contribution,
            tenure: w.tenure,
            loyalty: w.loyalty,
            influence: w.influence,
            satisfaction: w.satisfaction,
        },
        scales: Scales {
            contribution_full_arpu_fen: s.contribution_full_arpu_fen,
            tenure_full_months: s.tenure_full_months,
            household_full_arpu_fen: s.household_full_arpu_fen,
            referrals_full: s.referrals_full,
        },
        downgrade_after_periods: p.downgrade_after_periods,
        downgrade_margin: p.downgrade_margin,
        churn: ChurnRule {
            threshold: c.threshold,
            spend_decline_weight: c.spend_decline_weight,
            spend_decline_min_percent: c.spend_decline_min_percent,
            spend_decline_full_percent: c.spend_decline_full_percent,
            short_tenure_weight: c.short_tenure_weight,
            short_tenure_months: c.short_tenure_months,
            suspension_weight: c.suspension_weight,
            complaint_weight: c.complaint_weight,
            low_satisfaction_weight: c.low_satisfaction_weight,
        },
        key_person_priority_bonus: p.key_person_priority_bonus,
    }
}

pub fn cycle_to_pb(c: QuotaCycle) -> pb::QuotaCycle {
    match c {
        QuotaCycle::Year => pb::QuotaCycle::Year,
        QuotaCycle::Month => pb::QuotaCycle::Month,
    }
}

pub fn benefit_to_pb(b: &Benefit) -> pb::Benefit {
    pb::Benefit {
        code: b.code.clone(),
        name: b.name.clone(),
        description: b.description.clone(),
        eligible_tiers: b.eligible_tiers.clone(),
        cycle: cycle_to_pb(b.cycle) as i32,
        quota_per_tier: b
            .quota_per_tier
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        partner_ids: b.partner_ids.clone(),
        active: b.active,
    }
}

/// None when the cycle is missing or unknown (the caller names the field).
pub fn benefit_from_pb(b: &pb::Benefit) -> Option<Benefit> {
    let cycle = match pb::QuotaCycle::try_from(b.cycle).ok()? {
        pb::QuotaCycle::Year => QuotaCycle::Year,
        pb::QuotaCycle::Month => QuotaCycle::Month,
        pb::QuotaCycle::Unspecified => return None,
    };
    Some(Benefit {
        code: b.code.clone(),
        name: b.name.clone(),
        description: b.description.clone(),
        eligible_tiers: b.eligible_tiers.clone(),
        cycle,
        quota_per_tier: b
            .quota_per_tier
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
        partner_ids: b.partner_ids.clone(),
        active: b.active,
    })
}

pub fn status_from_pb(status: i32) -> LineStatus {
    match profile_pb::CustomerStatus::try_from(status) {
        Ok(profile_pb::CustomerStatus::Active) => LineStatus::Active,
        Ok(profile_pb::CustomerStatus::Suspended) => LineStatus::Suspended,
        Ok(profile_pb::CustomerStatus::Closed) => LineStatus::Closed,
        _ => LineStatus::Unknown,
    }
}

pub fn inputs_from_pb(v: &profile_pb::ValueSummary) -> ValueInputs {
    ValueInputs {
        customer_id: v.customer_id.clone(),
        arpu_3m_fen: v.arpu_3m_fen,
        arpu_6m_fen: v.arpu_6m_fen,
        previous_arpu_3m_fen: v.previous_arpu_3m_fen,
        months_with_data: v.months_with_data,
        // A summary stored by a run before summaries carried their period was scored over 12
        // months: explaining it again must give what was decided.
        months_counted: if v.period.is_empty() {
            12
        } else {
            v.months_counted
        },
        as_of: Period::parse(&v.period).ok(),
        tenure_months: v.tenure_months,
        household_arpu_fen: v.household_arpu_fen,
        referrals: v.referrals,
        group_key_person: v.group_key_person,
        status: status_from_pb(v.status),
    }
}

pub fn decision_to_pb(d: Decision) -> pb::Decision {
    match d {
        Decision::Upgrade => pb::Decision::Upgrade,
        Decision::Downgrade => pb::Decision::Downgrade,
        Decision::HoldGrace => pb::Decision::HoldGrace,
        Decision::HoldAtRisk => pb::Decision::HoldAtRisk,
        Decision::Unchanged => pb::Decision::Unchanged,
        Decision::Overridden => pb::Decision::Overridden,
    }
}

fn component_to_pb(c: &ComponentScore) -> pb::ScoreComponent {
    let component = match c.kind {
        ComponentKind::Contribution => pb::Component::Contribution,
        ComponentKind::Tenure => pb::Component::Tenure,
        ComponentKind::Loyalty => pb::Component::Loyalty,
        ComponentKind::Influence => pb::Component::Influence,
        ComponentKind::Satisfaction => pb::Component::Satisfaction,
    };
    pb::ScoreComponent {
        component: component as i32,
        input: c.input.to_string(),
        fraction: c.fraction,
        weight: c.weight,
        points: c.points,
        available: c.available,
    }
}

pub fn reasons_to_pb(reasons: &[RiskReason]) -> Vec<pb::RiskReason> {
    reasons
        .iter()
        .map(|r| pb::RiskReason {
            code: r.code.clone(),
            description: r.description.clone(),
            contribution: r.contribution,
        })
        .collect()
}

pub fn reasons_from_pb(reasons: &[pb::RiskReason]) -> Vec<RiskReason> {
    reasons
        .iter()
        .map(|r| RiskReason {
            code: r.code.clone(),
            description: r.description.clone(),
            contribution: r.contribution,
        })
        .collect()
}

pub fn churn_to_pb(c: &ChurnAssessment) -> pb::ChurnRisk {
    pb::ChurnRisk {
        score: c.score,
        reasons: reasons_to_pb(&c.reasons),
        at_risk: c.at_risk,
    }
}

/// Everything one evaluation decided, with what it was decided from.
pub struct EvaluationParts<'a> {
    pub summary: &'a profile_pb::ValueSummary,
    pub period: Period,
    pub score: &'a Score,
    pub churn: &'a ChurnAssessment,
    pub outcome: &'a Outcome,
    pub policy_version: i64,
}

pub fn evaluation_to_pb(e: EvaluationParts<'_>) -> pb::Evaluation {
    pb::Evaluation {
        customer_id: e.summary.customer_id.clone(),
        period: e.period.to_string(),
        score: e.score.total,
        components: e.score.components.iter().map(component_to_pb).collect(),
        computed_tier: e.outcome.computed_tier.clone(),
        current_tier: e.outcome.current_tier.clone(),
        resulting_tier: e.outcome.resulting_tier.clone(),
        decision: decision_to_pb(e.outcome.decision) as i32,
        reasons: e.outcome.reasons.clone(),
        churn_risk: Some(churn_to_pb(e.churn)),
        periods_below: e.outcome.periods_below,
        policy_version: e.policy_version,
        retention_flag: e.outcome.retention_flag,
        inputs: Some(e.summary.clone()),
        evaluated_tier: e.outcome.evaluated_tier.clone(),
    }
}

pub fn override_to_pb(o: &Override) -> pb::TierOverride {
    pb::TierOverride {
        tier: o.tier.clone(),
        reason: o.reason.clone(),
        actor: o.actor.clone(),
        expire_time: o.expire_time.map(timestamp),
        create_time: Some(timestamp(o.create_time)),
    }
}
