//! Claiming due reminders for delivery. A worker claims a batch in one statement: waiting
//! reminders whose planned time has come, and dispatching ones whose lease ran out (their
//! worker died), move to DISPATCHING under the worker's lease. On PostgreSQL the selecting
//! subquery takes `FOR UPDATE SKIP LOCKED`, so concurrent claimers pass over each other's rows
//! instead of queueing behind them; SQLite has one connection and one writer, so the same
//! UPDATE … RETURNING is already exclusive. The lease (owner and expiry together) is a fencing
//! token: a worker writes its result back only while the row still carries its lease, so one
//! whose lease was taken over cannot overwrite the new owner's work.
//!
//! A claim records its customers' cache tags in its own transaction: everything the worker then
//! does to the claimed reminders (send, defer, end) changes what their customers' views list, and
//! the worker bumps the tags once, when its round is done (`crate::stale`).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DbBackend, TransactionSession, TransactionTrait, Value};
use vipcare_storage::invalidation::Recorded;
use vipcare_storage::rows::{Kind, Rows};

use super::attempts::{self, Attempt, SentMessage};
use super::codec::{REMINDER_COLUMNS, reminder};
use super::save::{LEASE_GUARD, save_all};
use super::{StoreError, history, ms, statement, time};
use crate::domain::{HistoryEntry, Reason, Reminder, ReminderState};

/// A worker's hold on the reminders it claimed: who, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// One claim: the reminders, now DISPATCHING, under one lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub lease: Lease,
    /// Earliest planned first.
    pub reminders: Vec<Reminder>,
    /// The claimed customers' view tags, recorded with the claim; `None` for an empty claim.
    pub stale: Option<Recorded>,
    /// Reminders a dead worker was handing over, by id: the unit (its first message's id) they
    /// went in, which may have reached the provider.
    pub handing_over: HashMap<String, String>,
}

/// A claimed reminder moved on by its worker, with the moves it made (the last one the state
/// it is written back in) and the attempt it made, if any.
#[derive(Debug, Clone, Copy)]
pub struct Completion<'a> {
    pub reminder: &'a Reminder,
    pub changes: &'a [HistoryEntry],
    pub attempt: Option<&'a Attempt>,
}

/// Claims up to `limit` due reminders for `worker_id` until `now + lease`, and every reminder
/// whose lease ran out (a dead worker's: its units are taken whole, so they can go again as
/// they went), recording the move (DUE, or LEASE_TAKEN_OVER) in each history.
pub async fn claim_due<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    worker_id: &str,
    lease: TimeDelta,
    limit: u64,
) -> Result<Claimed, StoreError> {
    let lease = Lease {
        owner: worker_id.to_owned(),
        until: time(ms(now + lease)),
    };
    let lock = match conn.get_database_backend() {
        DbBackend::Postgres => "FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    // Two CTEs joined by one IN, not `IN (…) OR IN (…)`: PostgreSQL cannot turn an OR of
    // sublinks into joins and scanned the whole table per claim (0.3 s at 100,000 rows). The
    // limit is written in, so the planner knows the claim is small. Each CTE walks its own
    // partial index (m0005) in order. The CASE reads the row before the update: a row still
    // DISPATCHING was a dead worker's.
    let sql = format!(
        "WITH due AS (\
           SELECT reminder_id FROM reminders \
           WHERE state IN ('SCHEDULED', 'DEFERRED') AND planned_send_ms <= $3 \
           ORDER BY planned_send_ms, reminder_id LIMIT {limit} {lock}), \
         expired AS (\
           SELECT reminder_id FROM reminders \
           WHERE state = 'DISPATCHING' AND lease_until_ms <= $3 {lock}) \
         UPDATE reminders SET state = 'DISPATCHING', \
           state_reason = CASE WHEN state = 'DISPATCHING' THEN 'LEASE_TAKEN_OVER' ELSE 'DUE' END, \
           lease_owner = $1, lease_until_ms = $2, update_ms = $3, history_len = history_len + 1 \
         WHERE reminder_id IN (SELECT reminder_id FROM due UNION ALL SELECT reminder_id FROM expired) \
         RETURNING {REMINDER_COLUMNS}, handing_over"
    );
    let values: [Value; 3] = [worker_id.into(), ms(lease.until).into(), ms(now).into()];
    let txn = conn.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // The waiting index already holds the claim's order, so walking it and stopping at the
        // limit is always the plan. Statistics taken before a backlog arrived (a feed, an
        // outage ended) make the planner read every due row and sort them on disk instead:
        // 0.2–0.4 s per claim at 100,000 due. Off for this transaction only.
        txn.execute_unprepared("SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off")
            .await?;
    }
    let rows = txn.query_all_raw(statement(&txn, &sql, values)).await?;
    let mut claimed = Vec::with_capacity(rows.len());
    let mut entries = Vec::with_capacity(rows.len());
    let mut handing_over = HashMap::new();
    for row in &rows {
        let r = reminder(row)?;
        if let Some(unit) = row.try_get::<Option<String>>("", "handing_over")? {
            handing_over.insert(r.id.clone(), unit);
        }
        let reason: String = row.try_get("", "state_reason")?;
        let reason = match reason.as_str() {
            "LEASE_TAKEN_OVER" => Reason::LeaseTakenOver,
            _ => Reason::Due,
        };
        entries.push(HistoryEntry {
            at: time(ms(now)),
            state: ReminderState::Dispatching,
            reason,
            detail: None,
            attempt_id: None,
        });
        claimed.push(r);
    }
    history::append(
        &txn,
        claimed
            .iter()
            .zip(&entries)
            .map(|(r, e)| (r.id.as_str(), r.changes, e)),
    )
    .await?;
    let stale = crate::stale::record(&txn, claimed.iter().map(|r| r.customer_id.as_str())).await?;
    txn.commit().await?;
    // RETURNING keeps no order; hand them out in the order they fell due.
    claimed.sort_by(|a, b| (a.planned_send_at, &a.id).cmp(&(b.planned_send_at, &b.id)));
    Ok(Claimed {
        lease,
        reminders: claimed,
        stale,
        handing_over,
    })
}

/// Records, under `lease`, that `reminder_ids` are being handed over in `unit`; false, writing
/// nothing, when any of them is no longer under the lease.
pub async fn hand_over<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    lease: &Lease,
    reminder_ids: &[&str],
    unit: &str,
) -> Result<bool, StoreError> {
    if reminder_ids.is_empty() {
        return Ok(true);
    }
    let mut values: Vec<Value> = vec![
        unit.into(),
        lease.owner.clone().into(),
        ms(lease.until).into(),
    ];
    let mut ids = Vec::with_capacity(reminder_ids.len());
    for id in reminder_ids {
        values.push((*id).into());
        ids.push(format!("${}", values.len()));
    }
    let sql = format!(
        "UPDATE reminders SET handing_over = $1 \
         WHERE state = 'DISPATCHING' AND lease_owner = $2 AND lease_until_ms = $3 \
           AND reminder_id IN ({})",
        ids.join(", ")
    );
    let txn = conn.begin().await?;
    let done = txn.execute_raw(statement(&txn, &sql, values)).await?;
    if done.rows_affected() != reminder_ids.len() as u64 {
        txn.rollback().await?;
        return Ok(false);
    }
    txn.commit().await?;
    Ok(true)
}

/// [`hand_over`] for many units in one transaction: each unit's reminders with the unit they
/// go in. False, writing nothing, when any of them is no longer under the lease (the caller
/// then records them one unit at a time, to send those it still holds).
pub async fn hand_over_all<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    lease: &Lease,
    units: &[(Vec<&str>, &str)],
) -> Result<bool, StoreError> {
    let mut rows = Rows::new(&[("id", Kind::Text), ("unit", Kind::Text)]);
    for (ids, unit) in units {
        for id in ids {
            rows.row([(*id).into(), (*unit).into()]);
        }
    }
    let expected = rows.len() as u64;
    if expected == 0 {
        return Ok(true);
    }
    let leading: [Value; 2] = [lease.owner.clone().into(), ms(lease.until).into()];
    let txn = conn.begin().await?;
    let mut done = 0;
    for stmt in rows.statements(txn.get_database_backend(), &leading, |source| {
        format!(
            "UPDATE reminders SET handing_over = v.unit FROM {source} AS v \
             WHERE reminders.reminder_id = v.id{LEASE_GUARD}"
        )
    }) {
        done += txn.execute_raw(stmt).await?.rows_affected();
    }
    if done != expected {
        txn.rollback().await?;
        return Ok(false);
    }
    txn.commit().await?;
    Ok(true)
}

/// Writes back what the worker made of its claimed reminders (sent, delivered, ended, or
/// waiting again for a retry), their attempts and the messages that carried them, in one
/// transaction. If any of them is no longer under `lease`, nothing is written.
pub async fn complete<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    lease: &Lease,
    done: &[Completion<'_>],
    messages: &[&SentMessage],
) -> Result<(), StoreError> {
    let txn = conn.begin().await?;
    write_back(&txn, lease, done).await?;
    let tried: Vec<&Attempt> = done.iter().filter_map(|c| c.attempt).collect();
    attempts::insert(&txn, &tried).await?;
    attempts::record_messages(&txn, messages).await?;
    txn.commit().await?;
    Ok(())
}

/// Gives claimed reminders back to wait (for quiet hours, the cap, or a worker shutting
/// down), with the moves that say why. Refused, writing nothing, without the lease.
pub async fn release<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    lease: &Lease,
    done: &[Completion<'_>],
) -> Result<(), StoreError> {
    if let Some(c) = done.iter().find(|c| !c.reminder.is_waiting()) {
        return Err(StoreError::Internal(format!(
            "reminder {} released as {}, not waiting",
            c.reminder.id,
            c.reminder.state.code()
        )));
    }
    let txn = conn.begin().await?;
    write_back(&txn, lease, done).await?;
    txn.commit().await?;
    Ok(())
}

async fn write_back<C: ConnectionTrait>(
    txn: &C,
    lease: &Lease,
    done: &[Completion<'_>],
) -> Result<(), StoreError> {
    if let Some(c) = done
        .iter()
        .find(|c| c.reminder.state == ReminderState::Dispatching)
    {
        return Err(StoreError::Internal(format!(
            "reminder {} written back still DISPATCHING",
            c.reminder.id
        )));
    }
    let moved: Vec<_> = done.iter().map(|c| (c.reminder, c.changes)).collect();
    let lost = save_all(txn, &moved, Some(lease)).await?;
    if lost.is_empty() {
        Ok(())
    } else {
        Err(StoreError::LeaseLost { reminder_ids: lost })
    }
}

/// Extends `lease` to `until` on the reminders it still holds (a slow provider), returning
/// the new lease and how many reminders it covers.
pub async fn renew<C: ConnectionTrait>(
    conn: &C,
    lease: &Lease,
    until: DateTime<Utc>,
) -> Result<(Lease, u64), StoreError> {
    let renewed = Lease {
        owner: lease.owner.clone(),
        until: time(ms(until)),
    };
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE reminders SET lease_until_ms = $1 \
             WHERE state = 'DISPATCHING' AND lease_owner = $2 AND lease_until_ms = $3",
            [
                ms(renewed.until).into(),
                lease.owner.clone().into(),
                ms(lease.until).into(),
            ],
        ))
        .await?;
    Ok((renewed, done.rows_affected()))
}
