//! Persistence of complaints: the complaint row with its SLA clock kept as facts, the
//! append-only timeline, promises, follow-ups, escalations (once per level and clock), the
//! compensation ledger and the SLA policy. Every move is written only over the version it was
//! made from, with its timeline entry, so of two handlers acting at once one wins and the other
//! is told the version moved on. Writes of more than one statement open a transaction (a
//! savepoint inside the caller's, as the `request_id` flow runs them), so they land whole.
//!
//! Rows hold domain values in typed columns, read back by name; the contract's messages are
//! the gRPC layer's business. The store computes nothing under the policy: the caller passes
//! the [`Schedule`] it derived, and the store indexes it.

pub mod checks;
pub mod closing;
mod codec;
pub mod compensations;
pub mod complaints;
mod error;
pub mod escalations;
pub mod follow_ups;
pub mod import;
pub mod listing;
pub mod migrations;
pub mod policy;
pub mod progress;
pub mod promises;
pub mod report;
pub mod reschedule;
mod schedule;
pub mod timeline;
pub mod watch;

pub use complaints::StoredComplaint;
pub use error::StoreError;
pub use migrations::Migrator;
pub use schedule::Schedule;

/// Raw statements are written with PostgreSQL's `$n` placeholders for either backend.
pub(crate) use vipcare_storage::statement;

use chrono::{DateTime, Utc};
use sea_orm::TransactionSession;

/// Times are kept as epoch milliseconds.
pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// `t` as it reads back from the store.
pub fn stored_time(t: DateTime<Utc>) -> DateTime<Utc> {
    time(ms(t))
}

/// Ends `txn` as `result` says: committed with a value, rolled back with an error. Every
/// path must end it explicitly: a transaction merely dropped is rolled back only when its
/// connection is next used, and until then holds its row locks.
pub(crate) async fn settle<T>(
    txn: impl TransactionSession,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match result {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            // The first error is the one worth reporting; a failed rollback ends the
            // connection, which rolls back as well.
            let _ = txn.rollback().await;
            Err(err)
        }
    }
}
