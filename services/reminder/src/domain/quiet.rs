//! Quiet hours: the wall-clock hours in which nothing that is not urgent may reach the
//! customer. They are read on the clock the customer lives by: the home zone, or while roaming
//! the zone of the country they are in (the customer asleep in Paris is not woken because it
//! is noon in Shanghai). A reminder due in quiet hours waits for their end, and expires instead
//! when that end is past its deadline: a stale reminder is never sent.
//!
//! Deadlines are inclusive: a reminder may go at its deadline, not after it. Wall times that a
//! daylight-saving change skips or repeats are resolved to the first instant the clock reads
//! them (or, when skipped, jumps past them).

use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use vipcare_domain::{Invalid, Violation};

/// Quiet hours on the customer's wall clock; `start` after `end` spans midnight. Equal start
/// and end are refused: it is unclear whether that means never or always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
    home_zone: Tz,
}

impl Default for QuietHours {
    /// 22:00–08:00 Asia/Shanghai, the profile service's default.
    fn default() -> QuietHours {
        QuietHours {
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            home_zone: chrono_tz::Asia::Shanghai,
        }
    }
}

/// An IANA time zone by name, e.g. "Asia/Shanghai".
pub fn time_zone(name: &str) -> Result<Tz, Invalid> {
    name.parse()
        .map_err(|_| Invalid::new("must be an IANA time zone, e.g. Asia/Shanghai"))
}

/// What quiet hours make of a planned send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuietDecision {
    /// Send at the planned time.
    Send,
    /// Planned inside quiet hours: send when they end.
    Defer { until: DateTime<Utc> },
    /// Sending would be late: the plan itself is past the deadline (`quiet_until` is `None`),
    /// or quiet hours end after it.
    Expire { quiet_until: Option<DateTime<Utc>> },
}

impl QuietHours {
    /// Violations name `start`, `end` or `time_zone`.
    pub fn new(start: NaiveTime, end: NaiveTime, zone: &str) -> Result<QuietHours, Violation> {
        let home_zone = time_zone(zone).map_err(|e| e.at("time_zone"))?;
        if start == end {
            return Err(Invalid::new("must differ from start").at("end"));
        }
        Ok(QuietHours {
            start,
            end,
            home_zone,
        })
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    pub fn home_zone(&self) -> Tz {
        self.home_zone
    }

    /// The zone whose clock applies: the roaming country's while abroad, else home.
    pub fn zone(&self, roaming: Option<Tz>) -> Tz {
        roaming.unwrap_or(self.home_zone)
    }

    fn covers(&self, wall: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= wall && wall < self.end
        } else {
            wall >= self.start || wall < self.end
        }
    }

    /// Whether `at` falls in quiet hours on the applicable wall clock.
    pub fn contains(&self, at: DateTime<Utc>, roaming: Option<Tz>) -> bool {
        self.covers(at.with_timezone(&self.zone(roaming)).time())
    }

    /// When the quiet period containing `at` ends, or `None` if `at` is not in one.
    pub fn quiet_until(&self, at: DateTime<Utc>, roaming: Option<Tz>) -> Option<DateTime<Utc>> {
        let zone = self.zone(roaming);
        let local = at.with_timezone(&zone).naive_local();
        if !self.covers(local.time()) {
            return None;
        }
        // The next time the wall clock reaches `end`: today's or tomorrow's (the day after
        // too, should a zone skip a whole day), whichever comes first after `at`.
        (0..=2)
            .filter_map(|d| local.date().checked_add_days(Days::new(d)))
            .flat_map(|date| instants_reading(zone, date.and_time(self.end)))
            .filter(|t| *t > at)
            .min()
    }

    /// When a reminder planned for `planned` may go, given its deadline. An urgent reminder
    /// ignores quiet hours, but never its deadline.
    pub fn decide(
        &self,
        planned: DateTime<Utc>,
        deadline: DateTime<Utc>,
        urgent: bool,
        roaming: Option<Tz>,
    ) -> QuietDecision {
        if planned > deadline {
            return QuietDecision::Expire { quiet_until: None };
        }
        if urgent {
            return QuietDecision::Send;
        }
        match self.quiet_until(planned, roaming) {
            None => QuietDecision::Send,
            Some(until) if until <= deadline => QuietDecision::Defer { until },
            Some(until) => QuietDecision::Expire {
                quiet_until: Some(until),
            },
        }
    }
}

/// The instants at which `zone`'s wall clock reads `wall`: one; two when a fall-back repeats
/// the hour; or, when a spring-forward skips it, the instant the clock jumps past it.
pub fn instants_reading(zone: Tz, wall: NaiveDateTime) -> Vec<DateTime<Utc>> {
    use chrono::LocalResult;
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => vec![t.to_utc()],
        LocalResult::Ambiguous(a, b) => vec![a.to_utc(), b.to_utc()],
        LocalResult::None => jump_past(zone, wall).into_iter().collect(),
    }
}

/// The first instant whose wall time is at or after `wall`, found by bisection: offsets lie
/// within UTC−12 to UTC+14, so that instant lies within a day either side of `wall` read as
/// UTC, where a single skip makes wall time rise monotonically.
pub fn first_instant_at_or_after(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&wall) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
        chrono::LocalResult::None => jump_past(zone, wall),
    }
}

fn jump_past(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    let guess = wall.and_utc().timestamp();
    let reached = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0)
            .is_some_and(|t| t.with_timezone(&zone).naive_local() >= wall)
    };
    let (mut lo, mut hi) = (guess - 15 * 3600, guess + 13 * 3600);
    if reached(lo) || !reached(hi) {
        return None;
    }
    // Offsets change on whole seconds, so whole seconds find the jump exactly.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}

#[cfg(test)]
#[path = "quiet_tests.rs"]
mod tests;
