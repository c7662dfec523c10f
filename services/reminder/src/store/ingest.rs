//! What ingesting a batch of events writes, in the one transaction the caller holds for the
//! batch: the event ids (which were new, so the same event twice creates nothing twice), what is
//! remembered per customer (locked for the batch on PostgreSQL, so two feeds cannot both see a
//! balance cross its threshold), the new reminders with their first history entries, and the
//! moves they cause on stored ones. Every write is one statement for the whole batch (a few
//! for SQLite), never one per event: billing feeds are large.

mod moves;
mod rows;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use vipcare_domain::Period;
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::one_of;

use super::codec::{REMINDER_COLUMNS, reminder_values};
use super::error::corrupt;
use super::{StoreError, ms, statement, time};
use crate::domain::events::{Abroad, BalanceSeen, Memory, RoamingSeen, UsageTold};
use crate::domain::{Reason, Reminder, Touchpoint};

pub use moves::resolve;
use moves::{Newer, supersede};
use rows::NewRows;

/// "Never seen" in the memory's time columns.
const NEVER_MS: i64 = i64::MIN;

/// Records `event_ids` as ingested at `at`; returns those not seen before. Ids are written in
/// order, so two feeds carrying the same ids wait on each other rather than deadlock.
pub async fn record_new<C: ConnectionTrait>(
    conn: &C,
    event_ids: &[&str],
    at: DateTime<Utc>,
) -> Result<HashSet<String>, StoreError> {
    let mut sorted = event_ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let values = sorted
        .into_iter()
        .flat_map(|id| [Value::from(id), ms(at).into()])
        .collect();
    NewRows {
        table: "ingested_events",
        columns: &["event_id", "received_ms"],
        key: "event_id",
        values,
    }
    .insert(conn)
    .await
}

/// Forgets ids recorded by [`record_new`] whose events were refused after all, so a corrected
/// redelivery is not taken for a duplicate.
pub async fn forget<C: ConnectionTrait>(conn: &C, event_ids: &[&str]) -> Result<(), StoreError> {
    if event_ids.is_empty() {
        return Ok(());
    }
    let (clause, values) = one_of(conn, "event_id", 1, event_ids);
    let sql = format!("DELETE FROM ingested_events WHERE {clause}");
    conn.execute_raw(statement(conn, &sql, values)).await?;
    Ok(())
}

/// What storing a batch's reminders did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The reminders stored (the others' dedupe keys were taken).
    pub inserted: HashSet<String>,
    /// Waiting reminders the stored ones replaced.
    pub superseded: Vec<String>,
}

/// Stores new reminders (SCHEDULED, each with its first history entry) unless their dedupe key
/// is taken, and supersedes the customer's waiting reminders of each stored one whose
/// touchpoint is in `superseding` (the batch holds at most one such per customer and
/// touchpoint). On PostgreSQL this is one statement.
pub async fn insert_reminders<C: ConnectionTrait>(
    conn: &C,
    reminders: &[Reminder],
    superseding: &[Touchpoint],
    at: DateTime<Utc>,
) -> Result<Stored, StoreError> {
    if reminders.is_empty() {
        return Ok(Stored::default());
    }
    let mut values = Vec::with_capacity(reminders.len() * super::codec::REMINDER_WIDTH);
    for r in reminders {
        values.extend(reminder_values(r, Reason::Created)?);
    }
    let columns: Vec<&str> = REMINDER_COLUMNS.split(',').map(str::trim).collect();
    let rows = NewRows {
        table: "reminders",
        columns: &columns,
        key: "reminder_id",
        values,
    };
    if conn.get_database_backend() == DbBackend::Postgres {
        return insert_at_once(conn, rows, superseding, at).await;
    }
    let inserted = rows.insert(conn).await?;
    let mut history = BulkInsert::new("reminder_history", &["reminder_id", "at_ms"])
        .fixed("seq", "1")
        .fixed("state", "'SCHEDULED'")
        .fixed("reason", "'CREATED'")
        .fixed("detail", "NULL")
        .fixed("attempt_id", "NULL");
    for r in reminders.iter().filter(|r| inserted.contains(&r.id)) {
        history.row([r.id.clone().into(), ms(r.create_time).into()]);
    }
    history.execute(conn).await?;
    let newer: Vec<Newer> = reminders
        .iter()
        .filter(|r| inserted.contains(&r.id) && superseding.contains(&r.touchpoint))
        .map(|r| Newer {
            customer_id: &r.customer_id,
            touchpoint: r.touchpoint,
            reminder_id: &r.id,
        })
        .collect();
    let superseded = supersede(conn, &newer, at).await?;
    Ok(Stored {
        inserted,
        superseded,
    })
}

/// PostgreSQL: the insert, both kinds of history and the supersede as one statement. Every
/// part reads the snapshot from before it, so the UPDATE cannot see, and supersede, the rows
/// the INSERT adds.
async fn insert_at_once<C: ConnectionTrait>(
    conn: &C,
    rows: NewRows<'_>,
    superseding: &[Touchpoint],
    at: DateTime<Utc>,
) -> Result<Stored, StoreError> {
    let (insert, mut values) = rows.postgres("reminder_id, customer_id, touchpoint, create_ms")?;
    let (at_n, kinds_n) = (values.len() + 1, values.len() + 2);
    let kinds: Vec<Value> = superseding.iter().map(|t| t.code().into()).collect();
    values.push(ms(at).into());
    values.push(Value::Array(ArrayType::String, Some(Box::new(kinds))));
    let sql = format!(
        "WITH ins AS ({insert}), \
         first AS (INSERT INTO reminder_history (reminder_id, seq, at_ms, state, reason) \
           SELECT reminder_id, 1, create_ms, 'SCHEDULED', 'CREATED' FROM ins), \
         sup AS (UPDATE reminders AS r SET state = 'SUPERSEDED', \
             state_reason = 'SUPERSEDED_BY_NEWER', superseded_by = ins.reminder_id, \
             update_ms = ${at_n}, history_len = r.history_len + 1 \
           FROM ins WHERE ins.touchpoint = ANY(${kinds_n}::text[]) \
             AND r.customer_id = ins.customer_id AND r.touchpoint = ins.touchpoint \
             AND r.state IN ('SCHEDULED', 'DEFERRED') \
           RETURNING r.reminder_id, r.history_len, r.superseded_by), \
         moved AS (INSERT INTO reminder_history (reminder_id, seq, at_ms, state, reason, detail) \
           SELECT reminder_id, history_len, ${at_n}, 'SUPERSEDED', 'SUPERSEDED_BY_NEWER', \
             'replaced by ' || superseded_by FROM sup) \
         SELECT reminder_id, TRUE AS new FROM ins UNION ALL SELECT reminder_id, FALSE FROM sup"
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    let mut stored = Stored::default();
    for row in rows {
        let id: String = row.try_get("", "reminder_id")?;
        if row.try_get("", "new")? {
            stored.inserted.insert(id);
        } else {
            stored.superseded.push(id);
        }
    }
    Ok(stored)
}

/// What is remembered of `customer_ids` (customers never seen are absent), held for the rest
/// of the transaction on PostgreSQL: a placeholder row is made for each new customer first, so
/// even a first event is serialised against a concurrent one, and rows are locked in id order.
pub async fn memory_for_update<C: ConnectionTrait>(
    conn: &C,
    customer_ids: &[&str],
) -> Result<HashMap<String, Memory>, StoreError> {
    let mut ids = customer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = conn.get_database_backend();
    let rows = if backend == DbBackend::Postgres {
        // A no-op update of an existing row locks it, and returns it as it is; a new customer
        // gets a "never seen" row, locked as inserted. Ids go in order: locks are taken in it.
        let array: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
        let sql = format!(
            "INSERT INTO event_memory ({MEMORY_COLUMNS}) \
             SELECT unnest($1::text[]), FALSE, {NEVER_MS}, '', '', {NEVER_MS}, '', 0 \
             ON CONFLICT (customer_id) DO UPDATE SET customer_id = excluded.customer_id \
             RETURNING {MEMORY_COLUMNS}"
        );
        let array = Value::Array(ArrayType::String, Some(Box::new(array)));
        conn.query_all_raw(Statement::from_sql_and_values(backend, sql, [array]))
            .await?
    } else {
        // One connection, one writer: the transaction is already exclusive.
        let (clause, values) = one_of(conn, "customer_id", 1, &ids);
        let sql = format!("SELECT {MEMORY_COLUMNS} FROM event_memory WHERE {clause}");
        conn.query_all_raw(statement(conn, &sql, values)).await?
    };
    rows.iter()
        .map(|row| Ok((row.try_get("", "customer_id")?, memory(row)?)))
        .collect()
}

/// Writes what is now remembered of each customer.
pub async fn save_memory<C: ConnectionTrait>(
    conn: &C,
    memories: &[(&str, &Memory)],
) -> Result<(), StoreError> {
    let columns: Vec<&str> = MEMORY_COLUMNS.split(',').map(str::trim).collect();
    let updates: Vec<String> = columns[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let tail = format!(
        "ON CONFLICT (customer_id) DO UPDATE SET {}",
        updates.join(", ")
    );
    let mut upsert = BulkInsert::new("event_memory", &columns).then(&tail);
    for (customer_id, m) in memories {
        let roaming = m.roaming.as_ref();
        let abroad = roaming.and_then(|r| r.abroad.as_ref());
        let usage = m.usage.as_ref();
        upsert.row([
            (*customer_id).into(),
            m.balance.is_some_and(|b| b.below).into(),
            m.balance.map_or(NEVER_MS, |b| ms(b.at)).into(),
            abroad.map_or("", |a| a.country_code.as_str()).into(),
            abroad.map_or("", |a| a.time_zone.as_str()).into(),
            roaming.map_or(NEVER_MS, |r| ms(r.at)).into(),
            usage
                .map(|u| u.cycle.to_string())
                .unwrap_or_default()
                .into(),
            usage.map_or(0, |u| i64::from(u.top_percent)).into(),
        ]);
    }
    upsert.execute(conn).await?;
    Ok(())
}

/// The zones the quiet hours of those of `customer_ids` roaming abroad at `now` follow, by
/// customer: none for a customer at home, never seen abroad, or whose last attach abroad has
/// lapsed.
pub async fn roaming_zones<C: ConnectionTrait>(
    conn: &C,
    customer_ids: &[&str],
    now: DateTime<Utc>,
) -> Result<HashMap<String, String>, StoreError> {
    if customer_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (clause, values) = one_of(conn, "customer_id", 1, customer_ids);
    let sql =
        format!("SELECT {MEMORY_COLUMNS} FROM event_memory WHERE {clause} AND roaming_zone <> ''");
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut zones = HashMap::new();
    for row in &rows {
        let customer_id: String = row.try_get("", "customer_id")?;
        if let Some(zone) = memory(row)?
            .roaming
            .and_then(|r| r.zone_at(now).map(str::to_owned))
        {
            zones.insert(customer_id, zone);
        }
    }
    Ok(zones)
}

const MEMORY_COLUMNS: &str = "customer_id, balance_below, balance_ms, roaming_country, \
    roaming_zone, roaming_ms, usage_cycle, usage_top_percent";

fn memory(row: &QueryResult) -> Result<Memory, StoreError> {
    let at = |column: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        let value: i64 = row.try_get("", column)?;
        Ok((value != NEVER_MS).then(|| time(value)))
    };
    let below: bool = row.try_get("", "balance_below")?;
    let country: String = row.try_get("", "roaming_country")?;
    let zone: String = row.try_get("", "roaming_zone")?;
    let cycle: String = row.try_get("", "usage_cycle")?;
    let top: i64 = row.try_get("", "usage_top_percent")?;
    let usage = if cycle.is_empty() {
        None
    } else {
        Some(UsageTold {
            cycle: Period::parse(&cycle).map_err(|e| corrupt("usage cycle", e))?,
            top_percent: i32::try_from(top).map_err(|_| corrupt("usage threshold", top))?,
        })
    };
    Ok(Memory {
        balance: at("balance_ms")?.map(|at| BalanceSeen { below, at }),
        roaming: at("roaming_ms")?.map(|at| RoamingSeen {
            at,
            abroad: (!country.is_empty()).then_some(Abroad {
                country_code: country,
                time_zone: zone,
            }),
        }),
        usage,
    })
}
