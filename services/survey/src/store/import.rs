//! Bulk import: many responses in a few multi-row INSERTs, for the benchmark's million
//! responses or a migration from another survey tool, where submitting them one by one would
//! take hours. Each lands as [`responses::insert`](super::responses::insert) writes it, queued
//! for the roller; run [`rollup::roll`](super::rollup::roll) until it finds none left, and the
//! reports count them. The customers' latest satisfaction is brought up to date from the
//! newest imported response of each.
//!
//! In a large load, rows with a column NULL (no hall, no NPS, no end moment) are grouped by
//! which columns are NULL and those go in as the constant `NULL`, so PostgreSQL takes each group
//! in the fastest form, one array per column. A few rows (a batch of SubmitResponse calls) go in
//! one statement whatever their NULLs: there a round trip per group costs more than the form.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, TransactionTrait, Value};
use vipcare_storage::bulk::BulkInsert;

use super::codec::{RESPONSE_COLUMNS, RESPONSE_WIDTH, response_values};
use super::{StoreError, StoredResponse, ms, rollup, satisfaction, settle};

/// Responses per chunk: every one of their values bound on its own would still fit one
/// PostgreSQL statement.
const CHUNK: usize = 2_000;
const _: () = assert!(CHUNK * RESPONSE_WIDTH <= 65_535);

/// Writes `responses` in one transaction: all of them or, on any error (an id already
/// stored), none. Returns how many were written.
pub async fn insert_many<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    responses: &[StoredResponse],
) -> Result<u64, StoreError> {
    let txn = conn.begin().await?;
    let result = insert_in(&txn, responses).await;
    settle(txn, result).await
}

/// Writes `responses` in `txn`, the caller's transaction (which may hold what else the import
/// causes, such as follow-ups in the outbox). Returns how many were written.
pub async fn insert_in<C: ConnectionTrait>(
    txn: &C,
    responses: &[StoredResponse],
) -> Result<u64, StoreError> {
    let mut written = 0;
    for chunk in responses.chunks(CHUNK) {
        written += write(txn, chunk).await?;
        let queued: Vec<(&str, i64)> = chunk
            .iter()
            .map(|r| (r.response_id.as_str(), ms(r.submit_time)))
            .collect();
        rollup::queue(txn, &queued).await?;
    }
    // One upsert per customer, their newest response last: the upsert keeps the newest.
    let mut newest: BTreeMap<&str, &StoredResponse> = BTreeMap::new();
    for r in responses {
        let slot = newest.entry(&r.customer_id).or_insert(r);
        if (r.submit_time, &r.response_id) > (slot.submit_time, &slot.response_id) {
            *slot = r;
        }
    }
    let newest: Vec<&StoredResponse> = newest.into_values().collect();
    for chunk in newest.chunks(CHUNK) {
        satisfaction::record_many(txn, chunk).await?;
    }
    Ok(written)
}

/// Rows up to which one statement takes them all, their NULLs flagged.
const FEW: usize = 500;

/// The response rows: one INSERT for a few, else one per set of NULL columns.
async fn write<C: ConnectionTrait>(conn: &C, chunk: &[StoredResponse]) -> Result<u64, StoreError> {
    if chunk.len() <= FEW {
        let mut insert = BulkInsert::new("responses", &RESPONSE_COLUMNS);
        for r in chunk {
            insert.row(response_values(r)?);
        }
        return Ok(insert.execute(conn).await?);
    }
    let mut by_nulls: BTreeMap<u32, Vec<[Value; RESPONSE_WIDTH]>> = BTreeMap::new();
    for r in chunk {
        let row = response_values(r)?;
        by_nulls.entry(nulls(&row)).or_default().push(row);
    }
    let mut written = 0;
    for (mask, rows) in by_nulls {
        let bound: Vec<&str> = columns(mask, false).collect();
        let mut insert = columns(mask, true)
            .fold(BulkInsert::new("responses", &bound), |insert, column| {
                insert.fixed(column, "NULL")
            });
        for row in rows {
            insert.row(
                row.into_iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) == 0)
                    .map(|(_, value)| value),
            );
        }
        written += insert.execute(conn).await?;
    }
    Ok(written)
}

/// Bit `i` set when column `i` of `row` is NULL.
fn nulls(row: &[Value; RESPONSE_WIDTH]) -> u32 {
    row.iter()
        .enumerate()
        .filter(|(_, value)| !value.is_some())
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// The response columns that are NULL under `mask` (`null`), or the others.
fn columns(mask: u32, null: bool) -> impl Iterator<Item = &'static str> {
    RESPONSE_COLUMNS
        .iter()
        .enumerate()
        .filter(move |(i, _)| (mask & (1 << i) != 0) == null)
        .map(|(_, column)| *column)
}
