//! The daily cap: at most so many non-urgent messages a day per customer ("too many" was one of
//! the complaints), five unless the customer's tier sets another. The day is the customer's
//! calendar day on the clock that applies (the roaming country's while abroad, as for quiet
//! hours). Over the cap a reminder waits for the next day's start, after that morning's quiet
//! hours; if that is past its deadline it is suppressed rather than sent late. A merged
//! message counts once: the cap is on what reaches the phone, not on reminders.
//!
//! Not capped, and not counted: urgent reminders (arrears before suspension, a sensitive query
//! on the account: holding them back a day could cost the customer the line or hide fraud) and
//! mandatory ones (notices the operator must deliver whatever the customer's preferences, so a
//! cap must not become a way to drop them).

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveTime, Utc};
use chrono_tz::Tz;
use vipcare_domain::{Invalid, Violation, tier_code};

use super::quiet::{QuietHours, first_instant_at_or_after};

pub const DEFAULT_DAILY_CAP: u32 = 5;
/// Beyond this a cap no longer protects anyone; a larger setting is a typo.
pub const MAX_DAILY_CAP: u32 = 100;

/// Whether a reminder is subject to (and counts towards) the daily cap.
pub fn is_capped(urgent: bool, mandatory: bool) -> bool {
    !urgent && !mandatory
}

/// The daily cap, with per-tier exceptions keyed by tier code (e.g. "PLATINUM").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCap {
    default: u32,
    per_tier: BTreeMap<String, u32>,
}

impl Default for DailyCap {
    fn default() -> DailyCap {
        DailyCap {
            default: DEFAULT_DAILY_CAP,
            per_tier: BTreeMap::new(),
        }
    }
}

/// A cap of zero would silence every non-urgent reminder, which is what opting out is for.
fn limit(n: u32) -> Result<u32, Invalid> {
    if (1..=MAX_DAILY_CAP).contains(&n) {
        Ok(n)
    } else {
        Err(Invalid::new(format!(
            "must be 1 to {MAX_DAILY_CAP} messages a day"
        )))
    }
}

impl DailyCap {
    /// Violations name `default`.
    pub fn new(default: u32) -> Result<DailyCap, Violation> {
        Ok(DailyCap {
            default: limit(default).map_err(|e| e.at("default"))?,
            per_tier: BTreeMap::new(),
        })
    }

    /// Violations name `per_tier.<code>`.
    pub fn with_tier(mut self, tier: &str, cap: u32) -> Result<DailyCap, Violation> {
        let field = format!("per_tier.{tier}");
        let tier = tier_code(tier).map_err(|e| e.at(field.clone()))?;
        self.per_tier
            .insert(tier.to_owned(), limit(cap).map_err(|e| e.at(field))?);
        Ok(self)
    }

    /// The cap for a tier code; tiers without an exception (or no tier) get the default.
    pub fn limit_for(&self, tier: &str) -> u32 {
        self.per_tier.get(tier).copied().unwrap_or(self.default)
    }

    /// What the cap makes of a capped reminder planned for `planned`, with `sent_today`
    /// capped messages already sent on that calendar day (see [`calendar_day`]).
    pub fn decide(
        &self,
        ask: &CapQuery<'_>,
        quiet: &QuietHours,
        roaming: Option<Tz>,
    ) -> CapDecision {
        if !is_capped(ask.urgent, ask.mandatory) || ask.sent_today < self.limit_for(ask.tier) {
            return CapDecision::Send;
        }
        let zone = quiet.zone(roaming);
        let Some(tomorrow) = calendar_day(ask.planned, zone).map(|(_, next)| next) else {
            return CapDecision::Suppress { next_chance: None };
        };
        let until = quiet.quiet_until(tomorrow, roaming).unwrap_or(tomorrow);
        if until <= ask.deadline {
            CapDecision::Defer { until }
        } else {
            CapDecision::Suppress {
                next_chance: Some(until),
            }
        }
    }
}

/// What the cap is asked about one reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapQuery<'a> {
    /// The customer's tier code; "" when unknown (the default cap applies).
    pub tier: &'a str,
    pub urgent: bool,
    pub mandatory: bool,
    pub sent_today: u32,
    pub planned: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapDecision {
    Send,
    /// Over the cap: wait for the next day's first moment outside quiet hours.
    Defer {
        until: DateTime<Utc>,
    },
    /// Over the cap, and the next chance (when known) is past the deadline.
    Suppress {
        next_chance: Option<DateTime<Utc>>,
    },
}

/// The customer's calendar day containing `at` on `zone`'s clock: its first instant and the
/// next day's, the interval in which sent messages are counted. A day may be 23 or 25 hours
/// long, and one whose midnight the clock skips starts when the clock jumps.
pub fn calendar_day(at: DateTime<Utc>, zone: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let date = at.with_timezone(&zone).date_naive();
    let next = date.checked_add_days(Days::new(1))?;
    let start = first_instant_at_or_after(zone, date.and_time(NaiveTime::MIN))?;
    let end = first_instant_at_or_after(zone, next.and_time(NaiveTime::MIN))?;
    Some((start, end))
}

#[cfg(test)]
#[path = "cap_tests.rs"]
mod tests;
