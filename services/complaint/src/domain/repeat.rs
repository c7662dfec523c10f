//! Repeats: a customer who complains again about the same thing within 30 days was not helped
//! the first time ("handled in time with no errors or repeats", DOMAIN.md section 4). The new
//! complaint is linked to the most recent earlier one in its category and starts one severity
//! higher, so it gets the faster clock and the attention the first one lacked.
//!
//! The window is counted from when the earlier complaint was opened, not resolved: the customer
//! experiences one problem from the first call, however long the first handling took. Whether
//! the earlier one is still open does not matter either: complaining again about an open one
//! says as much.

use chrono::{DateTime, TimeDelta, Utc};

use super::codes::{Category, Severity};

/// How far back an earlier complaint in the same category makes a new one a repeat.
pub const REPEAT_WINDOW: TimeDelta = TimeDelta::days(30);

/// What the repeat check needs of one of the customer's earlier complaints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierComplaint {
    pub id: String,
    pub category: Category,
    pub opened_at: DateTime<Utc>,
}

/// A new complaint found to repeat an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// The earlier complaint it is linked to.
    pub of: String,
    /// The severity it starts with: one step above the one it was taken with.
    pub severity: Severity,
}

/// Whether a complaint in `category`, taken with `severity` at `now`, repeats one of the
/// customer's `earlier` complaints (in any order): the most recent one in the same category
/// opened at most [`REPEAT_WINDOW`] before `now`.
pub fn find_repeat(
    category: Category,
    severity: Severity,
    now: DateTime<Utc>,
    earlier: &[EarlierComplaint],
) -> Option<Repeat> {
    earlier
        .iter()
        .filter(|e| e.category == category && now - e.opened_at <= REPEAT_WINDOW)
        // Ties on time go to the larger id, so the answer does not depend on the list order.
        .max_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)))
        .map(|e| Repeat {
            of: e.id.clone(),
            severity: severity.raised(),
        })
}

#[cfg(test)]
#[path = "repeat_tests.rs"]
mod tests;
