//! One customer's evaluation from its value summary and tier record: the explained result, the
//! record after it, and the change of the tier in force if there is one. Shared by
//! EvaluateCustomer and evaluation runs, so both decide exactly alike.

use chrono::{DateTime, Utc};
use vipcare_proto::profile::v1::ValueSummary;
use vipcare_proto::tiering::v1 as pb;

use crate::convert::{EvaluationParts, evaluation_to_pb, inputs_from_pb};
use crate::domain::{
    Decision, Period, PeriodBehind, TierChange, TierPolicy, TierRecord, churn_risk, decide, score,
};

/// What evaluating one customer produced.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub evaluation: pb::Evaluation,
    pub decision: Decision,
    pub record: TierRecord,
    /// The tier in force changed.
    pub change: Option<TierChange>,
}

/// Who made the change, as the history records it.
pub const EVALUATION_ACTOR: &str = "evaluation";

pub fn evaluate(
    policy: &TierPolicy,
    policy_version: i64,
    existing: Option<&TierRecord>,
    summary: &ValueSummary,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Evaluated, PeriodBehind> {
    let inputs = inputs_from_pb(summary);
    let fresh;
    let record = match existing {
        Some(r) => r,
        None => {
            fresh = TierRecord::new(&summary.customer_id, &policy.lowest().code, now);
            &fresh
        }
    };
    let (standing, _) = record.standing_for(period)?;
    let score = score(policy, &inputs);
    let churn = churn_risk(&policy.churn, &inputs);
    let outcome = decide(
        policy,
        standing,
        &score,
        &churn,
        record.manual.as_ref(),
        now,
    );
    let after = record.evaluated(period, &outcome, score.total, &churn, policy_version, now)?;
    let before_tier = record.effective_tier(now);
    let after_tier = after.effective_tier(now);
    let change = (before_tier != after_tier).then(|| TierChange {
        customer_id: summary.customer_id.clone(),
        old_tier: before_tier.to_owned(),
        new_tier: after_tier.to_owned(),
        decision: outcome.decision,
        reason: outcome.reasons.join("; "),
        period: Some(period),
        actor: EVALUATION_ACTOR.to_owned(),
        client: String::new(),
        change_time: now,
    });
    let evaluation = evaluation_to_pb(EvaluationParts {
        summary,
        period,
        score: &score,
        churn: &churn,
        outcome: &outcome,
        policy_version,
    });
    Ok(Evaluated {
        evaluation,
        decision: outcome.decision,
        record: after,
        change,
    })
}
