//! Reminders as callers schedule, read, cancel and move them. A new reminder and its first
//! history entry are written together, and so are the older ones it supersedes; a dedupe key
//! already used for the customer returns that reminder and writes nothing. Every later move is
//! written only over the row it was made from (the same count of history entries), so two
//! writers never both win and a reminder claimed meanwhile is not cancelled behind its
//! worker's back.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, TransactionSession, TransactionTrait};

use super::attempts::{self, Attempt};
use super::codec::{REMINDER_COLUMNS, reminder};
use super::dispatch::Lease;
use super::ingest::insert_reminders;
use super::{StoreError, history, statement};
use crate::domain::{HistoryEntry, Reminder, Touchpoint};

/// Moves lost to a concurrent writer before a caller's write gives up.
const RETRIES: usize = 3;

/// What scheduling came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheduled {
    /// Stored (superseding the customer's pending older ones where its rule says so).
    Created(Reminder),
    /// The customer's dedupe key was taken: the reminder that holds it, as it is now.
    Deduplicated(Reminder),
}

/// A reminder with everything GetReminder shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRecord {
    pub reminder: Reminder,
    pub history: Vec<HistoryEntry>,
    pub attempts: Vec<Attempt>,
}

/// How a caller names a reminder to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    Id(&'a str),
    DedupeKey { customer_id: &'a str, key: &'a str },
}

fn select(filter: &str) -> String {
    format!("SELECT {REMINDER_COLUMNS} FROM reminders WHERE {filter}")
}

/// Stores a new reminder (scheduled by `Reminder::schedule`) with its first history entry.
/// With `supersedes` (the touchpoint's rule), the customer's waiting reminders of the
/// touchpoint become SUPERSEDED at once. The batch insert of the event feed does it: on
/// PostgreSQL one statement, so a call's transaction makes one round trip for it, not five.
pub async fn insert<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    new: &Reminder,
    supersedes: bool,
) -> Result<Scheduled, StoreError> {
    let superseding = if supersedes {
        vec![new.touchpoint]
    } else {
        Vec::new()
    };
    let mut scheduled = insert_many(conn, std::slice::from_ref(new), &superseding).await?;
    scheduled.pop().ok_or_else(|| {
        StoreError::Internal(format!("reminder {} was stored without an answer", new.id))
    })
}

/// As [`insert`] for reminders of several calls, in one statement on PostgreSQL: each one's
/// answer in their order. Those of a touchpoint in `superseding` replace the customer's
/// waiting ones; at most one of them per customer and touchpoint, and one per customer and
/// dedupe key (a later one could not see the earlier one's row).
pub async fn insert_many<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    new: &[Reminder],
    superseding: &[Touchpoint],
) -> Result<Vec<Scheduled>, StoreError> {
    let Some(at) = new.iter().map(|r| r.create_time).max() else {
        return Ok(Vec::new());
    };
    let stored = if conn.get_database_backend() == DbBackend::Postgres {
        insert_reminders(conn, new, superseding, at).await?
    } else {
        let txn = conn.begin().await?;
        let stored = insert_reminders(&txn, new, superseding, at).await?;
        txn.commit().await?;
        stored
    };
    let mut scheduled = Vec::with_capacity(new.len());
    for r in new {
        if stored.inserted.contains(&r.id) {
            scheduled.push(Scheduled::Created(as_stored(r)));
            continue;
        }
        // Its dedupe key was taken, by an earlier call or a concurrent one that committed first.
        match holder_of_key(conn, r).await? {
            Some(existing) => scheduled.push(Scheduled::Deduplicated(existing)),
            None => {
                return Err(StoreError::Internal(format!(
                    "reminder {} was not inserted and holds no dedupe key",
                    r.id
                )));
            }
        }
    }
    Ok(scheduled)
}

/// The reminder holding `new`'s dedupe key for its customer, if it has one.
async fn holder_of_key<C: ConnectionTrait>(
    conn: &C,
    new: &Reminder,
) -> Result<Option<Reminder>, StoreError> {
    match &new.dedupe_key {
        Some(key) => find_by_dedupe_key(conn, &new.customer_id, key).await,
        None => Ok(None),
    }
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<Reminder>, StoreError> {
    let row = conn
        .query_one_raw(statement(conn, &select("reminder_id = $1"), [id.into()]))
        .await?;
    row.as_ref().map(reminder).transpose()
}

/// The reminder with its history and attempts, or NOT_FOUND.
pub async fn get_record<C: ConnectionTrait>(
    conn: &C,
    id: &str,
) -> Result<ReminderRecord, StoreError> {
    let reminder = get(conn, id)
        .await?
        .ok_or_else(|| StoreError::not_found("reminder", id))?;
    Ok(ReminderRecord {
        history: history::of_reminder(conn, id).await?,
        attempts: attempts::of_reminder(conn, id).await?,
        reminder,
    })
}

pub async fn find_by_dedupe_key<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    key: &str,
) -> Result<Option<Reminder>, StoreError> {
    let sql = select("customer_id = $1 AND dedupe_key = $2");
    let row = conn
        .query_one_raw(statement(conn, &sql, [customer_id.into(), key.into()]))
        .await?;
    row.as_ref().map(reminder).transpose()
}

/// The reminders an ingested event created, in id (creation) order.
pub async fn of_event<C: ConnectionTrait>(
    conn: &C,
    event_id: &str,
) -> Result<Vec<Reminder>, StoreError> {
    let sql = select("source_event_id = $1 ORDER BY reminder_id");
    let rows = conn
        .query_all_raw(statement(conn, &sql, [event_id.into()]))
        .await?;
    rows.iter().map(reminder).collect()
}

/// Cancels a waiting reminder; one already claimed, sent or ended is an illegal move.
pub async fn cancel<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    which: Which<'_>,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reminder, StoreError> {
    for _ in 0..RETRIES {
        let found = match which {
            Which::Id(id) => get(conn, id).await?,
            Which::DedupeKey { customer_id, key } => {
                find_by_dedupe_key(conn, customer_id, key).await?
            }
        };
        let mut r = found.ok_or_else(|| match which {
            Which::Id(id) => StoreError::not_found("reminder", id),
            Which::DedupeKey { key, .. } => StoreError::not_found("dedupe key", key),
        })?;
        let entry = r.cancel(now, detail)?;
        if write(conn, &r, std::slice::from_ref(&entry)).await? {
            return Ok(as_stored(&r));
        }
    }
    Err(StoreError::Conflict(
        "the reminder kept changing while being cancelled".into(),
    ))
}

/// Writes a move made outside a lease (a delivery receipt, say): refused as a conflict when
/// the reminder moved meanwhile, so the caller reads it again and decides anew.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    moved: &Reminder,
    entries: &[HistoryEntry],
) -> Result<(), StoreError> {
    if write(conn, moved, entries).await? {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "reminder {} moved meanwhile",
            moved.id
        )))
    }
}

async fn write<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    moved: &Reminder,
    entries: &[HistoryEntry],
) -> Result<bool, StoreError> {
    let txn = conn.begin().await?;
    let saved = save(&txn, moved, entries, None).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Writes `moved` and appends `entries` (the moves since it was read), if the row still
/// counts the changes it was read with, and under `lease` when given. Clears the lease: a
/// reminder written back has left its worker. Run it inside a transaction.
pub(super) async fn save<C: ConnectionTrait>(
    txn: &C,
    moved: &Reminder,
    entries: &[HistoryEntry],
    lease: Option<&Lease>,
) -> Result<bool, StoreError> {
    let lost = super::save::save_all(txn, &[(moved, entries)], lease).await?;
    Ok(lost.is_empty())
}

/// `r` as it reads back: times to the millisecond.
pub(super) fn as_stored(r: &Reminder) -> Reminder {
    use super::stored_time as at;
    Reminder {
        send_at: at(r.send_at),
        deadline: at(r.deadline),
        planned_send_at: at(r.planned_send_at),
        create_time: at(r.create_time),
        update_time: at(r.update_time),
        ..r.clone()
    }
}
