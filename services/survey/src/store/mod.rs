//! Persistence of surveys: scenario versions, invitations (found by the hash of their one-time
//! token), responses with the score they were given and their follow-up, each customer's latest
//! satisfaction, the daily roll-ups reports read, and the policy. Raw SQL written once for
//! SQLite and PostgreSQL; rows hold domain values (codes as the domain's text codes, times as
//! epoch milliseconds, days as `yyyymmdd` in Asia/Shanghai), the contract's messages are the
//! gRPC layer's business.
//!
//! SubmitResponse writes one response row (with its satisfaction upsert, in the caller's
//! transaction); reports never read responses: a [`rollup::roll`] pass folds new responses into
//! per-day aggregates, exactly once however many replicas run it.

mod codec;
mod error;
pub mod import;
pub mod invitations;
pub mod listing;
pub mod migrations;
pub mod policy;
pub mod report;
pub mod responses;
pub mod rollup;
pub mod satisfaction;
pub mod scenarios;

pub use error::StoreError;
pub use migrations::Migrator;
pub use responses::{FollowUp, FollowUpState, StoredResponse};

/// Raw statements are written with PostgreSQL's `$n` placeholders for either backend.
pub(crate) use vipcare_storage::statement;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
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

/// The operator's calendar day of `t`: responses are rolled up by the day they were given in
/// Shanghai, whatever zone the server runs in.
pub fn day_of(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Shanghai).date_naive()
}

/// A day as stored: `yyyymmdd`, so ranges are integer comparisons and read as dates.
pub(crate) fn day_key(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day())
}

pub(crate) fn day_from_key(key: i64) -> Result<NaiveDate, StoreError> {
    let (y, m, d) = (key / 10_000, (key / 100) % 100, key % 100);
    i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m as u32, d as u32))
        .ok_or_else(|| error::corrupt("day", key))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_shanghai_dates_as_integers() {
        // 16:30 UTC is already the next day in Shanghai.
        let t: DateTime<Utc> = "2026-03-01T16:30:00Z".parse().unwrap();
        let day = day_of(t);
        assert_eq!(day_key(day), 20260302);
        assert_eq!(day_from_key(20260302).unwrap(), day);
        assert!(day_from_key(20261301).is_err());
    }
}
