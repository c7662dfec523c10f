//! `Evaluation`, `ScoreComponent`, `Decision` and `EvaluationRun`: what one evaluation decided
//! and why, and how a run is getting on.

use vipcare_proto::tiering::v1 as pb;

use super::{churn_to_proto, summary_to_proto, timestamp};
use crate::batch::Decided;
use crate::domain::{ComponentKind, ComponentScore, Decision, Outcome, Period, ValueSummary};
use crate::store::runs::{Counts, Run};

/// What one evaluation of `period` decided, with the summary it was decided from.
pub fn evaluation_to_proto(
    decided: &Decided,
    summary: &ValueSummary,
    period: Period,
    policy_version: i64,
) -> pb::Evaluation {
    let Decided {
        score,
        churn,
        outcome,
    } = decided;
    let Outcome {
        computed_tier,
        current_tier,
        evaluated_tier,
        resulting_tier,
        decision,
        reasons,
        periods_below,
        retention_flag,
    } = outcome;
    pb::Evaluation {
        customer_id: summary.customer_id.clone(),
        period: period.to_string(),
        score: score.total,
        components: score.components.iter().map(component_to_proto).collect(),
        computed_tier: computed_tier.clone(),
        current_tier: current_tier.clone(),
        resulting_tier: resulting_tier.clone(),
        decision: decision_to_proto(*decision) as i32,
        reasons: reasons.clone(),
        churn_risk: Some(churn_to_proto(churn)),
        periods_below: *periods_below,
        policy_version,
        retention_flag: *retention_flag,
        inputs: Some(summary_to_proto(summary)),
        evaluated_tier: evaluated_tier.clone(),
    }
}

pub fn decision_to_proto(decision: Decision) -> pb::Decision {
    match decision {
        Decision::Upgrade => pb::Decision::Upgrade,
        Decision::Downgrade => pb::Decision::Downgrade,
        Decision::HoldGrace => pb::Decision::HoldGrace,
        Decision::HoldAtRisk => pb::Decision::HoldAtRisk,
        Decision::Unchanged => pb::Decision::Unchanged,
        Decision::Overridden => pb::Decision::Overridden,
    }
}

fn component_to_proto(component: &ComponentScore) -> pb::ScoreComponent {
    let ComponentScore {
        kind,
        input,
        fraction,
        weight,
        points,
        available,
    } = component;
    let kind = match kind {
        ComponentKind::Contribution => pb::Component::Contribution,
        ComponentKind::Tenure => pb::Component::Tenure,
        ComponentKind::Loyalty => pb::Component::Loyalty,
        ComponentKind::Influence => pb::Component::Influence,
        ComponentKind::Satisfaction => pb::Component::Satisfaction,
    };
    pb::ScoreComponent {
        component: kind as i32,
        // Put in words only now: a run keeps the inputs as data.
        input: input.to_string(),
        fraction: *fraction,
        weight: *weight,
        points: *points,
        available: *available,
    }
}

pub fn run_to_proto(run: Run) -> pb::EvaluationRun {
    let Run {
        run_id,
        period,
        dry_run,
        state,
        policy_version,
        counts:
            Counts {
                processed,
                total,
                upgrades,
                downgrades,
                held,
                errors,
            },
        cursor: _,
        start,
        finish,
        failure,
        resumptions,
    } = run;
    let state = match state.as_str() {
        "RUNNING" => pb::RunState::Running,
        "DONE" => pb::RunState::Done,
        "FAILED" => pb::RunState::Failed,
        _ => pb::RunState::Unspecified,
    };
    pb::EvaluationRun {
        run_id,
        period,
        dry_run,
        state: state as i32,
        policy_version,
        processed,
        total,
        upgrades,
        downgrades,
        held,
        errors,
        start_time: Some(timestamp(start)),
        finish_time: finish.map(timestamp),
        failure,
        resumptions,
    }
}
