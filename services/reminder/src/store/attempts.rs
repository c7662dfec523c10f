//! Delivery attempts and the messages that carried them. An attempt is one hand-over of a
//! reminder to a channel, under an idempotency key the provider sees; its outcome is recorded
//! once (a repeated receipt changes nothing). A message is what reached the phone: merged
//! reminders share one, and the daily cap counts messages, not reminders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::one_of;

use super::codec::{coded, count};
use super::error::corrupt;
use super::{StoreError, ms, statement, time};
use crate::domain::{ContactChannel, DeliveryOutcome};

/// One hand-over of a reminder to a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub attempt_id: String,
    pub reminder_id: String,
    pub message_id: Option<String>,
    pub channel: ContactChannel,
    /// 1 for the reminder's first attempt, counting over every channel.
    pub number: u32,
    /// What the provider sees, so a repeated hand-over is recognised as one.
    pub idempotency_key: String,
    pub sent_at: DateTime<Utc>,
    /// `None` while waiting for a receipt.
    pub outcome: Option<DeliveryOutcome>,
    pub outcome_at: Option<DateTime<Utc>>,
    /// The provider's words, or why no receipt came.
    pub detail: Option<String>,
}

/// One message sent to a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub message_id: String,
    pub customer_id: String,
    pub channel: ContactChannel,
    pub sent_at: DateTime<Utc>,
    /// Whether it counts against the daily cap (urgent and mandatory ones do not).
    pub counted_for_cap: bool,
}

const COLUMNS: &str = "attempt_id, reminder_id, message_id, channel, number, idempotency_key, \
    sent_ms, outcome, outcome_ms, detail";

/// Stores new attempts in one statement.
pub(super) async fn insert<C: ConnectionTrait>(
    conn: &C,
    attempts: &[&Attempt],
) -> Result<(), StoreError> {
    let columns: Vec<&str> = COLUMNS.split(", ").collect();
    let mut insert = BulkInsert::new("attempts", &columns);
    for a in attempts {
        insert.row([
            a.attempt_id.clone().into(),
            a.reminder_id.clone().into(),
            a.message_id.clone().into(),
            a.channel.code().into(),
            i64::from(a.number).into(),
            a.idempotency_key.clone().into(),
            ms(a.sent_at).into(),
            a.outcome.map(|o| o.code().to_owned()).into(),
            a.outcome_at.map(ms).into(),
            a.detail.clone().into(),
        ]);
    }
    insert.execute(conn).await?;
    Ok(())
}

fn attempt(row: &sea_orm::QueryResult) -> Result<Attempt, StoreError> {
    let outcome: Option<String> = row.try_get("", "outcome")?;
    Ok(Attempt {
        attempt_id: row.try_get("", "attempt_id")?,
        reminder_id: row.try_get("", "reminder_id")?,
        message_id: row.try_get("", "message_id")?,
        channel: coded("channel", row, ContactChannel::from_code)?,
        number: count(row, "number")?,
        idempotency_key: row.try_get("", "idempotency_key")?,
        sent_at: time(row.try_get("", "sent_ms")?),
        outcome: outcome
            .map(|o| DeliveryOutcome::from_code(&o).ok_or_else(|| corrupt("outcome", o)))
            .transpose()?,
        outcome_at: row.try_get::<Option<i64>>("", "outcome_ms")?.map(time),
        detail: row.try_get("", "detail")?,
    })
}

/// A reminder's attempts, first first.
pub async fn of_reminder<C: ConnectionTrait>(
    conn: &C,
    reminder_id: &str,
) -> Result<Vec<Attempt>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE reminder_id = $1 ORDER BY number");
    let rows = conn
        .query_all_raw(statement(conn, &sql, [reminder_id.into()]))
        .await?;
    rows.iter().map(attempt).collect()
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    attempt_id: &str,
) -> Result<Option<Attempt>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM attempts WHERE attempt_id = $1");
    let row = conn
        .query_one_raw(statement(conn, &sql, [attempt_id.into()]))
        .await?;
    row.as_ref().map(attempt).transpose()
}

/// Records an attempt's outcome unless one is recorded already; true when this call did.
pub async fn record_outcome<C: ConnectionTrait>(
    conn: &C,
    attempt_id: &str,
    outcome: DeliveryOutcome,
    at: DateTime<Utc>,
    detail: Option<&str>,
) -> Result<bool, StoreError> {
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE attempts SET outcome = $1, outcome_ms = $2, detail = $3 \
             WHERE attempt_id = $4 AND outcome IS NULL",
            [
                outcome.code().into(),
                ms(at).into(),
                detail.map(str::to_owned).into(),
                attempt_id.into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records sent messages, each once (a retried write of the same message adds nothing).
pub(super) async fn record_messages<C: ConnectionTrait>(
    conn: &C,
    messages: &[&SentMessage],
) -> Result<(), StoreError> {
    let mut insert = BulkInsert::new(
        "messages",
        &[
            "message_id",
            "customer_id",
            "channel",
            "sent_ms",
            "counted_for_cap",
        ],
    )
    .then("ON CONFLICT DO NOTHING");
    for m in messages {
        insert.row([
            m.message_id.clone().into(),
            m.customer_id.clone().into(),
            m.channel.code().into(),
            ms(m.sent_at).into(),
            m.counted_for_cap.into(),
        ]);
    }
    insert.execute(conn).await?;
    Ok(())
}

/// When each message counted against the cap was sent to each of `customer_ids` in
/// `[from, until)`, by customer: a window around now wide enough to hold the calendar day the
/// cap asks about in any zone, read once for a whole round.
pub async fn capped_sent<C: ConnectionTrait>(
    conn: &C,
    customer_ids: &[&str],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<HashMap<String, Vec<DateTime<Utc>>>, StoreError> {
    if customer_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (clause, mut values) = one_of(conn, "customer_id", 3, customer_ids);
    values.splice(0..0, [ms(from).into(), ms(until).into()]);
    let sql = format!(
        "SELECT customer_id, sent_ms FROM messages WHERE {clause} AND counted_for_cap \
         AND sent_ms >= $1 AND sent_ms < $2"
    );
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut sent: HashMap<String, Vec<DateTime<Utc>>> = HashMap::new();
    for row in &rows {
        let customer_id: String = row.try_get("", "customer_id")?;
        let at: i64 = row.try_get("", "sent_ms")?;
        sent.entry(customer_id).or_default().push(time(at));
    }
    Ok(sent)
}
