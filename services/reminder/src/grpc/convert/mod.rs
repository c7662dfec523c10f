//! Conversions between the `vipcare.reminder.v1` contract and the domain. Messages are
//! destructured field by field in both directions, so a field added to the contract or to a
//! domain type fails to compile here until someone decides what it means; refusals name the
//! field's path in the request.

mod enums;
pub mod events;
mod reminder;
mod rule;
mod stats;
mod template;

pub use enums::{
    channel_from_proto, channel_to_proto, encoding_to_proto, grouping_from_proto,
    outcome_from_proto, outcome_to_proto, required, required_list, state_from_proto,
    state_to_proto, touchpoint_from_proto, touchpoint_to_proto,
};
pub use reminder::{
    attempt_to_proto, change_to_proto, list_filter_from_proto, reminder_to_proto,
    schedule_from_proto,
};
pub use rule::{rule_change_from_proto, rule_to_proto};
pub use stats::stats_to_proto;
pub use template::{preview_to_proto, template_from_proto, template_to_proto};

use chrono::{DateTime, TimeDelta, Utc};
use prost_types::{Duration, Timestamp};
use vipcare_domain::time::timestamp_in_range;
use vipcare_domain::{Invalid, Violation, page_size};

pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

/// A timestamp from a request, refused outside protobuf's valid range: stored, such a time
/// would make every later answer that shows it unreadable to JSON clients.
pub fn time_from_proto(t: &Timestamp) -> Result<DateTime<Utc>, Invalid> {
    let Timestamp { seconds, nanos } = *t;
    timestamp_in_range(seconds, nanos)
}

/// An optional timestamp from a request, its violation named `field`.
pub fn optional_time(
    t: Option<&Timestamp>,
    field: &str,
) -> Result<Option<DateTime<Utc>>, Violation> {
    t.map(time_from_proto).transpose().map_err(|e| e.at(field))
}

pub fn duration_to_proto(d: TimeDelta) -> Duration {
    Duration {
        seconds: d.num_seconds(),
        nanos: d.subsec_nanos(),
    }
}

/// A duration from a request: nanos of 0 to ±999,999,999 with the sign of the seconds, and a
/// size chrono can hold (the callers bound it further).
pub fn duration_from_proto(d: &Duration) -> Result<TimeDelta, Invalid> {
    let Duration { seconds, nanos } = *d;
    let signs_agree = (seconds >= 0 && nanos >= 0) || (seconds <= 0 && nanos <= 0);
    if !(-999_999_999..=999_999_999).contains(&nanos) || !signs_agree {
        return Err(Invalid::new(
            "nanos must be -999999999 to 999999999, with the sign of the seconds",
        ));
    }
    TimeDelta::try_seconds(seconds)
        .and_then(|s| s.checked_add(&TimeDelta::nanoseconds(i64::from(nanos))))
        .ok_or_else(|| Invalid::new("out of range"))
}

/// Page size: 0 means 50, larger than 500 is clamped, negative is refused.
pub fn page_size_from_proto(requested: i32) -> Result<u64, Violation> {
    page_size(requested, 50, 500).map_err(|e| e.at("page_size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip_and_refuse_mixed_signs() {
        let d = TimeDelta::hours(6) + TimeDelta::milliseconds(250);
        assert_eq!(duration_from_proto(&duration_to_proto(d)), Ok(d));
        let mixed = Duration {
            seconds: 5,
            nanos: -1,
        };
        assert!(duration_from_proto(&mixed).is_err());
        let huge = Duration {
            seconds: i64::MAX,
            nanos: 0,
        };
        assert!(duration_from_proto(&huge).is_err());
    }

    #[test]
    fn times_outside_the_contract_are_refused_by_field() {
        let year_10000 = Timestamp {
            seconds: 253_402_300_800,
            nanos: 0,
        };
        assert_eq!(
            optional_time(Some(&year_10000), "send_at")
                .unwrap_err()
                .field,
            "send_at"
        );
        assert_eq!(optional_time(None, "send_at"), Ok(None));
        let now = DateTime::from_timestamp(1_780_000_000, 5).unwrap();
        assert_eq!(time_from_proto(&timestamp(now)), Ok(now));
    }

    #[test]
    fn pages_default_clamp_and_refuse_negative() {
        assert_eq!(page_size_from_proto(0), Ok(50));
        assert_eq!(page_size_from_proto(10_000), Ok(500));
        assert_eq!(page_size_from_proto(-1).unwrap_err().field, "page_size");
    }
}
