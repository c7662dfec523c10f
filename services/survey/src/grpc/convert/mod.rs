//! Contract messages to domain values and back. Requests are destructured field by field, so a
//! field added to `vipcare.survey.v1` fails to compile here until someone decides what it
//! means; every refusal names the field's path as the contract spells it
//! (`scenario.moments[3].importance`, `moment_scores[2].score`, `context.hall_id`). Incoming
//! times are checked by `vipcare_domain::time`, the rule every service shares.

pub mod codes;
pub mod invitation;
pub mod policy;
pub mod report;
pub mod response;
pub mod scenario;
pub mod score;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use vipcare_domain::time::timestamp_in_range;
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::common::v1 as common;

/// A domain time as a protobuf timestamp (the domain only holds times it accepted or computed
/// in range).
pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// An optional request time, refused outside protobuf's valid range, named `field`.
pub fn optional_time(
    t: Option<&prost_types::Timestamp>,
    field: &str,
) -> Result<Option<DateTime<Utc>>, Violation> {
    t.map(|&prost_types::Timestamp { seconds, nanos }| timestamp_in_range(seconds, nanos))
        .transpose()
        .map_err(|e| e.at(field))
}

/// A required request time, named `field`.
pub fn required_time(
    t: Option<&prost_types::Timestamp>,
    field: &str,
) -> Result<DateTime<Utc>, Violation> {
    optional_time(t, field)?.ok_or_else(|| Invalid::new("required").at(field))
}

/// A calendar day as the contract's `Date`.
pub fn date(d: NaiveDate) -> common::Date {
    common::Date {
        year: d.year(),
        month: i32::try_from(d.month()).unwrap_or(0),
        day: i32::try_from(d.day()).unwrap_or(0),
    }
}

/// Empty means "not given" for the contract's optional strings.
fn given(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_checked_at_their_field() {
        let at = |seconds| Some(prost_types::Timestamp { seconds, nanos: 0 });
        let t = required_time(at(1_780_000_000).as_ref(), "start_time").unwrap();
        assert_eq!(timestamp(t), at(1_780_000_000).unwrap());
        assert_eq!(optional_time(None, "as_of"), Ok(None));
        assert_eq!(
            required_time(None, "end_time").unwrap_err().field,
            "end_time"
        );
        let refused = optional_time(at(i64::MAX).as_ref(), "as_of").unwrap_err();
        assert_eq!(refused.field, "as_of");
    }

    #[test]
    fn dates_keep_year_month_and_day() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(
            date(d),
            common::Date {
                year: 2026,
                month: 3,
                day: 9
            }
        );
    }
}
