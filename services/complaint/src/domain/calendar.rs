//! The operator's business calendar: the working hours SLA clocks on the business clock count.
//! Hours are read on the operator's wall clock (Asia/Shanghai unless configured), per weekday;
//! holidays are off even on a weekday, and make-up working days (China's 调休, a Saturday
//! worked to bridge a holiday) are worked even on a weekend.
//!
//! Both operations walk the calendar a day at a time, never a minute at a time: an escalation
//! pass runs them for up to a million complaints. A walk stops after [`HORIZON_DAYS`], so a
//! calendar with (almost) no working time cannot make it loop forever: counting saturates at
//! the horizon, and adding reports that the time is not reached within it.
//!
//! Wall times a daylight-saving change repeats are read at their first instant; wall times it
//! skips at the instant the clock jumps past them.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use vipcare_domain::{Invalid, Violation};

use walk::{DayWalk, NANOS, duration, duration_nanos, first_instant_reading, instant, nanos, wall};

#[path = "calendar_walk.rs"]
mod walk;

/// How far a walk goes before it gives up: ten years of days, far beyond any SLA target.
pub const HORIZON_DAYS: u64 = 3653;

const MINUTES_PER_DAY: u32 = 24 * 60;

/// Working hours of one day, as minutes from local midnight; `end` of 1440 is the next midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    pub start_minute: u32,
    pub end_minute: u32,
}

impl WorkingHours {
    /// 09:00–18:00, the operator's office day.
    pub const OFFICE: WorkingHours = WorkingHours {
        start_minute: 9 * 60,
        end_minute: 18 * 60,
    };

    fn check(self) -> Result<WorkingHours, Violation> {
        let minute = "must be a minute of the day, 0 to 1440";
        if self.start_minute > MINUTES_PER_DAY {
            return Err(Invalid::new(minute).at("start"));
        }
        if self.end_minute > MINUTES_PER_DAY {
            return Err(Invalid::new(minute).at("end"));
        }
        if self.end_minute <= self.start_minute {
            return Err(Invalid::new("must be after start").at("end"));
        }
        Ok(self)
    }
}

/// A calendar as settings or storage hold it, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDraft {
    /// An IANA time zone, e.g. "Asia/Shanghai".
    pub time_zone: String,
    /// Monday first; `None` is a day off.
    pub working_hours: [Option<WorkingHours>; 7],
    /// The hours of a make-up working day, whatever weekday it falls on.
    pub make_up_hours: WorkingHours,
    pub holidays: Vec<NaiveDate>,
    pub make_up_days: Vec<NaiveDate>,
}

impl Default for CalendarDraft {
    /// Asia/Shanghai, Monday to Friday 09:00–18:00, no holidays.
    fn default() -> CalendarDraft {
        let office = Some(WorkingHours::OFFICE);
        CalendarDraft {
            time_zone: "Asia/Shanghai".to_owned(),
            working_hours: [office, office, office, office, office, None, None],
            make_up_hours: WorkingHours::OFFICE,
            holidays: Vec::new(),
            make_up_days: Vec::new(),
        }
    }
}

/// A checked business calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    zone: Tz,
    week: [Option<WorkingHours>; 7],
    make_up_hours: WorkingHours,
    holidays: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> BusinessCalendar {
        let draft = CalendarDraft::default();
        BusinessCalendar {
            zone: chrono_tz::Asia::Shanghai,
            week: draft.working_hours,
            make_up_hours: draft.make_up_hours,
            holidays: BTreeSet::new(),
            make_up_days: BTreeSet::new(),
        }
    }
}

impl BusinessCalendar {
    /// Violations name the field under `calendar`, e.g. `calendar.working_hours[2].end`
    /// (Wednesday's), `calendar.make_up_days[0]`, `calendar.time_zone`.
    pub fn new(draft: CalendarDraft) -> Result<BusinessCalendar, Violation> {
        let zone: Tz = draft.time_zone.parse().map_err(|_| {
            Invalid::new("must be an IANA time zone, e.g. Asia/Shanghai").at("calendar.time_zone")
        })?;
        for (day, hours) in draft.working_hours.iter().enumerate() {
            if let Some(hours) = hours {
                hours
                    .check()
                    .map_err(|v| v.under(&format!("calendar.working_hours[{day}]")))?;
            }
        }
        // Make-up days are finite, so only the week guarantees working time keeps coming.
        if draft.working_hours.iter().all(Option::is_none) {
            return Err(Invalid::new("at least one weekday must have working hours")
                .at("calendar.working_hours"));
        }
        let make_up_hours = draft
            .make_up_hours
            .check()
            .map_err(|v| v.under("calendar.make_up_hours"))?;
        let holidays: BTreeSet<NaiveDate> = draft.holidays.into_iter().collect();
        for (i, day) in draft.make_up_days.iter().enumerate() {
            if holidays.contains(day) {
                return Err(Invalid::new("is also listed as a holiday")
                    .at(format!("calendar.make_up_days[{i}]")));
            }
        }
        Ok(BusinessCalendar {
            zone,
            week: draft.working_hours,
            make_up_hours,
            holidays,
            make_up_days: draft.make_up_days.into_iter().collect(),
        })
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The calendar as settings and storage hold it (dates in order), so it can be shown and
    /// stored and checked again into the same calendar.
    pub fn to_draft(&self) -> CalendarDraft {
        CalendarDraft {
            time_zone: self.zone.name().to_owned(),
            working_hours: self.week,
            make_up_hours: self.make_up_hours,
            holidays: self.holidays.iter().copied().collect(),
            make_up_days: self.make_up_days.iter().copied().collect(),
        }
    }

    /// The working hours of a local date: none on a holiday, the make-up hours on a make-up
    /// day, else the weekday's.
    pub fn hours_on(&self, date: NaiveDate) -> Option<WorkingHours> {
        if self.holidays.contains(&date) {
            None
        } else if self.make_up_days.contains(&date) {
            Some(self.make_up_hours)
        } else {
            self.week[date.weekday().num_days_from_monday() as usize]
        }
    }

    /// The instants a local date is open, or `None` on a day off (or one a clock change
    /// leaves no working time in).
    pub fn open_on(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let hours = self.hours_on(date)?;
        let open = first_instant_reading(self.zone, wall(date, hours.start_minute)?)?.to_utc();
        let close = first_instant_reading(self.zone, wall(date, hours.end_minute)?)?.to_utc();
        (close > open).then_some((open, close))
    }

    /// Working time between two instants; zero unless `end` is after `start`. Spans beyond
    /// the horizon count only its first [`HORIZON_DAYS`] days.
    pub fn business_time_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> TimeDelta {
        if end <= start {
            return TimeDelta::zero();
        }
        let (start, end_nanos, last) = (nanos(start), nanos(end), self.local_date(end));
        let mut total = 0;
        // A day's hours lie within that local day, so days before start's hold nothing.
        for (date, open) in self.walk_from(start).take(HORIZON_DAYS as usize + 1) {
            if date > last {
                break;
            }
            if let Some((open, close)) = open {
                let from = (i128::from(open) * NANOS).max(start);
                let to = (i128::from(close) * NANOS).min(end_nanos);
                total += (to - from).max(0);
            }
        }
        duration(total)
    }

    /// The instant `d` of working time has elapsed after `start`; counting begins at the next
    /// opening when `start` is outside hours. Zero or less is `start` itself. `None` when the
    /// calendar holds less than `d` in the [`HORIZON_DAYS`] days from `start`.
    pub fn add_business_time(&self, start: DateTime<Utc>, d: TimeDelta) -> Option<DateTime<Utc>> {
        if d <= TimeDelta::zero() {
            return Some(start);
        }
        let (start, mut remaining) = (nanos(start), duration_nanos(d));
        for (_, open) in self.walk_from(start).take(HORIZON_DAYS as usize + 1) {
            let Some((open, close)) = open else { continue };
            let from = (i128::from(open) * NANOS).max(start);
            let available = i128::from(close) * NANOS - from;
            if available > 0 {
                // Ending exactly at closing time is that day's close, not the next opening.
                if remaining <= available {
                    return instant(from + remaining);
                }
                remaining -= available;
            }
        }
        None
    }

    fn walk_from(&self, start: i128) -> DayWalk<'_> {
        let date = instant(start).map_or(NaiveDate::MIN, |t| self.local_date(t));
        DayWalk::from(self, date)
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
