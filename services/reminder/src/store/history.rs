//! Every change of a reminder's state, numbered from 1 in the order it happened. Entries are
//! only appended, in the transaction of the change they record, so a reminder's history and its
//! state never disagree.

use sea_orm::ConnectionTrait;
use vipcare_storage::bulk::BulkInsert;

use super::codec::coded;
use super::{StoreError, ms, statement, time};
use crate::domain::{HistoryEntry, Reason, Reminder, ReminderState};

/// Appends `entries` (each with its reminder and number) in one statement.
pub(super) async fn append<'a, C: ConnectionTrait>(
    conn: &C,
    entries: impl IntoIterator<Item = (&'a str, u32, &'a HistoryEntry)>,
) -> Result<(), StoreError> {
    let mut insert = BulkInsert::new(
        "reminder_history",
        &[
            "reminder_id",
            "seq",
            "at_ms",
            "state",
            "reason",
            "detail",
            "attempt_id",
        ],
    );
    for (reminder_id, seq, entry) in entries {
        insert.row([
            reminder_id.into(),
            i64::from(seq).into(),
            ms(entry.at).into(),
            entry.state.code().into(),
            entry.reason.code().into(),
            entry.detail.clone().into(),
            entry.attempt_id.clone().into(),
        ]);
    }
    insert.execute(conn).await?;
    Ok(())
}

/// The numbered entries that moved `reminder` to where it is: the last `entries.len()` of its
/// `changes`.
pub(super) fn numbered<'a>(
    reminder: &'a Reminder,
    entries: &'a [HistoryEntry],
) -> Result<impl Iterator<Item = (&'a str, u32, &'a HistoryEntry)>, StoreError> {
    let before = usize::try_from(reminder.changes)
        .ok()
        .and_then(|n| n.checked_sub(entries.len()))
        .ok_or_else(|| {
            StoreError::Internal(format!(
                "reminder {} counts {} changes but brings {} entries",
                reminder.id,
                reminder.changes,
                entries.len()
            ))
        })?;
    Ok(entries
        .iter()
        .enumerate()
        .map(move |(i, e)| (reminder.id.as_str(), (before + i + 1) as u32, e)))
}

/// The changes before `entries`: what the stored row must still count for a write to apply.
pub(super) fn changes_before(reminder: &Reminder, entries: &[HistoryEntry]) -> i64 {
    i64::from(reminder.changes) - entries.len() as i64
}

/// A reminder's history, oldest first.
pub async fn of_reminder<C: ConnectionTrait>(
    conn: &C,
    reminder_id: &str,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT at_ms, state, reason, detail, attempt_id FROM reminder_history \
             WHERE reminder_id = $1 ORDER BY seq",
            [reminder_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(HistoryEntry {
                at: time(row.try_get("", "at_ms")?),
                state: coded("state", row, ReminderState::from_code)?,
                reason: coded("reason", row, Reason::from_code)?,
                detail: row.try_get("", "detail")?,
                attempt_id: row.try_get("", "attempt_id")?,
            })
        })
        .collect()
}
