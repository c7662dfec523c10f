//! Fields the promise, follow-up and compensation requests share: the ids of records and of
//! the staff member acting, `expected_version`, a time that must lie ahead. Each check names
//! the field as the contract spells it, and [`Refusals`] gathers them, so a caller learns of
//! every refused field at once and nothing is half-accepted.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::time::{fits_timestamp, timestamp_in_range};
use vipcare_domain::{Invalid, Violation};

use crate::domain::text::{MAX_REASON_CHARS, party_id, required_line};

/// The refused fields of one request, in the order they were checked.
#[derive(Debug, Default)]
pub struct Refusals(Vec<Violation>);

impl Refusals {
    /// The value when `found` was accepted; otherwise its violation is kept and `None` returned.
    pub fn check<T>(&mut self, found: Result<T, Violation>) -> Option<T> {
        found.map_err(|refused| self.0.push(refused)).ok()
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

/// A required id (of a complaint, a promise, a ledger entry, a staff member): 1-64
/// characters without spaces, so that one which is no id at all is never looked up nor
/// echoed back in a NOT_FOUND.
pub fn id(value: &str, field: &str) -> Result<String, Violation> {
    party_id(value).map_err(|e| e.at(field))
}

/// A required one-line text of at most 500 characters (a promise, a note, a reason).
pub fn line(value: &str, field: &str) -> Result<String, Violation> {
    required_line(value, MAX_REASON_CHARS).map_err(|e| e.at(field))
}

/// `expected_version`: 0 skips the check, a negative one is refused.
pub fn expected_version(value: i64) -> Result<Option<u64>, Violation> {
    match u64::try_from(value) {
        Ok(0) => Ok(None),
        Ok(version) => Ok(Some(version)),
        Err(_) => Err(Invalid::new("must be 0 (no check) or a version").at("expected_version")),
    }
}

/// Room kept after a due time for the reminders it leads to (a staff task stays worth doing
/// for days after it was due): their times must still be valid timestamps.
const REMINDER_ROOM: TimeDelta = TimeDelta::days(30);

/// A required time after `now`. One so far ahead that the reminder it leads to could not be
/// written is refused too: accepted, it would wait in the outbox for ever.
pub fn future_time(
    value: Option<&prost_types::Timestamp>,
    field: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Violation> {
    let Some(t) = value else {
        return Err(Invalid::new("required").at(field));
    };
    let t = timestamp_in_range(t.seconds, t.nanos).map_err(|e| e.at(field))?;
    if t <= now {
        return Err(Invalid::new("must be in the future").at(field));
    }
    if t.checked_add_signed(REMINDER_ROOM)
        .is_none_or(|room| !fits_timestamp(room))
    {
        return Err(Invalid::new("too far in the future to be reminded of").at(field));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> prost_types::Timestamp {
        prost_types::Timestamp { seconds, nanos: 0 }
    }

    #[test]
    fn refusals_keep_every_field_in_order() {
        let mut refused = Refusals::default();
        assert_eq!(refused.check(id("", "complaint_id")), None);
        assert_eq!(
            refused.check(id("E1001", "actor")).as_deref(),
            Some("E1001")
        );
        assert_eq!(refused.check(line(" ", "text")), None);
        let fields: Vec<_> = refused.into_vec().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["complaint_id", "text"]);
    }

    #[test]
    fn expected_version_zero_skips_the_check() {
        assert_eq!(expected_version(0), Ok(None));
        assert_eq!(expected_version(3), Ok(Some(3)));
        assert_eq!(expected_version(-1).unwrap_err().field, "expected_version");
    }

    #[test]
    fn a_time_must_be_given_and_lie_ahead() {
        let now = DateTime::from_timestamp(1_000, 0).unwrap();
        assert_eq!(
            future_time(Some(&at(1_001)), "due_at", now),
            Ok(DateTime::from_timestamp(1_001, 0).unwrap())
        );
        for refused in [None, Some(at(1_000)), Some(at(999)), Some(at(i64::MAX))] {
            let violation = future_time(refused.as_ref(), "due_at", now).unwrap_err();
            assert_eq!(violation.field, "due_at", "{refused:?}");
        }
        let last_second = at(vipcare_domain::time::TIMESTAMP_MAX_SECONDS);
        assert!(future_time(Some(&last_second), "due_at", now).is_err());
    }
}
