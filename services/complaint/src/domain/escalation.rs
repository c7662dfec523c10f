//! Escalation of a complaint that is running out of time to be resolved. At 80% of the time
//! allowed the handler's supervisor gets a staff task (level 1), so there is still time to act;
//! at the breach it goes one step higher (level 2).
//!
//! The escalation job may run often and may run twice: each level fires once per clock, so a
//! pass is told which levels have fired and returns only the new ones. A reopened complaint
//! has a new clock, and with it nothing fired yet. A clock paused for the customer or stopped
//! by resolution never escalates; a paused one catches up when it resumes.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::coded_enum;

use super::calendar::BusinessCalendar;
use super::clock::SlaClock;
use super::sla::SlaTarget;

coded_enum! {
    /// How far a complaint has been escalated, in rising order.
    Level {
        /// 80% of the time to resolve used: a staff task to the handler's supervisor.
        Level1 = "LEVEL_1",
        /// The time to resolve used up: the target is breached.
        Level2 = "LEVEL_2",
    }
}

impl Level {
    /// The time to resolve, counted on the target's clock, at which the level is reached.
    pub fn threshold(self, target: &SlaTarget) -> TimeDelta {
        match self {
            // 80%, rounded up to the nanosecond, and no overflow however long the target.
            Level::Level1 => target.resolve - target.resolve / 5,
            Level::Level2 => target.resolve,
        }
    }
}

/// The levels reached by `now` and not yet fired, lowest first: both, when a pass finds a
/// clock already past its breach.
pub fn due_levels(
    clock: &SlaClock,
    target: &SlaTarget,
    calendar: &BusinessCalendar,
    already_fired: &[Level],
    now: DateTime<Utc>,
) -> Vec<Level> {
    if !escalates(clock) {
        return Vec::new();
    }
    let used = clock.elapsed(target.clock, calendar, now);
    Level::ALL
        .iter()
        .copied()
        .filter(|level| !already_fired.contains(level) && used >= level.threshold(target))
        .collect()
}

/// When the lowest level not yet fired is reached if nothing changes, so the store can index
/// a complaint by it and a pass reads only the complaints due. It may lie in the past: a level
/// reached and not yet fired. `None` when nothing is left to fire, or the clock is paused or
/// stopped (whatever changes that sets a new instant).
pub fn next_check(
    clock: &SlaClock,
    target: &SlaTarget,
    calendar: &BusinessCalendar,
    already_fired: &[Level],
) -> Option<DateTime<Utc>> {
    if !escalates(clock) {
        return None;
    }
    let level = Level::ALL
        .iter()
        .copied()
        .find(|level| !already_fired.contains(level))?;
    clock.reaches(target.clock, level.threshold(target), calendar)
}

fn escalates(clock: &SlaClock) -> bool {
    !clock.is_paused() && !clock.is_resolved()
}

#[cfg(test)]
#[path = "escalation_tests.rs"]
mod tests;
