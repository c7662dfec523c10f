//! One customer's evaluation from its value summary and tier record: the decision, the record
//! after it, and the change of the tier in force if there is one. Shared by EvaluateCustomer,
//! evaluation runs and the explanation of a run's stored decisions, so all three decide alike.
//!
//! A run keeps per customer only what the decision was made from (the [`Basis`]); deciding is
//! deterministic, so the full explanation is computed again from it and the run's policy
//! version when someone asks, instead of being written for every customer of every run.

use chrono::{DateTime, Utc};

use crate::domain::{
    Basis, ChurnAssessment, Decision, Outcome, Override, PeakEnd, Period, PeriodBehind,
    Satisfaction, Score, ServiceSignals, Standing, SurveyAnswer, TierChange, TierPolicy,
    TierRecord, ValueSummary, churn_risk, decide, score, with_service,
};

/// A decision and what it rests on.
#[derive(Debug, Clone)]
pub struct Decided {
    pub score: Score,
    pub churn: ChurnAssessment,
    pub outcome: Outcome,
}

/// Decides from a basis: the score, the churn risk and the outcome with its reasons.
pub fn decide_from(policy: &TierPolicy, basis: &Basis) -> Decided {
    let survey = SurveyAnswer::Latest(basis.satisfaction);
    let inputs = basis
        .summary
        .inputs(Satisfaction::judged(survey, basis.now));
    let score = score(policy, &inputs);
    let churn = churn_risk(&policy.churn, &inputs);
    let outcome = decide(
        policy,
        &basis.standing,
        &score,
        &churn,
        basis.manual.as_ref(),
        basis.now,
    );
    Decided {
        score,
        churn,
        outcome,
    }
}

/// What evaluating one customer produced.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub decided: Decided,
    /// What it was decided from: the standing and the override in force (the summary and the
    /// time are the caller's).
    pub standing: Standing,
    pub manual: Option<Override>,
    pub record: TierRecord,
    /// The tier in force changed.
    pub change: Option<TierChange>,
    /// The latest peak-end score the survey gave, as a run keeps it.
    pub peak_end: Option<PeakEnd>,
}

impl Evaluated {
    pub fn decision(&self) -> Decision {
        self.decided.outcome.decision
    }

    /// What a run stores for this decision.
    pub fn basis(&self, summary: ValueSummary, now: DateTime<Utc>) -> Basis {
        Basis {
            summary,
            standing: self.standing.clone(),
            manual: self.manual.clone(),
            now,
            satisfaction: self.peak_end,
        }
    }
}

/// Who made the change, as the history records it.
pub const EVALUATION_ACTOR: &str = "evaluation";

/// What an evaluation heard of the customer besides the value summary.
#[derive(Debug, Clone, Copy)]
pub struct Heard<'a> {
    /// Their latest peak-end score: read for the customer alone, or with the run's batch.
    pub survey: SurveyAnswer,
    /// Their recent service, weighed into the churn risk when given (a single evaluation of
    /// the current period); runs go without, since two peer calls per customer would not fit
    /// their pace, and a run's decisions must come out the same when explained again from what
    /// it kept (the peak-end it kept, the service it did not).
    pub service: Option<&'a ServiceSignals>,
}

pub fn evaluate(
    policy: &TierPolicy,
    policy_version: i64,
    existing: Option<&TierRecord>,
    summary: &ValueSummary,
    period: Period,
    now: DateTime<Utc>,
    heard: Heard<'_>,
) -> Result<Evaluated, PeriodBehind> {
    let fresh;
    let record = match existing {
        Some(r) => r,
        None => {
            fresh = TierRecord::new(&summary.customer_id, &policy.lowest().code, now);
            &fresh
        }
    };
    let (standing, _) = record.standing_for(period)?;
    let inputs = summary.inputs(Satisfaction::judged(heard.survey, now));
    let score = score(policy, &inputs);
    let churn = churn_risk(&policy.churn, &inputs);
    let churn = match heard.service {
        Some(service) => with_service(&policy.churn, &churn, service),
        None => churn,
    };
    let manual = record.manual.as_ref().filter(|o| o.in_force(now));
    let outcome = decide(policy, standing, &score, &churn, manual, now);
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
    Ok(Evaluated {
        standing: standing.clone(),
        manual: manual.cloned(),
        decided: Decided {
            score,
            churn,
            outcome,
        },
        record: after,
        change,
        peak_end: match heard.survey {
            SurveyAnswer::Latest(latest) => latest,
            SurveyAnswer::Unavailable => None,
        },
    })
}
