//! What one evaluation decides, from the customer's standing before it: upgrades at once to
//! the tier the score reaches; downgrades only after `downgrade_after_periods` evaluations in a
//! row below the tier's minimum less the margin, one tier at a time, and never while the churn
//! risk is at or above the threshold (the tier is held and a retention flag raised instead).
//! An override in force wins over all of it, while evaluations keep tracking the tier
//! underneath so it is right the day the override expires.

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use super::{ChurnAssessment, Override, Score, TierPolicy, coded_enum};

coded_enum! {
    Decision {
        Upgrade = "UPGRADE",
        Downgrade = "DOWNGRADE",
        HoldGrace = "HOLD_GRACE",
        HoldAtRisk = "HOLD_AT_RISK",
        Unchanged = "UNCHANGED",
        Overridden = "OVERRIDDEN",
    }
}

/// Where a customer stands before an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// The evaluated tier (not the override's).
    pub tier: String,
    /// Consecutive evaluations below the tier so far.
    pub periods_below: i32,
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The tier the score alone reaches.
    pub computed_tier: String,
    /// The tier in force before (the override's, if one was in force).
    pub current_tier: String,
    /// The tier evaluations decide.
    pub evaluated_tier: String,
    /// The tier in force after (the override's, if one is in force).
    pub resulting_tier: String,
    pub decision: Decision,
    pub reasons: Vec<String>,
    /// Consecutive evaluations below the evaluated tier, this one included.
    pub periods_below: i32,
    pub retention_flag: bool,
}

pub fn decide(
    policy: &TierPolicy,
    standing: &Standing,
    score: &Score,
    churn: &ChurnAssessment,
    manual: Option<&Override>,
    now: DateTime<Utc>,
) -> Outcome {
    let tiers = &policy.tiers;
    let computed = policy.index_for_score(score.total);
    let mut reasons = Vec::new();
    // A tier the policy no longer has counts as the lowest, so the customer is re-placed.
    let current = policy.index_of(&standing.tier).unwrap_or_else(|| {
        reasons.push(format!(
            "tier {} is no longer in the policy; evaluated from {}",
            standing.tier, tiers[0].code
        ));
        0
    });
    let (cur, comp) = (&tiers[current], &tiers[computed]);
    let total = score.total;
    let (evaluated, decision, periods_below) = if computed > current {
        reasons.push(format!(
            "score {total:.2} reaches {} (from {:.0}): up from {}",
            comp.code, comp.min_score, cur.code
        ));
        (computed, Decision::Upgrade, 0)
    } else if computed == current {
        reasons.push(format!("score {total:.2} keeps {}", cur.code));
        (current, Decision::Unchanged, 0)
    } else if total >= cur.min_score - policy.downgrade_margin {
        reasons.push(format!(
            "score {total:.2} is under {}'s {:.0} but within the {:.0}-point margin",
            cur.code, cur.min_score, policy.downgrade_margin
        ));
        (current, Decision::Unchanged, 0)
    } else {
        let below = standing.periods_below + 1;
        let needed = policy.downgrade_after_periods;
        reasons.push(format!(
            "score {total:.2} is under {}'s {:.0} (less the {:.0}-point margin): \
             {below} of {needed} evaluations in a row",
            cur.code, cur.min_score, policy.downgrade_margin
        ));
        if churn.at_risk {
            reasons.push(format!(
                "churn risk {:.2} is at or above {:.2}: {} is held for retention instead of a downgrade",
                churn.score, policy.churn.threshold, cur.code
            ));
            (current, Decision::HoldAtRisk, below)
        } else if below < needed {
            reasons.push(format!("{} is kept during the grace periods", cur.code));
            (current, Decision::HoldGrace, below)
        } else {
            let to = current - 1;
            reasons.push(format!(
                "down one tier to {} (at most one tier per evaluation)",
                tiers[to].code
            ));
            (to, Decision::Downgrade, 0)
        }
    };
    if churn.at_risk && decision != Decision::HoldAtRisk {
        reasons.push(format!(
            "churn risk {:.2} is at or above {:.2}: retention flag raised",
            churn.score, policy.churn.threshold
        ));
    }
    let evaluated_tier = tiers[evaluated].code.clone();
    let in_force = manual.filter(|o| o.in_force(now));
    let (current_tier, resulting_tier, decision) = match in_force {
        Some(o) => {
            reasons.push(format!(
                "override to {} by {} wins{}: {}",
                o.tier,
                o.actor,
                o.expire_time
                    .map(|t| format!(" until {}", t.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default(),
                o.reason
            ));
            (o.tier.clone(), o.tier.clone(), Decision::Overridden)
        }
        None => (cur.code.clone(), evaluated_tier.clone(), decision),
    };
    Outcome {
        computed_tier: comp.code.clone(),
        current_tier,
        evaluated_tier,
        resulting_tier,
        decision,
        reasons,
        periods_below,
        retention_flag: churn.at_risk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(total: f64) -> Score {
        Score {
            total,
            components: Vec::new(),
        }
    }

    fn at(tier: &str, periods_below: i32) -> Standing {
        Standing {
            tier: tier.into(),
            periods_below,
        }
    }

    fn risk(at_risk: bool) -> ChurnAssessment {
        ChurnAssessment {
            score: if at_risk { 0.8 } else { 0.1 },
            reasons: Vec::new(),
            at_risk,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse().unwrap()
    }

    fn run(standing: &Standing, total: f64, at_risk: bool) -> Outcome {
        let policy = TierPolicy::default();
        decide(
            &policy,
            standing,
            &score(total),
            &risk(at_risk),
            None,
            now(),
        )
    }

    #[test]
    fn upgrades_go_straight_to_the_computed_tier() {
        let o = run(&at("STANDARD", 1), 90.0, false);
        assert_eq!(o.decision, Decision::Upgrade);
        assert_eq!((o.resulting_tier.as_str(), o.periods_below), ("DIAMOND", 0));
        assert!(o.reasons[0].contains("reaches DIAMOND"), "{:?}", o.reasons);
    }

    #[test]
    fn a_score_within_the_margin_is_not_below() {
        let o = run(&at("GOLD", 1), 47.5, false);
        assert_eq!(o.decision, Decision::Unchanged);
        assert_eq!(o.periods_below, 0);
        assert!(o.reasons[0].contains("margin"));
    }

    #[test]
    fn downgrades_wait_for_the_grace_periods_and_move_one_tier() {
        let first = run(&at("DIAMOND", 0), 10.0, false);
        assert_eq!(first.decision, Decision::HoldGrace);
        assert_eq!(
            (first.resulting_tier.as_str(), first.periods_below),
            ("DIAMOND", 1)
        );

        let second = run(&at("DIAMOND", 1), 10.0, false);
        assert_eq!(second.decision, Decision::Downgrade);
        assert_eq!(second.resulting_tier, "PLATINUM", "one tier at most");
        assert_eq!(second.computed_tier, "STANDARD");
        assert_eq!(second.periods_below, 0);
    }

    #[test]
    fn churn_risk_holds_the_tier_and_raises_the_flag() {
        let o = run(&at("GOLD", 5), 10.0, true);
        assert_eq!(o.decision, Decision::HoldAtRisk);
        assert_eq!(o.resulting_tier, "GOLD");
        assert!(o.retention_flag);
        assert_eq!(o.periods_below, 6);
        assert!(o.reasons.iter().any(|r| r.contains("retention")));
    }

    #[test]
    fn an_override_wins_until_it_expires() {
        let policy = TierPolicy::default();
        let manual = Override {
            tier: "DIAMOND".into(),
            reason: "board member".into(),
            actor: "emp-7".into(),
            expire_time: Some("2026-12-01T00:00:00Z".parse().unwrap()),
            create_time: now(),
        };
        let standing = at("SILVER", 0);
        let o = decide(
            &policy,
            &standing,
            &score(55.0),
            &risk(false),
            Some(&manual),
            now(),
        );
        assert_eq!(o.decision, Decision::Overridden);
        assert_eq!(o.resulting_tier, "DIAMOND");
        assert_eq!(o.evaluated_tier, "GOLD", "evaluation still tracks the tier");
        assert!(o.reasons.last().unwrap().contains("board member"));

        let later: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let o = decide(
            &policy,
            &standing,
            &score(55.0),
            &risk(false),
            Some(&manual),
            later,
        );
        assert_eq!(
            (o.decision, o.resulting_tier.as_str()),
            (Decision::Upgrade, "GOLD")
        );
    }

    #[test]
    fn a_tier_removed_from_the_policy_is_re_placed() {
        let o = run(&at("GOLD_PLUS", 0), 55.0, false);
        assert_eq!(
            (o.decision, o.resulting_tier.as_str()),
            (Decision::Upgrade, "GOLD")
        );
        assert!(o.reasons[0].contains("no longer in the policy"));
    }
}
