//! Promises made to the customer ("I will call you back by Friday noon"), kept apart from the
//! SLA: the SLA is what the operator owes every complaint, a promise is what one person said to
//! one customer, and breaking it is the communication gap itself (DOMAIN.md section 4). When it
//! cannot be solved on the spot the customer wants a promised deadline, and then wants it kept.
//!
//! The current handler is reminded before the promise falls due (a STAFF_TASK reminder); an
//! overdue promise not yet fulfilled is escalated to the first-contact owner, who answers for
//! the complaint to the end whoever made the promise.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation};

use super::text::{MAX_REASON_CHARS, party_id, required_line};

/// How long before its due time the handler is reminded of a promise, when there is time.
pub const REMIND_BEFORE_DUE: TimeDelta = TimeDelta::hours(2);

/// A promise made to the customer about a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promise {
    pub id: String,
    /// What was promised, as the customer heard it.
    pub text: String,
    pub due_at: DateTime<Utc>,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
    pub fulfilled_at: Option<DateTime<Utc>>,
}

/// A promise fulfilled already: fulfilling it again would rewrite when it was kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the promise was fulfilled already, at {at}")]
pub struct AlreadyFulfilled {
    pub at: DateTime<Utc>,
}

/// An overdue promise not yet fulfilled, to be escalated to the first-contact owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenPromise {
    pub promise_id: String,
    pub due_at: DateTime<Utc>,
    pub overdue_by: TimeDelta,
}

impl Promise {
    /// A promise due after `now`: one due already would be broken as it is made. Violations name
    /// `text`, `due_at` or `made_by`.
    pub fn new(
        id: String,
        text: &str,
        due_at: DateTime<Utc>,
        made_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Promise, Violation> {
        let text = required_line(text, MAX_REASON_CHARS).map_err(|e| e.at("text"))?;
        if due_at <= now {
            return Err(Invalid::new("must be in the future").at("due_at"));
        }
        let made_by = party_id(made_by).map_err(|e| e.at("made_by"))?;
        Ok(Promise {
            id,
            text,
            due_at,
            made_by,
            made_at: now,
            fulfilled_at: None,
        })
    }

    /// Marks it kept at `now`, once. Late is still fulfilled: the customer got what was promised,
    /// and [`Promise::kept_on_time`] tells the two apart.
    pub fn fulfil(&mut self, now: DateTime<Utc>) -> Result<(), AlreadyFulfilled> {
        match self.fulfilled_at {
            Some(at) => Err(AlreadyFulfilled { at }),
            None => {
                self.fulfilled_at = Some(now);
                Ok(())
            }
        }
    }

    /// Past due and not fulfilled. At the due time itself it is still on time.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.fulfilled_at.is_none() && now > self.due_at
    }

    /// `None` while not fulfilled; then whether it was fulfilled by its due time.
    pub fn kept_on_time(&self) -> Option<bool> {
        self.fulfilled_at.map(|at| at <= self.due_at)
    }

    /// When to remind the handler: [`REMIND_BEFORE_DUE`] before the due time, or halfway
    /// through for a promise shorter than twice that, so the handler is never reminded before
    /// the promise was made nor so late that it cannot be kept.
    pub fn remind_handler_at(&self) -> DateTime<Utc> {
        let lead = REMIND_BEFORE_DUE.min((self.due_at - self.made_at) / 2);
        self.due_at - lead
    }

    /// The escalation owed for it at `now`: `Some` once overdue and not fulfilled.
    pub fn escalation(&self, now: DateTime<Utc>) -> Option<BrokenPromise> {
        self.is_overdue(now).then(|| BrokenPromise {
            promise_id: self.id.clone(),
            due_at: self.due_at,
            overdue_by: now - self.due_at,
        })
    }
}

#[cfg(test)]
#[path = "promise_tests.rs"]
mod tests;
