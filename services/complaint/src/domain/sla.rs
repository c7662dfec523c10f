//! The SLA policy: how soon a complaint must be responded to and resolved, by the customer's
//! tier and the complaint's severity, and on which clock that time runs — around the clock,
//! or only in the operator's working hours.
//!
//! Tiers are the tiering service's codes, kept as text here: this service learns them from
//! the tier it is told, not from a closed list. A tier the policy has no row for falls back to
//! the default tier's row, so a new tier is served at least as fast as a standard customer.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation, coded_enum, tier_code};

use super::calendar::BusinessCalendar;
use super::codes::Severity;

coded_enum! {
    /// The clock an SLA target runs on.
    ClockKind {
        /// Elapsed time, 24×7.
        Calendar = "CALENDAR",
        /// The business calendar's working time.
        Business = "BUSINESS",
    }
}

impl ClockKind {
    /// The time this clock counts from `from` to `to`; zero unless `to` is after `from`.
    pub fn between(
        self,
        calendar: &BusinessCalendar,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> TimeDelta {
        match self {
            ClockKind::Calendar => (to - from).max(TimeDelta::zero()),
            ClockKind::Business => calendar.business_time_between(from, to),
        }
    }

    /// The instant this clock has counted `d` after `from` (`None` past the calendar's horizon).
    pub fn advance(
        self,
        calendar: &BusinessCalendar,
        from: DateTime<Utc>,
        d: TimeDelta,
    ) -> Option<DateTime<Utc>> {
        match self {
            ClockKind::Calendar => from.checked_add_signed(d.max(TimeDelta::zero())),
            ClockKind::Business => calendar.add_business_time(from, d),
        }
    }
}

/// The time allowed for one tier and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaTarget {
    pub respond: TimeDelta,
    pub resolve: TimeDelta,
    pub clock: ClockKind,
}

/// The longest target accepted: a year, so every due time is found well within the
/// calendar's horizon.
pub const LONGEST_TARGET: TimeDelta = TimeDelta::days(366);

/// The tier whose row serves tiers the policy does not list.
pub const DEFAULT_TIER: &str = "STANDARD";

/// A checked policy: a complete row of targets per tier, and a default tier that has a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    default_tier: String,
    // A copy of the default tier's row, so the fallback needs no second lookup.
    default_row: [SlaTarget; 4],
    // Indexed by severity, in `Severity::ALL` order.
    rows: BTreeMap<String, [SlaTarget; 4]>,
}

impl SlaPolicy {
    /// Violations name the field, e.g. `targets[DIAMOND].HIGH.resolve`,
    /// `targets[GOLD].MEDIUM` (missing) or `default_tier`.
    pub fn new(
        default_tier: &str,
        targets: BTreeMap<String, BTreeMap<Severity, SlaTarget>>,
    ) -> Result<SlaPolicy, Violation> {
        let mut rows = BTreeMap::new();
        for (tier, row) in targets {
            if tier_code(&tier).is_err() {
                return Err(Invalid::new(format!(
                    "tier code {tier:?} must be 1 to 32 capital letters, digits or underscores"
                ))
                .at("targets"));
            }
            let cell = |severity: Severity| {
                let field = format!("targets[{tier}].{}", severity.code());
                let target = row
                    .get(&severity)
                    .ok_or_else(|| Invalid::new("every severity needs a target").at(&field))?;
                check_target(*target).map_err(|v| v.under(&field))
            };
            // In `severity_index` order.
            let checked = [
                cell(Severity::Low)?,
                cell(Severity::Medium)?,
                cell(Severity::High)?,
                cell(Severity::Critical)?,
            ];
            rows.insert(tier, checked);
        }
        let default_row = *rows
            .get(default_tier)
            .ok_or_else(|| Invalid::new("must be a tier listed in targets").at("default_tier"))?;
        Ok(SlaPolicy {
            default_tier: default_tier.to_owned(),
            default_row,
            rows,
        })
    }

    /// The target for a tier and severity; a tier without a row gets the default tier's.
    pub fn target(&self, tier: &str, severity: Severity) -> SlaTarget {
        self.rows.get(tier).unwrap_or(&self.default_row)[severity_index(severity)]
    }

    pub fn default_tier(&self) -> &str {
        &self.default_tier
    }

    /// Every target, by tier then severity, as an update would list them.
    pub fn targets(&self) -> impl Iterator<Item = (&str, Severity, SlaTarget)> + '_ {
        self.rows.iter().flat_map(|(tier, row)| {
            Severity::ALL
                .iter()
                .zip(row)
                .map(move |(severity, target)| (tier.as_str(), *severity, *target))
        })
    }
}

impl Default for SlaPolicy {
    /// Higher tiers and higher severities are never slower: each step down the table or
    /// right along a row shortens both times, or moves from the business clock to the
    /// calendar clock (which runs at least as fast) without lengthening them.
    fn default() -> SlaPolicy {
        use ClockKind::{Business as B, Calendar as C};
        let m = TimeDelta::minutes;
        let h = TimeDelta::hours;
        let cell = |clock, respond, resolve| SlaTarget {
            respond,
            resolve,
            clock,
        };
        // LOW, MEDIUM, HIGH, CRITICAL. A working day is 9 h: 45 h is five of them.
        #[rustfmt::skip]
        let table = [
            ("STANDARD", [cell(B, h(24), h(45)), cell(B, h(8), h(45)), cell(B, h(4), h(36)), cell(C, h(2), h(24))]),
            ("SILVER",   [cell(B, h(16), h(45)), cell(B, h(6), h(36)), cell(B, h(3), h(27)), cell(C, h(1), h(24))]),
            ("GOLD",     [cell(B, h(8), h(36)),  cell(B, h(4), h(27)), cell(B, h(2), h(27)), cell(C, h(1), h(24))]),
            ("PLATINUM", [cell(B, h(4), h(27)),  cell(B, h(2), h(27)), cell(C, h(1), h(24)), cell(C, m(30), h(12))]),
            ("DIAMOND",  [cell(B, h(2), h(27)),  cell(B, h(1), h(24)), cell(C, m(30), h(24)), cell(C, m(15), h(8))]),
        ];
        SlaPolicy {
            default_tier: DEFAULT_TIER.to_owned(),
            default_row: table[0].1,
            rows: table
                .into_iter()
                .map(|(tier, row)| (tier.to_owned(), row))
                .collect(),
        }
    }
}

fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
        Severity::Critical => 3,
    }
}

fn check_target(target: SlaTarget) -> Result<SlaTarget, Violation> {
    for (name, d) in [("respond", target.respond), ("resolve", target.resolve)] {
        if d <= TimeDelta::zero() {
            return Err(Invalid::new("must be longer than zero").at(name));
        }
        if d > LONGEST_TARGET {
            return Err(Invalid::new("must be at most 366 days").at(name));
        }
    }
    if target.respond > target.resolve {
        return Err(Invalid::new("must not be longer than resolve").at("respond"));
    }
    Ok(target)
}

#[cfg(test)]
#[path = "sla_tests.rs"]
mod tests;
