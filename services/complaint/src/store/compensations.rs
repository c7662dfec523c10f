//! The compensation ledger. Entries are inserted and then decided once: approval or rejection
//! is one UPDATE conditional on the entry still being PROPOSED, so of two approvers (or an
//! approver and a rejecter) acting at once one decides and the other is told it is decided.
//! Entries are never edited otherwise, nor deleted.

use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};

use super::codec::coded;
use super::{StoreError, complaints, ms, settle, statement, time};
use crate::domain::{Compensation, CompensationKind, CompensationState};

/// A ledger entry with the complaint it compensates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub complaint_id: String,
    pub compensation: Compensation,
    /// Why it was rejected, as the rejecter gave it; `None` unless rejected with a reason.
    pub rejection_reason: Option<String>,
}

const COLUMNS: &str = "compensation_id, complaint_id, kind, amount_fen, reason, proposed_by, \
    proposed_ms, state, decided_by, decided_ms, rejection_reason";

fn entry(row: &QueryResult) -> Result<LedgerEntry, StoreError> {
    Ok(LedgerEntry {
        complaint_id: row.try_get("", "complaint_id")?,
        compensation: Compensation {
            id: row.try_get("", "compensation_id")?,
            kind: coded("kind", row, CompensationKind::from_code)?,
            amount_fen: row.try_get("", "amount_fen")?,
            reason: row.try_get("", "reason")?,
            proposed_by: row.try_get("", "proposed_by")?,
            proposed_at: time(row.try_get("", "proposed_ms")?),
            state: coded("state", row, CompensationState::from_code)?,
            decided_by: row.try_get("", "decided_by")?,
            decided_at: row.try_get::<Option<i64>>("", "decided_ms")?.map(time),
        },
        rejection_reason: row.try_get("", "rejection_reason")?,
    })
}

/// Records a proposal (from [`Compensation::propose`]: PROPOSED, or APPROVED within the
/// tier's limit) on its complaint, still at `expected_version` when given.
pub async fn propose<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    complaint_id: &str,
    proposed: &Compensation,
    expected_version: Option<u64>,
) -> Result<(), StoreError> {
    let c = proposed;
    let txn = conn.begin().await?;
    let result = async {
        complaints::touch(&txn, complaint_id, expected_version, c.proposed_at).await?;
        let sql = format!(
            "INSERT INTO compensations ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)"
        );
        txn.execute_raw(statement(
            &txn,
            &sql,
            [
                c.id.clone().into(),
                complaint_id.into(),
                c.kind.code().into(),
                c.amount_fen.into(),
                c.reason.clone().into(),
                c.proposed_by.clone().into(),
                ms(c.proposed_at).into(),
                c.state.code().into(),
                c.decided_by.clone().into(),
                c.decided_at.map(ms).into(),
            ],
        ))
        .await?;
        Ok(())
    }
    .await;
    settle(txn, result).await
}

/// The entry, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &str) -> Result<LedgerEntry, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM compensations WHERE compensation_id = $1");
    let row = conn
        .query_one_raw(statement(conn, &sql, [id.into()]))
        .await?;
    match row {
        Some(row) => entry(&row),
        None => Err(StoreError::not_found("compensation", id)),
    }
}

/// The complaint's ledger, oldest first.
pub async fn of_complaint<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM compensations WHERE complaint_id = $1 \
         ORDER BY proposed_ms, compensation_id"
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [complaint_id.into()]))
        .await?;
    rows.iter().map(entry).collect()
}

/// Writes the decision `decided` carries (approved or rejected by the domain from the entry
/// as read), if the stored entry is still PROPOSED; otherwise [`StoreError::Decided`] with the
/// state it is in, and nothing changes.
pub async fn decide<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    decided: &Compensation,
    rejection_reason: Option<&str>,
) -> Result<LedgerEntry, StoreError> {
    let (Some(by), Some(at), false) = (
        &decided.decided_by,
        decided.decided_at,
        decided.state == CompensationState::Proposed,
    ) else {
        return Err(StoreError::Internal(format!(
            "compensation {} saved without a decision",
            decided.id
        )));
    };
    let txn = conn.begin().await?;
    let result = async {
        let done = txn
            .execute_raw(statement(
                &txn,
                "UPDATE compensations SET state = $2, decided_by = $3, decided_ms = $4, \
             rejection_reason = $5 WHERE compensation_id = $1 AND state = 'PROPOSED'",
                [
                    decided.id.clone().into(),
                    decided.state.code().into(),
                    by.clone().into(),
                    ms(at).into(),
                    rejection_reason.map(str::to_owned).into(),
                ],
            ))
            .await?;
        let stored = get(&txn, &decided.id).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Decided(stored.compensation.state));
        }
        complaints::touch(&txn, &stored.complaint_id, None, at).await?;
        Ok(stored)
    }
    .await;
    settle(txn, result).await
}
