//! Bulk import: many complaints with their schedules and timelines written in a few multi-row
//! INSERTs, for loading a store that already exists elsewhere (a migration from another desk,
//! or the benchmark's million open complaints) where opening them one by one through the API
//! would take hours. Each complaint lands as [`complaints::insert`](super::complaints::insert) would
//! have written it, with every entry of its timeline numbered by the version it made, so a
//! complaint imported part-way through its life (acknowledged, waiting, resolved) reads back
//! the same as one moved there by the handlers.
//!
//! Rows are written in chunks whose bound values stay under PostgreSQL's 65,535 whatever
//! [`BulkInsert`] does with them. Rows with a column NULL (no resolution yet, no response, no
//! next check) are grouped by which columns are NULL and those go in as the constant `NULL`, so
//! PostgreSQL still takes the rows as one array per column rather than falling back to
//! `VALUES` lists of a few rows each.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, TransactionTrait, Value};
use vipcare_storage::bulk::BulkInsert;

use super::codec::{
    COMPLAINT_COLUMNS, COMPLAINT_WIDTH, SCHEDULE_COLUMNS, complaint_values, schedule_values,
    version,
};
use super::{StoreError, StoredComplaint, ms, settle};

/// Complaints per chunk: every one of their values bound on its own would still fit one
/// PostgreSQL statement.
const CHUNK: usize = 2_000;
const _: () = assert!(CHUNK * COMPLAINT_WIDTH <= 65_535);

const TIMELINE_COLUMNS: [&str; 6] = ["complaint_id", "seq", "at_ms", "actor", "kind", "text"];

/// Writes `complaints`, each with its whole timeline (one entry per version, the opening
/// first), in one transaction: all of them or, on any error (an id already stored, a complaint
/// whose version and timeline disagree), none. Returns how many complaints were written.
pub async fn insert_many<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    complaints: &[StoredComplaint],
) -> Result<u64, StoreError> {
    if let Some(odd) = complaints.iter().find(|c| !timeline_matches(c)) {
        return Err(StoreError::Internal(format!(
            "complaint {} is imported at version {} with {} timeline entries",
            odd.complaint.id,
            odd.complaint.version,
            odd.complaint.timeline.len()
        )));
    }
    let txn = conn.begin().await?;
    let result = async {
        let mut written = 0;
        for chunk in complaints.chunks(CHUNK) {
            let rows = chunk.iter().map(complaint_values);
            written += write_rows(&txn, "complaints", &COMPLAINT_COLUMNS, rows).await?;
            let schedules = chunk.iter().map(schedule_values);
            write_rows(&txn, "complaint_schedules", &SCHEDULE_COLUMNS, schedules).await?;
            write_timelines(&txn, chunk).await?;
        }
        Ok(written)
    }
    .await;
    settle(txn, result).await
}

/// A complaint's version counts its timeline entries, from the opening on.
fn timeline_matches(c: &StoredComplaint) -> bool {
    c.complaint.version >= 1 && c.complaint.timeline.len() as u64 == c.complaint.version
}

/// Rows of `table` (values of `names`, in order), one INSERT per set of NULL columns.
async fn write_rows<C: ConnectionTrait, const N: usize>(
    conn: &C,
    table: &str,
    names: &[&'static str; N],
    rows: impl Iterator<Item = Result<[Value; N], StoreError>>,
) -> Result<u64, StoreError> {
    let mut by_nulls: BTreeMap<u32, Vec<[Value; N]>> = BTreeMap::new();
    for row in rows {
        let row = row?;
        by_nulls.entry(nulls(&row)).or_default().push(row);
    }
    let mut written = 0;
    for (mask, rows) in by_nulls {
        let bound: Vec<&str> = columns(names, mask, false).collect();
        let mut insert = columns(names, mask, true)
            .fold(BulkInsert::new(table, &bound), |insert, column| {
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
fn nulls<const N: usize>(row: &[Value; N]) -> u32 {
    const { assert!(N <= 32, "a mask bit per column") };
    row.iter()
        .enumerate()
        .filter(|(_, value)| !value.is_some())
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// The columns of `names` that are NULL under `mask` (`null`), or the others.
fn columns<const N: usize>(
    names: &[&'static str; N],
    mask: u32,
    null: bool,
) -> impl Iterator<Item = &'static str> {
    names
        .iter()
        .enumerate()
        .filter(move |(i, _)| (mask & (1 << i) != 0) == null)
        .map(|(_, column)| *column)
}

async fn write_timelines<C: ConnectionTrait>(
    conn: &C,
    chunk: &[StoredComplaint],
) -> Result<(), StoreError> {
    let mut insert = BulkInsert::new("complaint_timeline", &TIMELINE_COLUMNS);
    for c in chunk {
        for (n, entry) in c.complaint.timeline.iter().enumerate() {
            insert.row([
                c.complaint.id.clone().into(),
                version(n as u64 + 1)?.into(),
                ms(entry.at).into(),
                entry.actor.clone().into(),
                entry.kind.code().into(),
                entry.text.clone().into(),
            ]);
        }
    }
    insert.execute(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_columns_are_named_by_their_bit() {
        let mut row: [Value; COMPLAINT_WIDTH] = std::array::from_fn(|_| 1_i64.into());
        row[0] = "c-1".into();
        row[14] = Option::<i64>::None.into();
        row[15] = Option::<String>::None.into();
        let mask = nulls(&row);
        assert_eq!(mask, (1 << 14) | (1 << 15));
        let null: Vec<&str> = columns(&COMPLAINT_COLUMNS, mask, true).collect();
        assert_eq!(null, ["resolved_ms", "resolution_text"]);
        assert_eq!(
            columns(&COMPLAINT_COLUMNS, mask, false).count(),
            COMPLAINT_WIDTH - 2
        );
        assert_eq!(
            columns(&COMPLAINT_COLUMNS, 0, false).next(),
            Some("complaint_id")
        );
    }
}
