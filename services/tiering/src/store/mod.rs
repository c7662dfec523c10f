//! Persistence of tiering: policies (every version kept), tier records with their history,
//! evaluation runs and what their decisions were made from, the benefit catalogue, quota use and
//! redemptions. Writes that belong together (a tier change, its history row and its outbox
//! event; a redemption, its quota unit and its request_id) share one transaction here; cache
//! invalidation is left to the caller, after the commit. Rows hold domain values: flat ones in
//! columns, nested ones as their JSON (`codec`); reading them gives domain types, and the
//! contract's messages are the gRPC layer's business.

pub mod benefits;
mod codec;
pub mod history;
pub mod lapses;
pub mod migrations;
pub mod policies;
pub mod records;
pub mod redemptions;
pub mod runs;
pub mod seed;
pub mod snapshots;

pub use migrations::Migrator;

/// Raw statements are written with PostgreSQL's `$n` placeholders for either backend.
pub(crate) use vipcare_storage::statement;

use chrono::{DateTime, Utc};

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A stored value that no longer decodes: corrupt data, reported as an internal error.
pub(crate) fn corrupt(what: &str, err: impl std::fmt::Display) -> crate::Error {
    crate::Error::Internal(format!("stored {what} does not decode: {err}"))
}
