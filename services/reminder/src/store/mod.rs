//! Persistence of reminders: touchpoint rules and templates (seeded once, then the operators'),
//! reminders with their history and delivery attempts, the dispatch leases workers claim due
//! reminders under, ingested event ids, sent messages (for the daily cap) and the delivery
//! statistics. Writes that belong together (a reminder, its first history entry and the older
//! ones it supersedes; a claim and its history; a completion, its attempt and its message)
//! share one transaction here. Rows hold domain values in typed columns, read back by name;
//! the contract's messages are the gRPC layer's business.

pub mod attempts;
mod codec;
pub mod dispatch;
mod error;
pub mod events;
pub mod history;
pub mod ingest;
pub mod listing;
pub mod migrations;
pub mod queue;
pub mod reminders;
pub mod rules;
mod save;
pub mod seed;
pub mod stats;
pub mod templates;

pub use error::StoreError;
pub use migrations::Migrator;

/// Raw statements are written with PostgreSQL's `$n` placeholders for either backend.
pub(crate) use vipcare_storage::statement;

use chrono::{DateTime, Utc};

/// Times are kept as epoch milliseconds.
pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// `t` as it reads back from the store.
pub(crate) fn stored_time(t: DateTime<Utc>) -> DateTime<Utc> {
    time(ms(t))
}
