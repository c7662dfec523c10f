//! Follow-ups staff plan on a complaint. They are only added and listed: the staff task and
//! the customer's notice they lead to are the reminder service's to send.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::{StoreError, complaints, ms, settle, statement, time};
use crate::domain::FollowUp;

/// A follow-up with who planned it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFollowUp {
    pub id: String,
    pub complaint_id: String,
    pub follow_up: FollowUp,
    pub scheduled_by: String,
    pub scheduled_at: DateTime<Utc>,
}

/// Records a follow-up on its complaint, still at `expected_version` when given.
pub async fn add<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    new: &StoredFollowUp,
    expected_version: Option<u64>,
) -> Result<(), StoreError> {
    let txn = conn.begin().await?;
    let result = async {
        complaints::touch(&txn, &new.complaint_id, expected_version, new.scheduled_at).await?;
        txn.execute_raw(statement(
            &txn,
            "INSERT INTO complaint_follow_ups (follow_up_id, complaint_id, due_ms, note, \
         notify_customer, scheduled_by, scheduled_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                new.id.clone().into(),
                new.complaint_id.clone().into(),
                ms(new.follow_up.at).into(),
                new.follow_up.note.clone().into(),
                new.follow_up.notify_customer.into(),
                new.scheduled_by.clone().into(),
                ms(new.scheduled_at).into(),
            ],
        ))
        .await?;
        Ok(())
    }
    .await;
    settle(txn, result).await
}

/// The complaint's follow-ups, in the order they were planned.
pub async fn of_complaint<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
) -> Result<Vec<StoredFollowUp>, StoreError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT follow_up_id, complaint_id, due_ms, note, notify_customer, scheduled_by, \
             scheduled_ms FROM complaint_follow_ups WHERE complaint_id = $1 \
             ORDER BY scheduled_ms, follow_up_id",
            [complaint_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredFollowUp {
                id: row.try_get("", "follow_up_id")?,
                complaint_id: row.try_get("", "complaint_id")?,
                follow_up: FollowUp {
                    at: time(row.try_get("", "due_ms")?),
                    note: row.try_get("", "note")?,
                    notify_customer: row.try_get("", "notify_customer")?,
                },
                scheduled_by: row.try_get("", "scheduled_by")?,
                scheduled_at: time(row.try_get("", "scheduled_ms")?),
            })
        })
        .collect()
}
