//! The two instants a complaint is found by, derived from its clock facts under the policy in
//! force and kept in the complaint's schedule row (`complaint_schedules`, see migration m0005).
//! They are kept only to be found by: the facts stay the truth, and a policy change recomputes
//! both for every complaint not yet resolved.

use chrono::{DateTime, Utc};

use crate::domain::{BusinessCalendar, Level, SlaClock, SlaTarget, next_check};

/// When a complaint becomes overdue and when it must next be checked for escalation, if
/// nothing changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    /// The earliest instant a goal not yet met runs out: the time to respond (until responded)
    /// or to resolve. `None` once resolved, or while paused short of both.
    pub overdue_at: Option<DateTime<Utc>>,
    /// When the lowest level not yet fired on this clock is reached (see
    /// [`next_check`]); `None` when nothing can escalate.
    pub next_check: Option<DateTime<Utc>>,
}

impl Schedule {
    /// The schedule of `clock` held to `target`, given the levels already fired on it.
    pub fn of(
        clock: &SlaClock,
        target: &SlaTarget,
        calendar: &BusinessCalendar,
        fired: &[Level],
    ) -> Schedule {
        let overdue_at = if clock.is_resolved() {
            None
        } else {
            let respond = match clock.responded_at() {
                Some(_) => None,
                None => clock.respond_due(target, calendar),
            };
            [respond, clock.resolve_due(target, calendar)]
                .into_iter()
                .flatten()
                .min()
        };
        Schedule {
            overdue_at,
            next_check: next_check(clock, target, calendar, fired),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::domain::ClockKind;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_response_then_the_resolution_makes_a_complaint_overdue() {
        let target = SlaTarget {
            respond: TimeDelta::hours(1),
            resolve: TimeDelta::hours(10),
            clock: ClockKind::Calendar,
        };
        let calendar = BusinessCalendar::default();
        let start = at("2026-03-02T01:00:00Z");
        let mut clock = SlaClock::start(start);
        let fresh = Schedule::of(&clock, &target, &calendar, &[]);
        assert_eq!(fresh.overdue_at, Some(start + TimeDelta::hours(1)));
        // Level 1 at 80% of the time to resolve.
        assert_eq!(fresh.next_check, Some(start + TimeDelta::hours(8)));

        clock.respond(start + TimeDelta::minutes(5)).unwrap();
        let responded = Schedule::of(&clock, &target, &calendar, &[Level::Level1]);
        assert_eq!(responded.overdue_at, Some(start + TimeDelta::hours(10)));
        assert_eq!(responded.next_check, Some(start + TimeDelta::hours(10)));

        clock.resolve(start + TimeDelta::hours(2)).unwrap();
        assert_eq!(
            Schedule::of(&clock, &target, &calendar, &[]),
            Schedule::default()
        );
    }
}
