//! Walking the calendar a day at a time, cheaply. An escalation pass walks weeks of days for
//! each of up to a million complaints, and converting wall times through the time zone is most
//! of a walk's cost, so a walk converts one midnight per day, with a single offset lookup when
//! the offset has not changed since the day before, and counts in whole seconds and
//! nanoseconds rather than through calendar arithmetic.

use chrono::{
    DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
    Utc,
};
use chrono_tz::{GapInfo, Tz};

use super::{BusinessCalendar, MINUTES_PER_DAY};

pub(super) const NANOS: i128 = 1_000_000_000;
const DAY_SECONDS: i64 = 86_400;

/// The wall time `minute` minutes after a date's midnight (1440 is the next midnight).
pub(super) fn wall(date: NaiveDate, minute: u32) -> Option<NaiveDateTime> {
    let day = if minute >= MINUTES_PER_DAY {
        date.checked_add_days(Days::new(1))?
    } else {
        date
    };
    day.and_hms_opt((minute % MINUTES_PER_DAY) / 60, minute % 60, 0)
}

/// The first instant the zone's clock reads `wall`, or, when a spring-forward skips it, the
/// instant the clock jumps past it.
pub(super) fn first_instant_reading(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Tz>> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t),
        LocalResult::None => GapInfo::new(&wall, &zone)?.end,
    }
}

pub(super) fn nanos(t: DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * NANOS + i128::from(t.timestamp_subsec_nanos())
}

pub(super) fn instant(nanos: i128) -> Option<DateTime<Utc>> {
    let seconds = i64::try_from(nanos.div_euclid(NANOS)).ok()?;
    DateTime::from_timestamp(seconds, u32::try_from(nanos.rem_euclid(NANOS)).ok()?)
}

pub(super) fn duration_nanos(d: TimeDelta) -> i128 {
    i128::from(d.num_seconds()) * NANOS + i128::from(d.subsec_nanos())
}

pub(super) fn duration(nanos: i128) -> TimeDelta {
    let seconds = i64::try_from(nanos.div_euclid(NANOS)).unwrap_or(i64::MAX);
    let sub = u32::try_from(nanos.rem_euclid(NANOS)).unwrap_or(0);
    TimeDelta::new(seconds, sub).unwrap_or(TimeDelta::MAX)
}

/// A local midnight: the instant in seconds and the offset in effect then.
#[derive(Clone, Copy)]
struct Midnight {
    at: i64,
    offset: i32,
}

fn midnight(zone: Tz, date: NaiveDate) -> Option<Midnight> {
    let t = first_instant_reading(zone, date.and_time(NaiveTime::MIN))?;
    Some(Midnight {
        at: t.timestamp(),
        offset: t.offset().fix().local_minus_utc(),
    })
}

/// The local dates from a first one on, each with its open hours as instants in seconds.
pub(super) struct DayWalk<'a> {
    calendar: &'a BusinessCalendar,
    date: Option<NaiveDate>,
    /// The date's midnight as wall time, in seconds as if it were UTC.
    wall_midnight: i64,
    midnight: Option<Midnight>,
}

impl<'a> DayWalk<'a> {
    pub(super) fn from(calendar: &'a BusinessCalendar, date: NaiveDate) -> DayWalk<'a> {
        DayWalk {
            calendar,
            date: Some(date),
            wall_midnight: date.and_time(NaiveTime::MIN).and_utc().timestamp(),
            midnight: midnight(calendar.zone(), date),
        }
    }

    /// The next midnight: read at today's offset when that is still the offset then, as on
    /// all days but clock changes; looked up exactly otherwise.
    fn next_midnight(&self, zone: Tz, next: NaiveDate) -> Option<Midnight> {
        if let Some(this) = self.midnight {
            let at = self.wall_midnight + DAY_SECONDS - i64::from(this.offset);
            let offset = DateTime::from_timestamp(at, 0).map(|t| {
                zone.offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc()
            });
            if offset == Some(this.offset) {
                return Some(Midnight {
                    at,
                    offset: this.offset,
                });
            }
        }
        midnight(zone, next)
    }
}

impl Iterator for DayWalk<'_> {
    type Item = (NaiveDate, Option<(i64, i64)>);

    fn next(&mut self) -> Option<Self::Item> {
        let date = self.date?;
        let zone = self.calendar.zone();
        let next = date.succ_opt();
        let next_midnight = next.and_then(|d| self.next_midnight(zone, d));
        let open = self.calendar.hours_on(date).and_then(|hours| {
            match (self.midnight, next_midnight) {
                // A day from midnight to midnight at one offset: its hours lie minutes after
                // midnight. That assumes no zone changes its offset and back within one day,
                // which none does.
                (Some(this), Some(next)) if next.at - this.at == DAY_SECONDS => {
                    let at = |minute: u32| this.at + i64::from(minute) * 60;
                    Some((at(hours.start_minute), at(hours.end_minute)))
                }
                _ => self
                    .calendar
                    .open_on(date)
                    .map(|(open, close)| (open.timestamp(), close.timestamp())),
            }
        });
        self.date = next;
        self.wall_midnight += DAY_SECONDS;
        self.midnight = next_midnight;
        Some((date, open))
    }
}
