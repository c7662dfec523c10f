//! SENT reminders whose latest attempt has waited longer than the receipt timeout: the phone was
//! off, or the provider lost the receipt. Either way the dispatcher treats the attempt as
//! unreachable. This read belongs with the store's queries; it lives here until the store
//! offers it, and reads only ids (the store reads the rows).
//!
//! The scan walks the attempts still awaiting a receipt (a partial index, m0005) in the order
//! they were sent and stops at the first one not yet overdue, whatever plan the prepared
//! statement gets; each is kept only when it is its reminder's latest and the reminder is SENT.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::store::{StoreError, ms, statement};

/// A SENT reminder and its latest attempt, still without an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Overdue {
    pub reminder_id: String,
    pub attempt_id: String,
}

/// At most `limit` reminders whose latest attempt was sent at or before `sent_by` and has no
/// outcome yet, longest waiting first.
pub(super) async fn awaiting_receipt<C: ConnectionTrait>(
    conn: &C,
    sent_by: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Overdue>, StoreError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT r.reminder_id, a.attempt_id FROM attempts a \
             JOIN reminders r ON r.reminder_id = a.reminder_id AND r.attempts = a.number \
             WHERE a.outcome IS NULL AND a.sent_ms <= $1 AND r.state = 'SENT' \
             ORDER BY a.sent_ms, a.reminder_id LIMIT $2",
            [ms(sent_by).into(), i64::from(limit).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Overdue {
                reminder_id: row.try_get("", "reminder_id")?,
                attempt_id: row.try_get("", "attempt_id")?,
            })
        })
        .collect()
}
