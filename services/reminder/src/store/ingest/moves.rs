//! The moves an event batch makes on reminders already stored, in bulk: waiting reminders a
//! newer one replaces become SUPERSEDED (the touchpoint's rule says so: data usage, low
//! balance), and waiting low-balance warnings become CANCELLED once a top-up brings the balance
//! back. Only waiting rows (SCHEDULED, DEFERRED) move — the states `domain::state` lets
//! reach SUPERSEDED and CANCELLED — so a reminder a worker claimed meanwhile is left to it; each
//! move bumps the row's history count, so a worker holding an older copy cannot write over it,
//! and appends the history entry at that number.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Value};
use vipcare_storage::bulk::BulkInsert;

use crate::domain::{Reason, ReminderState, Touchpoint};
use crate::store::{StoreError, ms, statement};

/// A reminder just stored that replaces its customer's waiting ones of its touchpoint.
#[derive(Debug, Clone, Copy)]
pub(super) struct Newer<'a> {
    pub customer_id: &'a str,
    pub touchpoint: Touchpoint,
    pub reminder_id: &'a str,
}

/// Supersedes the waiting reminders each of `newer` replaces; returns their ids. Each
/// customer and touchpoint may appear once in `newer` (the batch keeps only its newest). A
/// VALUES list, for SQLite: PostgreSQL does this within the insert (`insert_reminders`).
pub(super) async fn supersede<C: ConnectionTrait>(
    conn: &C,
    newer: &[Newer<'_>],
    at: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    if newer.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = vec![ms(at).into()];
    let mut rows = Vec::with_capacity(newer.len());
    for n in newer {
        let first = values.len() + 1;
        rows.push(format!("(${first}, ${}, ${})", first + 1, first + 2));
        values.extend([
            n.customer_id.into(),
            n.touchpoint.code().into(),
            n.reminder_id.into(),
        ]);
    }
    // VALUES columns are column1.. on both backends; RETURNING may only name the target.
    let sql = format!(
        "UPDATE {} SET state = 'SUPERSEDED', state_reason = 'SUPERSEDED_BY_NEWER', \
           superseded_by = n.column3, update_ms = $1, history_len = history_len + 1 \
         FROM (VALUES {}) AS n \
         WHERE reminders.customer_id = n.column1 AND reminders.touchpoint = n.column2 \
           AND reminders.state IN ('SCHEDULED', 'DEFERRED') AND reminders.reminder_id <> n.column3 \
         RETURNING reminders.reminder_id, reminders.history_len, reminders.superseded_by",
        by_customer(conn),
        rows.join(", ")
    );
    let moved = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut entries = Vec::with_capacity(moved.len());
    for row in &moved {
        let by: Option<String> = row.try_get("", "superseded_by")?;
        entries.push((
            row.try_get::<String>("", "reminder_id")?,
            row.try_get::<i64>("", "history_len")?,
            format!("replaced by {}", by.unwrap_or_default()),
        ));
    }
    record(
        conn,
        &entries,
        ReminderState::Superseded,
        Reason::SupersededByNewer,
        at,
    )
    .await?;
    Ok(entries.into_iter().map(|(id, ..)| id).collect())
}

/// Cancels the waiting reminders of `touchpoint` rendered from `template_code` for
/// `customer_ids`: what they warned of is over. Returns their ids.
pub async fn resolve<C: ConnectionTrait>(
    conn: &C,
    customer_ids: &[&str],
    touchpoint: Touchpoint,
    template_code: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let (clause, ids) = vipcare_storage::one_of(conn, "customer_id", 4, customer_ids);
    let sql = format!(
        "UPDATE {} SET state = 'CANCELLED', state_reason = 'CONDITION_RESOLVED', \
           update_ms = $1, history_len = history_len + 1 \
         WHERE touchpoint = $2 AND template_code = $3 AND state IN ('SCHEDULED', 'DEFERRED') \
           AND {clause} \
         RETURNING reminder_id, history_len",
        by_customer(conn)
    );
    let mut values: Vec<Value> = vec![
        ms(at).into(),
        touchpoint.code().into(),
        template_code.into(),
    ];
    values.extend(ids);
    let moved = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut entries = Vec::with_capacity(moved.len());
    for row in &moved {
        entries.push((
            row.try_get::<String>("", "reminder_id")?,
            row.try_get::<i64>("", "history_len")?,
            detail.to_owned(),
        ));
    }
    record(
        conn,
        &entries,
        ReminderState::Cancelled,
        Reason::ConditionResolved,
        at,
    )
    .await?;
    Ok(entries.into_iter().map(|(id, ..)| id).collect())
}

/// The reminders table, read by customer. SQLite keeps no statistics, so it would take the
/// index on state (a customer's few rows being unknown to it) and compare every waiting
/// reminder against the batch's customers, or build an index of the whole table, at every
/// batch: ingest slowed down as the backlog grew. PostgreSQL plans from its statistics.
fn by_customer<C: ConnectionTrait>(conn: &C) -> &'static str {
    match conn.get_database_backend() {
        DbBackend::Sqlite => "reminders INDEXED BY reminders_customer",
        _ => "reminders",
    }
}

/// Appends one history entry per moved reminder: (id, its number, detail).
async fn record<C: ConnectionTrait>(
    conn: &C,
    entries: &[(String, i64, String)],
    state: ReminderState,
    reason: Reason,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    debug_assert!(reason.leads_to(state) && ReminderState::Scheduled.may_move_to(state));
    let mut insert = BulkInsert::new("reminder_history", &["reminder_id", "seq", "detail"])
        .fixed("at_ms", &ms(at).to_string())
        .fixed("state", &format!("'{}'", state.code()))
        .fixed("reason", &format!("'{}'", reason.code()))
        .fixed("attempt_id", "NULL");
    for (id, seq, detail) in entries {
        insert.row([id.clone().into(), (*seq).into(), detail.clone().into()]);
    }
    insert.execute(conn).await?;
    Ok(())
}
