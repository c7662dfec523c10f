//! Keeping the customer informed while a complaint is open ("regular progress reports",
//! DOMAIN.md section 4), and the follow-ups staff plan for themselves.
//!
//! Progress notices go by the customer's tier when the complaint was opened: DIAMOND every
//! 24 hours, PLATINUM every 48, GOLD every 72; other tiers get none, their complaints being
//! short enough that the acknowledgement and the result say all. None are sent once RESOLVED
//! or CLOSED (the result was the last word), nor while WAITING_CUSTOMER: the next move is the
//! customer's, and "we are still working on it" would not be true. When work resumes a notice
//! that fell due meanwhile goes at once.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation, tier_code};

use super::codes::ComplaintState;
use super::text::{MAX_REASON_CHARS, required_line};

/// The longest interval a tier may be given: beyond a month a notice reports nothing.
pub const MAX_INTERVAL_HOURS: u32 = 720;

/// How often a customer of each tier is told how their open complaint is going.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressIntervals {
    per_tier: BTreeMap<String, TimeDelta>,
}

impl Default for ProgressIntervals {
    fn default() -> ProgressIntervals {
        let hours = [("DIAMOND", 24), ("PLATINUM", 48), ("GOLD", 72)];
        ProgressIntervals {
            per_tier: hours
                .map(|(tier, h)| (tier.to_owned(), TimeDelta::hours(h)))
                .into(),
        }
    }
}

impl ProgressIntervals {
    /// No tier gets notices.
    pub fn none() -> ProgressIntervals {
        ProgressIntervals {
            per_tier: BTreeMap::new(),
        }
    }

    /// Notices every `hours` (1 to [`MAX_INTERVAL_HOURS`]) for `tier`. Violations name
    /// `per_tier.<tier>`.
    pub fn with_tier(mut self, tier: &str, hours: u32) -> Result<ProgressIntervals, Violation> {
        let field = format!("per_tier.{tier}");
        let tier = tier_code(tier).map_err(|e| e.at(field.clone()))?.to_owned();
        if !(1..=MAX_INTERVAL_HOURS).contains(&hours) {
            let refused = Invalid::new(format!("must be 1 to {MAX_INTERVAL_HOURS} hours"));
            return Err(refused.at(field));
        }
        self.per_tier
            .insert(tier, TimeDelta::hours(i64::from(hours)));
        Ok(self)
    }

    /// `None` for a tier that gets no notices.
    pub fn interval_for(&self, tier: &str) -> Option<TimeDelta> {
        self.per_tier.get(tier).copied()
    }

    /// When the next progress notice is due: one interval after the last notice (or the
    /// opening, before the first), and never before `now` — one overdue goes now. `None` when
    /// the tier gets none or the state sends none (see the module notes).
    pub fn next_progress_notice(
        &self,
        last_notice_or_opened: DateTime<Utc>,
        tier: &str,
        state: ComplaintState,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        use ComplaintState::*;
        match state {
            Resolved | Closed | WaitingCustomer => None,
            Open | Acknowledged | InProgress | Reopened => self
                .interval_for(tier)
                .map(|every| (last_notice_or_opened + every).max(now)),
        }
    }
}

/// A follow-up a staff member plans: call the customer back, check a fix held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub at: DateTime<Utc>,
    /// What to do, for the one who does it.
    pub note: String,
    /// Whether the customer is told of it beforehand (an appointment) or not (a quiet check).
    pub notify_customer: bool,
}

impl FollowUp {
    /// A follow-up after `now`. Violations name `at` or `note`.
    pub fn new(
        at: DateTime<Utc>,
        note: &str,
        notify_customer: bool,
        now: DateTime<Utc>,
    ) -> Result<FollowUp, Violation> {
        if at <= now {
            return Err(Invalid::new("must be in the future").at("at"));
        }
        let note = required_line(note, MAX_REASON_CHARS).map_err(|e| e.at("note"))?;
        Ok(FollowUp {
            at,
            note,
            notify_customer,
        })
    }
}

#[cfg(test)]
#[path = "follow_up_tests.rs"]
mod tests;
