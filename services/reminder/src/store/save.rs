//! Writing moved reminders back: each row only if it still counts the changes it was read with
//! (and, for a worker, still carries its lease), with the history entries of its moves. Many
//! reminders go in one `UPDATE … FROM` a batch of rows (`vipcare_storage::rows`), so a worker
//! writing back a message's reminders, or a round's, pays one round trip, not one per reminder.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, Value};
use vipcare_storage::rows::{Kind, Rows};

use super::dispatch::Lease;
use super::{StoreError, history, ms};
use crate::domain::{HistoryEntry, Reminder};

/// The lease a row must still carry to be written back (owner `$1`, expiry `$2`), for an
/// `UPDATE reminders … FROM rows AS v WHERE reminders.reminder_id = v.id`. The expiry is
/// compared as `+ 0` so that no index serves it: the statistics never see DISPATCHING rows
/// (they pass too quickly), so the planner took the lease index for one row and drove the join
/// from it, unnesting every row for each leased reminder (48 ms per 200-row write-back instead
/// of one primary-key look-up per row).
pub(super) const LEASE_GUARD: &str = " AND reminders.state = 'DISPATCHING' \
    AND reminders.lease_owner = $1 AND reminders.lease_until_ms + 0 = $2";

/// A reminder as moved, with the moves made since it was read (the last one the state it is
/// written in).
pub(super) type Moved<'a> = (&'a Reminder, &'a [HistoryEntry]);

const COLUMNS: [(&str, Kind); 12] = [
    ("id", Kind::Text),
    ("before", Kind::Int),
    ("state", Kind::Text),
    ("reason", Kind::Text),
    ("planned", Kind::Int),
    ("channel", Kind::MaybeText),
    ("channel_index", Kind::Int),
    ("attempts", Kind::Int),
    ("message_id", Kind::MaybeText),
    ("superseded_by", Kind::MaybeText),
    ("update_ms", Kind::Int),
    ("history_len", Kind::Int),
];

/// Writes each of `moved` whose row still counts the changes before its moves (and is under
/// `lease` when given), clearing its lease, and appends their history entries. Returns the ids
/// of those not written: moved meanwhile, or taken over. Run it inside a transaction.
pub(super) async fn save_all<C: ConnectionTrait>(
    txn: &C,
    moved: &[Moved<'_>],
    lease: Option<&Lease>,
) -> Result<Vec<String>, StoreError> {
    let mut rows = Rows::new(&COLUMNS);
    for (r, entries) in moved {
        let last = entries.last().ok_or_else(|| {
            StoreError::Internal(format!("reminder {} saved without a move", r.id))
        })?;
        rows.row([
            r.id.clone().into(),
            history::changes_before(r, entries).into(),
            r.state.code().into(),
            last.reason.code().into(),
            ms(r.planned_send_at).into(),
            r.channel.map(|c| c.code().to_owned()).into(),
            i64::from(r.channel_index).into(),
            i64::from(r.attempts).into(),
            r.message_id.clone().into(),
            r.superseded_by.clone().into(),
            ms(r.update_time).into(),
            i64::from(r.changes).into(),
        ]);
    }
    let (leading, guard): (Vec<Value>, &str) = match lease {
        Some(lease) => (
            vec![lease.owner.clone().into(), ms(lease.until).into()],
            LEASE_GUARD,
        ),
        None => (Vec::new(), ""),
    };
    let backend = txn.get_database_backend();
    let statements = rows.statements(backend, &leading, |source| {
        format!(
            "UPDATE reminders SET state = v.state, state_reason = v.reason, \
               planned_send_ms = v.planned, channel = v.channel, channel_index = v.channel_index, \
               attempts = v.attempts, message_id = v.message_id, superseded_by = v.superseded_by, \
               update_ms = v.update_ms, history_len = v.history_len, lease_owner = NULL, \
               lease_until_ms = NULL, handing_over = NULL \
             FROM {source} AS v \
             WHERE reminders.reminder_id = v.id AND reminders.history_len = v.before{guard} \
             RETURNING reminders.reminder_id"
        )
    });
    let mut saved = HashSet::with_capacity(moved.len());
    for statement in statements {
        for row in txn.query_all_raw(statement).await? {
            saved.insert(row.try_get::<String>("", "reminder_id")?);
        }
    }
    let mut entries = Vec::new();
    let mut lost = Vec::new();
    for (r, changes) in moved {
        if saved.contains(&r.id) {
            entries.extend(history::numbered(r, changes)?);
        } else {
            lost.push(r.id.clone());
        }
    }
    history::append(txn, entries).await?;
    Ok(lost)
}
