//! Conversions between the `vipcare.profile.v1` contract and the domain. Incoming messages are
//! destructured field by field, so a field added to the contract fails to compile here until
//! someone decides what it means; every refusal names the field's path in the request.

mod customer;
mod enums;
mod fields;
mod notice;
#[cfg(test)]
mod proptests;
mod records;

pub use customer::{changes_from_proto, customer_to_proto, profile_from_proto};
pub use enums::{channel_from_proto, kind_from_proto, note_kind_from_proto, status_from_proto};
pub use notice::sensitive_query_notice;
pub use records::{
    audit_to_proto, consumption_from_proto, consumption_to_proto, import_row_from_proto,
    note_to_proto, relation_to_proto, summary_to_proto,
};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use vipcare_proto::common::v1 as common;

use crate::domain::{CustomerId, Invalid, Violation};

/// A required customer id at `field`.
pub fn customer_id(text: &str, field: &str) -> Result<CustomerId, Violation> {
    CustomerId::parse(text).map_err(|e| e.at(field))
}

/// Absent or all zero: no date. Otherwise a real calendar date, years 1900–9999.
pub fn date_from_proto(date: Option<common::Date>) -> Result<Option<NaiveDate>, Invalid> {
    let Some(common::Date { year, month, day }) = date else {
        return Ok(None);
    };
    if (year, month, day) == (0, 0, 0) {
        return Ok(None);
    }
    let valid =
        (1900..=9999).contains(&year) && u32::try_from(month).is_ok() && u32::try_from(day).is_ok();
    valid
        .then(|| NaiveDate::from_ymd_opt(year, month as u32, day as u32))
        .flatten()
        .map(Some)
        .ok_or_else(|| Invalid::new("must be a valid calendar date (year 1900-9999)"))
}

pub fn date_to_proto(date: NaiveDate) -> common::Date {
    common::Date {
        year: date.year(),
        month: date.month() as i32,
        day: date.day() as i32,
    }
}

pub fn timestamp(time: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: time.timestamp(),
        nanos: time.timestamp_subsec_nanos() as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vipcare_storage::idempotency::RequestKey;

    fn date(year: i32, month: i32, day: i32) -> Option<common::Date> {
        Some(common::Date { year, month, day })
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        assert_eq!(date_from_proto(None), Ok(None));
        assert_eq!(date_from_proto(date(0, 0, 0)), Ok(None));
        assert_eq!(
            date_from_proto(date(2024, 2, 29)),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29))
        );
        for bad in [
            date(2023, 2, 29),
            date(2024, 13, 1),
            date(2024, 0, 0),
            date(1800, 1, 1),
            date(2024, -1, 5),
        ] {
            assert!(date_from_proto(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn request_ids_are_bounded() {
        let key = |id: &str| RequestKey::of("hall", "M", id, &common::Date::default());
        assert_eq!(key(""), Ok(None));
        assert!(key("r-1").unwrap().is_some());
        assert_eq!(key(&"r".repeat(129)).unwrap_err().field, "request_id");
    }
}
