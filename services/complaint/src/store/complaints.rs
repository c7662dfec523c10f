//! Complaints as handlers open, move and read them. A new complaint is written with its
//! opening entry; every later move only over the version it was made from, with the entry it
//! added, in one conditional UPDATE: of two handlers acting on the same version one wins, and
//! the other is told the version moved on and writes nothing.
//!
//! The schedule row (see [`codec`](super::codec)) is written with every move, in the same
//! transaction, at the version the move made. Whoever writes a complaint's schedule takes that
//! row first and the complaint's after (a move, the escalation pass, a held escalation), so two
//! such writers queue on the schedule instead of deadlocking on the pair.
//!
//! The gateway shows a customer's open complaints in the customer's view and raises the
//! hotline priority while one is open, both cached under the customer's tag. So every write
//! here that changes a complaint (opened, moved, rescheduled, or touched by a promise, a
//! follow-up, an escalation or compensation) records that tag in its own transaction
//! ([`views_stale`]); the service bumps it after the commit (the request_id flow settles it
//! before the call answers) or its replayer does a moment later, so no caller is served a view
//! the change made stale.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait, Value};
use vipcare_cache::tags;
use vipcare_storage::invalidation;

use super::codec::{
    COMPLAINT_COLUMNS, SCHEDULE_COLUMNS, complaint, complaint_values, schedule_values,
    select_complaints, version,
};
use super::{Schedule, StoreError, ms, settle, statement, time, timeline};
use crate::domain::{Category, Complaint, EarlierComplaint, SlaClock, TimelineEntry};

/// A complaint with what the store keeps beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComplaint {
    /// Read back without its timeline (see [`timeline::page`]); `version` counts its entries.
    pub complaint: Complaint,
    /// The SLA clock of the current handling (restarted by a reopen).
    pub clock: SlaClock,
    /// What was awaited from the customer, one per pause of `clock`, in its order.
    pub pause_reasons: Vec<String>,
    /// Derived from `clock` under the policy in force by the caller, stored to be found by.
    pub schedule: Schedule,
    /// When it last changed in any way (a promise or an escalation included).
    pub update_time: DateTime<Utc>,
}

/// Stores a newly opened complaint (version 1) with its opening entry.
pub async fn insert<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    new: &StoredComplaint,
) -> Result<(), StoreError> {
    let opening = match new.complaint.timeline.as_slice() {
        [entry] if new.complaint.version == 1 => entry,
        _ => {
            return Err(StoreError::Internal(format!(
                "complaint {} is stored new at version {} with {} entries",
                new.complaint.id,
                new.complaint.version,
                new.complaint.timeline.len()
            )));
        }
    };
    let insert = |table: &str, columns: &[&str]| {
        let marks: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
        format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            marks.join(", ")
        )
    };
    let sql = insert("complaints", &COMPLAINT_COLUMNS);
    let schedule_sql = insert("complaint_schedules", &SCHEDULE_COLUMNS);
    let values = complaint_values(new)?;
    let schedule = schedule_values(new)?;
    let txn = conn.begin().await?;
    let result = async {
        txn.execute_raw(statement(&txn, &sql, values)).await?;
        txn.execute_raw(statement(&txn, &schedule_sql, schedule))
            .await?;
        timeline::append(&txn, &new.complaint.id, 1, opening).await?;
        views_stale(&txn, &new.complaint.customer_id).await
    }
    .await;
    settle(txn, result).await
}

/// Writes `moved` (one move past `expected_version`) and appends `entry`, the timeline entry
/// of that move, if the stored complaint is still at `expected_version`; otherwise writes
/// nothing and answers [`StoreError::VersionMismatch`] with the version it is at.
pub async fn save_move<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    moved: &StoredComplaint,
    expected_version: u64,
    entry: &TimelineEntry,
) -> Result<(), StoreError> {
    let id = &moved.complaint.id;
    if moved.complaint.version != expected_version + 1 {
        return Err(StoreError::Internal(format!(
            "complaint {id} saved at version {} over {expected_version}: one move at a time",
            moved.complaint.version
        )));
    }
    let expected = version(expected_version)?;
    let (schedule_sql, schedule) = guarded(
        "complaint_schedules",
        &SCHEDULE_COLUMNS,
        schedule_values(moved)?.into(),
        expected,
    );
    let (sql, values) = guarded(
        "complaints",
        &COMPLAINT_COLUMNS,
        complaint_values(moved)?.into(),
        expected,
    );
    let txn = conn.begin().await?;
    let result = async {
        // The schedule first (see the top of this file). On PostgreSQL a concurrent writer's
        // UPDATE waits on the row, then finds the version moved on and matches nothing: the
        // loser learns it here, not by a lost write.
        for (sql, values) in [(schedule_sql, schedule), (sql, values)] {
            let written = txn.execute_raw(statement(&txn, &sql, values)).await?;
            if written.rows_affected() != 1 {
                return Err(mismatch(&txn, id, expected_version).await);
            }
        }
        timeline::append(&txn, id, moved.complaint.version, entry).await?;
        views_stale(&txn, &moved.complaint.customer_id).await
    }
    .await;
    settle(txn, result).await
}

/// `UPDATE table SET <columns but the id> WHERE complaint_id = $1 AND version = <expected>`,
/// with its values (`values` binds `columns` in order, the id first).
fn guarded(
    table: &str,
    columns: &[&str],
    mut values: Vec<Value>,
    expected: i64,
) -> (String, Vec<Value>) {
    values.push(expected.into());
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {table} SET {} WHERE complaint_id = $1 AND version = ${}",
        sets.join(", "),
        values.len()
    );
    (sql, values)
}

/// The complaint, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &str) -> Result<StoredComplaint, StoreError> {
    let sql = format!("{} WHERE c.complaint_id = $1", select_complaints());
    let row = conn
        .query_one_raw(statement(conn, &sql, [id.into()]))
        .await?;
    match row {
        Some(row) => complaint(&row),
        None => Err(StoreError::not_found("complaint", id)),
    }
}

/// The customer's complaints in `category` opened at `since` or later, for
/// [`crate::domain::find_repeat`] (which wants those of the last
/// [`REPEAT_WINDOW`](crate::domain::repeat::REPEAT_WINDOW)).
pub async fn earlier_in_category<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    category: Category,
    since: DateTime<Utc>,
) -> Result<Vec<EarlierComplaint>, StoreError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT complaint_id, opened_ms FROM complaints \
             WHERE customer_id = $1 AND category = $2 AND opened_ms >= $3",
            [customer_id.into(), category.code().into(), ms(since).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(EarlierComplaint {
                id: row.try_get("", "complaint_id")?,
                category,
                opened_at: time(row.try_get("", "opened_ms")?),
            })
        })
        .collect()
}

/// Complaints whose clock still runs or is paused, by id after `after` (empty: from the
/// start), at most `limit`: what a policy change reschedules, a batch at a time.
pub async fn unresolved<C: ConnectionTrait>(
    conn: &C,
    after: &str,
    limit: u64,
) -> Result<Vec<StoredComplaint>, StoreError> {
    let sql = format!(
        "{} WHERE c.clock_resolved_ms IS NULL AND c.complaint_id > $1 \
         ORDER BY c.complaint_id LIMIT {limit}",
        select_complaints()
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [after.into()]))
        .await?;
    rows.iter().map(complaint).collect()
}

/// Replaces the schedule of a complaint still at `expected_version` (a policy change, an
/// escalation pass after firing). `false` when it moved meanwhile: the move wrote a schedule
/// from fresher facts, which must stand. Only the schedule row is written (and held until the
/// transaction ends on PostgreSQL, which keeps moves of the complaint waiting).
pub async fn reschedule<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    expected_version: u64,
    schedule: Schedule,
) -> Result<bool, StoreError> {
    let done = conn
        .query_one_raw(statement(
            conn,
            "UPDATE complaint_schedules SET overdue_ms = $3, next_check_ms = $4 \
             WHERE complaint_id = $1 AND version = $2 \
             RETURNING (SELECT customer_id FROM complaints \
             WHERE complaints.complaint_id = complaint_schedules.complaint_id) AS customer_id",
            [
                id.into(),
                version(expected_version)?.into(),
                schedule.overdue_at.map(ms).into(),
                schedule.next_check.map(ms).into(),
            ],
        ))
        .await?;
    match done {
        // When it falls overdue may have moved (a policy change): the view counts overdue ones.
        Some(row) => {
            views_stale(conn, &row.try_get::<String>("", "customer_id")?).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Marks the complaint changed at `at` (a promise, a follow-up, an escalation, compensation),
/// checking it exists and, when `expected_version` is given, that it is still at it. Its
/// version stays: only moves count. The stamp is on the schedule row (see migration m0006),
/// whose lock on PostgreSQL every move takes first, so writes about one complaint queue behind
/// its moves.
pub(super) async fn touch<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    expected_version: Option<u64>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut values: Vec<Value> = vec![id.into(), ms(at).into()];
    let mut sql = "UPDATE complaint_schedules \
        SET update_ms = CASE WHEN update_ms < $2 THEN $2 ELSE update_ms END \
        WHERE complaint_id = $1"
        .to_owned();
    if let Some(expected) = expected_version {
        values.push(version(expected)?.into());
        sql.push_str(" AND version = $3");
    }
    sql.push_str(
        " RETURNING (SELECT customer_id FROM complaints \
         WHERE complaints.complaint_id = complaint_schedules.complaint_id) AS customer_id",
    );
    let done = conn.query_one_raw(statement(conn, &sql, values)).await?;
    match (done, expected_version) {
        (Some(row), _) => views_stale(conn, &row.try_get::<String>("", "customer_id")?).await,
        (None, Some(expected)) => Err(mismatch(conn, id, expected).await),
        (None, None) => Err(StoreError::not_found("complaint", id)),
    }
}

/// Records in `conn`'s transaction that the customer's cached view and caller look-up are
/// stale once it commits (see the top of this file).
async fn views_stale<C: ConnectionTrait>(conn: &C, customer_id: &str) -> Result<(), StoreError> {
    invalidation::record(conn, &[tags::customer(customer_id)]).await?;
    Ok(())
}

/// Why a write guarded by `expected` matched nothing: the complaint is gone (never was), or
/// at another version.
async fn mismatch<C: ConnectionTrait>(conn: &C, id: &str, expected: u64) -> StoreError {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT version FROM complaints WHERE complaint_id = $1",
            [id.into()],
        ))
        .await;
    let current = match row {
        Ok(Some(row)) => row.try_get::<i64>("", "version"),
        Ok(None) => return StoreError::not_found("complaint", id),
        Err(err) => return err.into(),
    };
    match current {
        // The complaint is at the version, so its schedule was not: two rows out of step.
        Ok(current) if current == i64::try_from(expected).unwrap_or(-1) => StoreError::Internal(
            format!("complaint {id} has no schedule at its version {expected}"),
        ),
        Ok(current) => StoreError::VersionMismatch {
            expected,
            current: u64::try_from(current).unwrap_or_default(),
        },
        Err(err) => err.into(),
    }
}
