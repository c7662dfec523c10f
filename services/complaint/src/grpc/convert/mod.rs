//! Contract messages to domain values and back. Requests are checked here field by field and
//! refused with the field's name (as the contract spells it); the domain never sees a
//! transport type.

pub mod codes;
pub mod compensation;
pub mod complaint;
pub mod fields;
pub mod parts;
pub mod policy;
pub mod promise;
pub mod report;

use chrono::{DateTime, Utc};

/// A protobuf timestamp as a domain time; `None` when unset or out of range.
pub fn time_of(t: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    let t = t?;
    DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).ok()?)
}

/// A domain time as a protobuf timestamp.
pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// Optional domain time as an optional protobuf timestamp.
pub fn maybe_timestamp(t: Option<DateTime<Utc>>) -> Option<prost_types::Timestamp> {
    t.map(timestamp)
}

/// A domain span as a protobuf duration.
pub fn duration(d: chrono::TimeDelta) -> prost_types::Duration {
    prost_types::Duration {
        seconds: d.num_seconds(),
        nanos: d.subsec_nanos(),
    }
}
