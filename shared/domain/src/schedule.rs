//! When scheduled work is due: a cron expression (the five standard fields, as crontab and
//! Kubernetes CronJobs write them) read on the operator's calendar, Asia/Shanghai, whatever
//! zone the server runs in. An empty expression schedules nothing.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use croner::Cron;

use crate::Invalid;

/// A parsed schedule. Its text is kept to say which schedule a fire belonged to.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    text: String,
}

impl Schedule {
    /// `text` as a schedule: `None` when empty (nothing scheduled), refused when it is not a
    /// five-field cron expression that ever fires.
    pub fn parse(text: &str) -> Result<Option<Schedule>, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.split_whitespace().count() != 5 {
            return Err(Invalid::new(format!(
                "\"{text}\" is not a cron expression of five fields \
                 (minute hour day-of-month month day-of-week)"
            )));
        }
        let cron = Cron::from_str(text)
            .map_err(|e| Invalid::new(format!("\"{text}\" is not a cron expression: {e}")))?;
        let schedule = Schedule {
            cron,
            text: text.to_owned(),
        };
        // "0 0 30 2 *" parses but never comes: refuse it rather than wait forever.
        if schedule.next_after(DateTime::<Utc>::UNIX_EPOCH).is_none() {
            return Err(Invalid::new(format!("\"{text}\" never fires")));
        }
        Ok(Some(schedule))
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The latest fire time at or before `now`.
    pub fn latest_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_previous_occurrence(&now.with_timezone(&Shanghai), true)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The first fire time strictly after `now`.
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&now.with_timezone(&Shanghai), false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn fire_times_are_read_in_shanghai() {
        let monthly = Schedule::parse("0 2 1 * *").unwrap().unwrap();
        // 02:00 on the 1st in Shanghai is 18:00 UTC on the last day of the month before.
        assert_eq!(
            monthly.next_after(at("2026-11-15T00:00:00Z")),
            Some(at("2026-11-30T18:00:00Z"))
        );
        assert_eq!(
            monthly.latest_until(at("2026-11-15T00:00:00Z")),
            Some(at("2026-10-31T18:00:00Z"))
        );
        // A fire time is its own latest, and not its own next.
        assert_eq!(
            monthly.latest_until(at("2026-11-30T18:00:00Z")),
            Some(at("2026-11-30T18:00:00Z"))
        );
        assert_eq!(
            monthly.next_after(at("2026-11-30T18:00:00Z")),
            Some(at("2026-12-31T18:00:00Z"))
        );
    }

    #[test]
    fn empty_is_nothing_and_bad_ones_are_refused_with_the_text() {
        assert!(Schedule::parse("  ").unwrap().is_none());
        for bad in [
            "0 2 1 *",
            "0 0 2 1 * *",
            "61 2 1 * *",
            "every month",
            "0 0 30 2 *",
        ] {
            let refused = Schedule::parse(bad).unwrap_err().to_string();
            assert!(refused.contains(bad.trim()), "{bad}: {refused}");
        }
    }
}
