//! The service a customer has had lately, as churn risk weighs it: their complaints of the last
//! 90 days (the complaint service's) and an open problem in the account manager's work log (a
//! PROBLEM note of the same 90 days, the profile's). Both are read live, so the risk an agent
//! or the retention desk sees moves the moment a complaint is opened or resolved, not at the
//! next monthly evaluation.
//!
//! How they weigh, under the policy's `complaint_weight` (reached in full at [`FULL_AT`]
//! points):
//! - every complaint of the window counts one point: a customer who complains is telling the
//!   operator something is wrong, and VIPs who leave mostly complained first;
//! - one still open counts a point more: the customer is waiting on us right now, which is when
//!   a competitor's offer lands best;
//! - one that repeats an earlier complaint or was reopened counts a point more: the problem came
//!   back, so the first answer did not hold (DOMAIN.md: a real solution is what customers rank
//!   first), the strongest of these signals;
//! - an open problem in the work log counts a point: a problem the account manager knows of
//!   that may never have been filed as a complaint.
//!
//! So one open repeat (3 points) already weighs three quarters; a single complaint long
//! resolved (1 point) a quarter. What could not be learnt is said so in the reasons
//! ([`NOT_CONSIDERED`]) and weighs nothing: the risk is never refused for want of it.

use serde::{Deserialize, Serialize};

use super::churn::reweighed;
use super::{ChurnAssessment, ChurnRule, RiskReason, round};

/// How far back complaints and work-log problems count.
pub const SERVICE_WINDOW_DAYS: i64 = 90;

/// Points at which the complaints signal weighs `complaint_weight` in full.
pub const FULL_AT: f64 = 4.0;

/// The reason the signals raise the risk by.
pub const COMPLAINTS: &str = "COMPLAINTS";
/// The reason that says a signal could not be learnt (it adds nothing).
pub const NOT_CONSIDERED: &str = "COMPLAINTS_NOT_CONSIDERED";

/// One complaint of the window, as far as churn risk cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFact {
    /// Neither resolved nor closed.
    pub open: bool,
    /// It repeats an earlier one, or was reopened.
    pub repeated: bool,
}

/// What was learnt of the customer's recent service; `None` where its service did not answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceSignals {
    /// The complaints opened in the last [`SERVICE_WINDOW_DAYS`] days.
    pub complaints: Option<Vec<ComplaintFact>>,
    /// Whether the work log holds a PROBLEM note of the window.
    pub open_problem: Option<bool>,
}

impl ServiceSignals {
    /// Nothing to report: no complaint, no problem, both services answered.
    pub fn quiet() -> ServiceSignals {
        ServiceSignals {
            complaints: Some(Vec::new()),
            open_problem: Some(false),
        }
    }
}

/// `base` (the risk from the value summary) with the customer's service weighed in: the
/// service reasons `base` may carry from an earlier reading are replaced, the score summed
/// again (at most 1) and held to the threshold.
pub fn with_service(
    rule: &ChurnRule,
    base: &ChurnAssessment,
    service: &ServiceSignals,
) -> ChurnAssessment {
    let is_service = |r: &RiskReason| r.code == COMPLAINTS || r.code == NOT_CONSIDERED;
    reweighed(rule, base, is_service, service_reasons(rule, service))
}

fn service_reasons(rule: &ChurnRule, service: &ServiceSignals) -> Vec<RiskReason> {
    let mut reasons = Vec::new();
    let mut points = 0.0;
    let mut said = Vec::new();
    if let Some(complaints) = &service.complaints
        && !complaints.is_empty()
    {
        let open = complaints.iter().filter(|c| c.open).count();
        let repeated = complaints.iter().filter(|c| c.repeated).count();
        points += (complaints.len() + open + repeated) as f64;
        let mut words = match complaints.len() {
            1 => format!("1 complaint in the last {SERVICE_WINDOW_DAYS} days"),
            n => format!("{n} complaints in the last {SERVICE_WINDOW_DAYS} days"),
        };
        let details: Vec<String> = [(open, "still open"), (repeated, "repeated or reopened")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if !details.is_empty() {
            words.push_str(&format!(" ({})", details.join(", ")));
        }
        said.push(words);
    }
    if service.open_problem == Some(true) {
        points += 1.0;
        said.push("a problem open in the account manager's work log".to_owned());
    }
    let contribution = rule.complaint_weight * (points / FULL_AT).min(1.0);
    if contribution > 0.0 {
        reasons.push(RiskReason {
            code: COMPLAINTS.into(),
            description: said.join("; "),
            contribution: round(contribution, 3),
        });
    }
    let mut unknown = Vec::new();
    if service.complaints.is_none() {
        unknown.push(format!(
            "complaints of the last {SERVICE_WINDOW_DAYS} days not considered: the complaint \
             service did not answer"
        ));
    }
    if service.open_problem.is_none() {
        unknown.push(
            "the account manager's work log not considered: the profile service did not answer"
                .to_owned(),
        );
    }
    if !unknown.is_empty() {
        reasons.push(RiskReason {
            code: NOT_CONSIDERED.into(),
            description: unknown.join("; "),
            contribution: 0.0,
        });
    }
    reasons
}

#[cfg(test)]
mod tests;
