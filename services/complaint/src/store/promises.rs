//! Promises made to customers. Each is fulfilled once: the write is conditional on it still
//! being unkept, so two handlers marking it at once cannot both rewrite when it was kept. An
//! overdue promise is escalated to the first-contact owner once, for the same reason.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};

use super::{StoreError, complaints, ms, settle, statement, time};
use crate::domain::{AlreadyFulfilled, Promise};

/// A promise with what the store keeps beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPromise {
    pub complaint_id: String,
    pub promise: Promise,
    /// Who marked it kept; `None` until then.
    pub fulfilled_by: Option<String>,
    /// When its breach was escalated to the owner; `None` until then.
    pub escalated_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "promise_id, complaint_id, text, due_ms, made_by, made_ms, fulfilled_ms, \
    fulfilled_by, escalated_ms";

fn stored(row: &QueryResult) -> Result<StoredPromise, StoreError> {
    let maybe_at = |column: &str| row.try_get::<Option<i64>>("", column).map(|t| t.map(time));
    Ok(StoredPromise {
        complaint_id: row.try_get("", "complaint_id")?,
        promise: Promise {
            id: row.try_get("", "promise_id")?,
            text: row.try_get("", "text")?,
            due_at: time(row.try_get("", "due_ms")?),
            made_by: row.try_get("", "made_by")?,
            made_at: time(row.try_get("", "made_ms")?),
            fulfilled_at: maybe_at("fulfilled_ms")?,
        },
        fulfilled_by: row.try_get("", "fulfilled_by")?,
        escalated_at: maybe_at("escalated_ms")?,
    })
}

/// Records a new promise (from [`Promise::new`]) on the complaint, still at
/// `expected_version` when given.
pub async fn add<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    complaint_id: &str,
    promise: &Promise,
    expected_version: Option<u64>,
) -> Result<(), StoreError> {
    let txn = conn.begin().await?;
    let result = async {
    complaints::touch(&txn, complaint_id, expected_version, promise.made_at).await?;
    let sql = format!("INSERT INTO complaint_promises ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, NULL)");
    txn.execute_raw(statement(
        &txn,
        &sql,
        [
            promise.id.clone().into(),
            complaint_id.into(),
            promise.text.clone().into(),
            ms(promise.due_at).into(),
            promise.made_by.clone().into(),
            ms(promise.made_at).into(),
        ],
    ))
    .await?;
    Ok(())
    }
    .await;
    settle(txn, result).await
}

/// Marks the promise kept by `by` at `at`, once: a second time is [`AlreadyFulfilled`] with
/// the first time, and changes nothing.
pub async fn fulfil<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    complaint_id: &str,
    promise_id: &str,
    by: &str,
    at: DateTime<Utc>,
    expected_version: Option<u64>,
) -> Result<StoredPromise, StoreError> {
    let txn = conn.begin().await?;
    let result = async {
        complaints::touch(&txn, complaint_id, expected_version, at).await?;
        let done = txn
            .execute_raw(statement(
                &txn,
                "UPDATE complaint_promises SET fulfilled_ms = $3, fulfilled_by = $4 \
             WHERE promise_id = $1 AND complaint_id = $2 AND fulfilled_ms IS NULL",
                [
                    promise_id.into(),
                    complaint_id.into(),
                    ms(at).into(),
                    by.into(),
                ],
            ))
            .await?;
        let found = get(&txn, complaint_id, promise_id).await?;
        if done.rows_affected() != 1 {
            return Err(match found.promise.fulfilled_at {
                Some(at) => AlreadyFulfilled { at }.into(),
                None => StoreError::Internal(format!("promise {promise_id} was not marked kept")),
            });
        }
        Ok(found)
    }
    .await;
    settle(txn, result).await
}

/// The promise, if it is the complaint's; NOT_FOUND otherwise.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    promise_id: &str,
) -> Result<StoredPromise, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM complaint_promises WHERE promise_id = $1 AND complaint_id = $2"
    );
    let row = conn
        .query_one_raw(statement(
            conn,
            &sql,
            [promise_id.into(), complaint_id.into()],
        ))
        .await?;
    match row {
        Some(row) => stored(&row),
        None => Err(StoreError::not_found("promise", promise_id)),
    }
}

/// The complaint's promises, oldest first.
pub async fn of_complaint<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
) -> Result<Vec<StoredPromise>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM complaint_promises WHERE complaint_id = $1 \
         ORDER BY made_ms, promise_id"
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [complaint_id.into()]))
        .await?;
    rows.iter().map(stored).collect()
}

/// Promises past due at `now` (at the due instant itself still on time), not kept and not yet
/// escalated, the longest overdue first, at most `limit`.
pub async fn overdue<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<StoredPromise>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM complaint_promises \
         WHERE fulfilled_ms IS NULL AND escalated_ms IS NULL AND due_ms < $1 \
         ORDER BY due_ms, promise_id LIMIT {limit}"
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [ms(now).into()]))
        .await?;
    rows.iter().map(stored).collect()
}

/// Marks a broken promise escalated at `at`, once. `true` when this call did (and must tell
/// the owner); `false` when it was escalated already, or kept meanwhile.
pub async fn mark_escalated<C: ConnectionTrait>(
    conn: &C,
    promise_id: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE complaint_promises SET escalated_ms = $2 \
             WHERE promise_id = $1 AND fulfilled_ms IS NULL AND escalated_ms IS NULL",
            [promise_id.into(), ms(at).into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}
