//! The dispatch queue as operators watch it: how many reminders are due and waiting, how late
//! the oldest of them is, and how many workers hold in hand. Each count walks one of the
//! partial indexes the claim walks (m0005), so sampling it costs what it counts, never the
//! reminders planned for later.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{StoreError, ms, statement, time};

/// The queue at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    /// SCHEDULED or DEFERRED, planned for now or earlier: what the workers have still to take.
    pub due: u64,
    /// When the oldest of them was planned for; `None` when nothing is due.
    pub oldest_due: Option<DateTime<Utc>>,
    /// DISPATCHING: claimed by a worker, not yet written back.
    pub in_hand: u64,
}

/// The queue as of `now`.
pub async fn queue<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<Queue, StoreError> {
    let sql = "SELECT \
         (SELECT COUNT(*) FROM reminders WHERE state IN ('SCHEDULED', 'DEFERRED') \
            AND planned_send_ms <= $1) AS due, \
         (SELECT MIN(planned_send_ms) FROM reminders WHERE state IN ('SCHEDULED', 'DEFERRED') \
            AND planned_send_ms <= $1) AS oldest, \
         (SELECT COUNT(*) FROM reminders WHERE state = 'DISPATCHING') AS in_hand";
    let row = conn
        .query_one_raw(statement(conn, sql, [ms(now).into()]))
        .await?
        .ok_or_else(|| StoreError::Internal("the queue count returned no row".into()))?;
    let count = |column: &str| -> Result<u64, StoreError> {
        let n: i64 = row.try_get("", column)?;
        Ok(n.max(0) as u64)
    };
    let oldest: Option<i64> = row.try_get("", "oldest")?;
    Ok(Queue {
        due: count("due")?,
        oldest_due: oldest.map(time),
        in_hand: count("in_hand")?,
    })
}
