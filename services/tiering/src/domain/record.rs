//! A customer's tier record between evaluations, and how one evaluation moves it. The record
//! keeps the standing from before the latest evaluated period, so evaluating that period again
//! (a re-run, or a run resumed after a crash) starts from the same place and gives the same
//! result instead of counting a period below twice.

use chrono::{DateTime, Utc};

use super::{ChurnAssessment, Decision, Outcome, Override, Period, Standing};

/// What tiering keeps per customer. Customers never evaluated have no record and stand at the
/// lowest tier.
#[derive(Debug, Clone, PartialEq)]
pub struct TierRecord {
    pub customer_id: String,
    /// The evaluated tier and its count of evaluations below.
    pub standing: Standing,
    /// When the evaluated tier was reached.
    pub since: DateTime<Utc>,
    pub score: f64,
    pub last_period: Option<Period>,
    /// The standing before `last_period` was evaluated, and its `since`.
    pub base: Standing,
    pub base_since: DateTime<Utc>,
    pub churn: ChurnAssessment,
    pub retention_flag: bool,
    pub policy_version: i64,
    pub manual: Option<Override>,
    pub updated: DateTime<Utc>,
}

/// One change of the tier in force, as the history keeps it and the customer is told.
#[derive(Debug, Clone, PartialEq)]
pub struct TierChange {
    pub customer_id: String,
    pub old_tier: String,
    pub new_tier: String,
    pub decision: Decision,
    pub reason: String,
    /// The evaluation period; None for overrides.
    pub period: Option<Period>,
    /// "evaluation", or the override's actor.
    pub actor: String,
    pub client: String,
    pub change_time: DateTime<Utc>,
}

/// Who the history names for an override that ran out: nobody acted, its time came.
pub const EXPIRY_ACTOR: &str = "expiry";

/// Why a period cannot be evaluated for a customer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("period {asked} is before {last}, the latest period evaluated for this customer")]
pub struct PeriodBehind {
    pub asked: Period,
    pub last: Period,
}

impl TierRecord {
    /// The record of a customer never evaluated.
    pub fn new(customer_id: &str, lowest: &str, now: DateTime<Utc>) -> TierRecord {
        let standing = Standing {
            tier: lowest.to_owned(),
            periods_below: 0,
        };
        TierRecord {
            customer_id: customer_id.to_owned(),
            base: standing.clone(),
            standing,
            since: now,
            score: 0.0,
            last_period: None,
            base_since: now,
            churn: ChurnAssessment::default(),
            retention_flag: false,
            policy_version: 0,
            manual: None,
            updated: now,
        }
    }

    /// The standing an evaluation of `period` starts from.
    pub fn standing_for(&self, period: Period) -> Result<(&Standing, DateTime<Utc>), PeriodBehind> {
        match self.last_period {
            Some(last) if last == period => Ok((&self.base, self.base_since)),
            Some(last) if last > period => Err(PeriodBehind {
                asked: period,
                last,
            }),
            _ => Ok((&self.standing, self.since)),
        }
    }

    /// The tier in force: the override's while it is in force.
    pub fn effective_tier(&self, now: DateTime<Utc>) -> &str {
        match &self.manual {
            Some(o) if o.in_force(now) => &o.tier,
            _ => &self.standing.tier,
        }
    }

    /// The override still on the record although it ran out by `now`: it no longer applies,
    /// but its end has not been recorded (nor the customer told) yet.
    pub fn lapsed_override(&self, now: DateTime<Utc>) -> Option<&Override> {
        self.manual.as_ref().filter(|o| !o.in_force(now))
    }

    /// The change the end of `manual` made, at its expiry: from its tier back to `evaluated`,
    /// the evaluated tier at that moment. None if the two are the same tier (nothing changed
    /// for the customer) or the override has no expiry.
    pub fn lapse(&self, manual: &Override, evaluated: &str) -> Option<TierChange> {
        let expiry = manual.expire_time?;
        (manual.tier != evaluated).then(|| TierChange {
            customer_id: self.customer_id.clone(),
            old_tier: manual.tier.clone(),
            new_tier: evaluated.to_owned(),
            decision: Decision::Overridden,
            reason: format!(
                "override to {} by {} expired; back to the evaluated tier",
                manual.tier, manual.actor
            ),
            period: None,
            actor: EXPIRY_ACTOR.to_owned(),
            client: String::new(),
            change_time: expiry,
        })
    }

    /// The record after evaluating `period` with `outcome`.
    #[allow(clippy::too_many_arguments)]
    pub fn evaluated(
        &self,
        period: Period,
        outcome: &Outcome,
        score: f64,
        churn: &ChurnAssessment,
        policy_version: i64,
        now: DateTime<Utc>,
    ) -> Result<TierRecord, PeriodBehind> {
        let (base, base_since) = self.standing_for(period)?;
        let again = self.last_period == Some(period);
        let since = if outcome.evaluated_tier == base.tier {
            base_since
        } else if again && outcome.evaluated_tier == self.standing.tier {
            // The same period decided the same again: the tier was reached the first time.
            self.since
        } else {
            now
        };
        Ok(TierRecord {
            customer_id: self.customer_id.clone(),
            standing: Standing {
                tier: outcome.evaluated_tier.clone(),
                periods_below: outcome.periods_below,
            },
            since,
            score,
            last_period: Some(period),
            base: base.clone(),
            base_since,
            churn: churn.clone(),
            retention_flag: outcome.retention_flag,
            policy_version,
            manual: self.manual.clone(),
            updated: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Decision;

    fn now() -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse().unwrap()
    }

    fn outcome(tier: &str, below: i32) -> Outcome {
        Outcome {
            computed_tier: tier.into(),
            current_tier: "STANDARD".into(),
            evaluated_tier: tier.into(),
            resulting_tier: tier.into(),
            decision: Decision::Upgrade,
            reasons: Vec::new(),
            periods_below: below,
            retention_flag: false,
        }
    }

    #[test]
    fn an_override_lapses_back_to_the_evaluated_tier_at_its_expiry() {
        let expiry: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let mut record = TierRecord::new("c1", "GOLD", now());
        record.manual = Some(Override {
            tier: "DIAMOND".into(),
            reason: "board member".into(),
            actor: "emp-7".into(),
            expire_time: Some(expiry),
            create_time: now(),
        });
        let second_before = expiry - chrono::Duration::seconds(1);
        assert_eq!(record.lapsed_override(second_before), None);
        assert_eq!(record.effective_tier(second_before), "DIAMOND");
        let manual = record
            .lapsed_override(expiry)
            .expect("lapsed at its expiry");
        assert_eq!(record.effective_tier(expiry), "GOLD");
        let change = record.lapse(manual, "GOLD").unwrap();
        assert_eq!(
            (change.old_tier.as_str(), change.new_tier.as_str()),
            ("DIAMOND", "GOLD")
        );
        assert_eq!(
            change.change_time, expiry,
            "the time it ran out, not when noticed"
        );
        assert_eq!(
            (change.decision, change.actor.as_str()),
            (Decision::Overridden, EXPIRY_ACTOR)
        );
        assert!(change.reason.contains("expired"), "{}", change.reason);
        // An override to the tier evaluations reached anyway ends without a change.
        assert_eq!(record.lapse(manual, "DIAMOND"), None);
    }

    #[test]
    fn evaluating_the_same_period_again_starts_from_the_same_standing() {
        let p = Period::parse("2026-10").unwrap();
        let fresh = TierRecord::new("c1", "STANDARD", now());
        let once = fresh
            .evaluated(
                p,
                &outcome("GOLD", 0),
                55.0,
                &ChurnAssessment::default(),
                1,
                now(),
            )
            .unwrap();
        assert_eq!(once.standing.tier, "GOLD");
        assert_eq!(once.standing_for(p).unwrap().0.tier, "STANDARD");
        let twice = once
            .evaluated(
                p,
                &outcome("GOLD", 0),
                55.0,
                &ChurnAssessment::default(),
                1,
                now(),
            )
            .unwrap();
        assert_eq!(twice, once);
        // Even later: the tier was still reached when the period was first evaluated.
        let later = now() + chrono::Duration::days(3);
        let again = once
            .evaluated(
                p,
                &outcome("GOLD", 0),
                55.0,
                &ChurnAssessment::default(),
                1,
                later,
            )
            .unwrap();
        assert_eq!(again.since, once.since);
        assert_eq!(again.updated, later);
        // The next period starts from the new tier.
        assert_eq!(once.standing_for(p.next()).unwrap().0.tier, "GOLD");
        assert!(once.standing_for(p.previous()).is_err());
    }
}
