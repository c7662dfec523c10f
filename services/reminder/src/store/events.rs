//! Event ids already ingested, so the same event twice creates nothing twice. The id is kept
//! in the transaction that creates the event's reminders: if that rolls back, so does the id,
//! and a redelivery is ingested afresh.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{StoreError, ms, statement};

/// Records `event_id` unless it was seen before; true when it is new.
pub async fn record_if_absent<C: ConnectionTrait>(
    conn: &C,
    event_id: &str,
    received_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = conn
        .execute_raw(statement(
            conn,
            "INSERT INTO ingested_events (event_id, received_ms) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
            [event_id.into(), ms(received_at).into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}
