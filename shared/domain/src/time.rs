//! Times as the contracts carry them. A `google.protobuf.Timestamp` is only valid from
//! 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z: its JSON form (RFC 3339, four-digit
//! years) cannot spell anything else, so a time outside that range, once stored, makes every
//! answer that shows it unreadable to JSON clients. Services check each time they accept here,
//! before it is stored, and work on the seconds and nanos so this crate needs no prost.

use chrono::{DateTime, Utc};

use crate::Invalid;

/// 0001-01-01T00:00:00Z in seconds since the Unix epoch.
pub const TIMESTAMP_MIN_SECONDS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z in seconds since the Unix epoch.
pub const TIMESTAMP_MAX_SECONDS: i64 = 253_402_300_799;
const MAX_NANOS: i32 = 999_999_999;

/// The instant a `Timestamp { seconds, nanos }` names, refused (with a reason for the field
/// that carried it) unless it lies in protobuf's valid range with nanos of 0 to 999,999,999.
pub fn timestamp_in_range(seconds: i64, nanos: i32) -> Result<DateTime<Utc>, Invalid> {
    if !(0..=MAX_NANOS).contains(&nanos) {
        return Err(Invalid::new("nanos must be 0 to 999999999"));
    }
    if !(TIMESTAMP_MIN_SECONDS..=TIMESTAMP_MAX_SECONDS).contains(&seconds) {
        return Err(Invalid::new(
            "must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z",
        ));
    }
    // In range for protobuf is well inside chrono's range, so this cannot fail.
    DateTime::from_timestamp(seconds, nanos as u32)
        .ok_or_else(|| Invalid::new("not a representable time"))
}

/// Whether `t` can be sent as a `Timestamp` (for times computed rather than accepted).
pub fn fits_timestamp(t: DateTime<Utc>) -> bool {
    (TIMESTAMP_MIN_SECONDS..=TIMESTAMP_MAX_SECONDS).contains(&t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_the_range_are_accepted() {
        let first = timestamp_in_range(TIMESTAMP_MIN_SECONDS, 0).unwrap();
        assert_eq!(first.to_rfc3339(), "0001-01-01T00:00:00+00:00");
        let last = timestamp_in_range(TIMESTAMP_MAX_SECONDS, MAX_NANOS).unwrap();
        assert_eq!(
            last.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            "9999-12-31T23:59:59.999999999Z"
        );
        assert!(fits_timestamp(first) && fits_timestamp(last));
    }

    #[test]
    fn times_beyond_it_are_refused_with_a_reason() {
        for (seconds, nanos) in [
            (TIMESTAMP_MAX_SECONDS + 1, 0),
            (TIMESTAMP_MIN_SECONDS - 1, MAX_NANOS),
            (i64::MAX, 0),
            (i64::MIN, 0),
            (0, -1),
            (0, MAX_NANOS + 1),
        ] {
            let refused = timestamp_in_range(seconds, nanos).unwrap_err();
            assert!(!refused.0.is_empty(), "{seconds}.{nanos}");
        }
        let year_10000 = DateTime::from_timestamp(TIMESTAMP_MAX_SECONDS + 1, 0).unwrap();
        assert!(!fits_timestamp(year_10000));
        let refused = timestamp_in_range(year_10000.timestamp(), 0).unwrap_err();
        assert_eq!(refused.at("expire_time").field, "expire_time");
    }
}
