//! The transactional outbox. A service that must cause an effect in another service writes an
//! outbox row in the same transaction as its own change; the relay delivers the row as a gRPC
//! call (the row id is the receiver's `request_id`) and retries with backoff until the receiver
//! acknowledges. Rows are claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so
//! replicas never deliver the same row at once and a dead replica's claim runs out.

mod gauges;
pub mod grpc;
mod receiver;

pub use receiver::{OnAnswer, Receiver, Route, Settled};

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sea_orm::{ConnectionTrait, Statement, Value};
use tracing::Instrument;

use crate::bulk::BulkInsert;
use crate::sql::sql;
use tokio::sync::Notify;

use crate::{Backend, Database, StorageError};

/// One effect waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    /// The owning service, e.g. "reminder".
    pub destination: String,
    /// The full gRPC method path.
    pub method: String,
    /// The encoded request message.
    pub payload: Vec<u8>,
    /// Failed attempts so far.
    pub attempts: i32,
    /// The `traceparent` of the call that wrote it: its delivery continues that trace.
    pub trace: Option<String>,
}

impl OutboxMessage {
    /// The idempotency key the receiver sees: stable across retries and replicas.
    pub fn request_id(&self) -> String {
        format!("outbox-{}-{}", self.destination, self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// The receiver is unreachable or busy: try again later.
    Retry(String),
    /// The receiver refused the message for good: park it for an operator.
    Permanent(String),
}

/// Delivers outbox rows; implemented by each service for its destinations.
pub trait Deliver: Send + Sync + 'static {
    fn deliver<'a>(&'a self, msg: &'a OutboxMessage) -> BoxFuture<'a, Result<(), DeliveryError>>;
}

/// Parked rows wait here; the relay never picks them again.
const PARKED: i64 = i64::MAX;

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Adds a row inside the caller's transaction; returns its id.
pub async fn enqueue<C: ConnectionTrait>(
    txn: &C,
    destination: &str,
    method: &str,
    payload: Vec<u8>,
) -> Result<i64, StorageError> {
    let backend = txn.get_database_backend();
    let now = now_ms();
    let text = "INSERT INTO outbox (destination, method, payload, attempts, created_ms, next_attempt_ms, \
                trace_parent) VALUES ($1, $2, $3, 0, $4, $4, $5) RETURNING id";
    let values: [Value; 5] = [
        destination.into(),
        method.into(),
        payload.into(),
        now.into(),
        vipcare_trace::current().into(),
    ];
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql(backend, text),
            values,
        ))
        .await?
        .ok_or_else(|| StorageError::Other("outbox insert returned no id".into()))?;
    Ok(row.try_get::<i64>("", "id")?)
}

/// Adds one row per payload, all to `destination` by `method`, in one statement inside the
/// caller's transaction: how batch work tells of thousands of changes without a round trip each.
pub async fn enqueue_many<C: ConnectionTrait>(
    txn: &C,
    destination: &str,
    method: &str,
    payloads: impl IntoIterator<Item = Vec<u8>>,
) -> Result<u64, StorageError> {
    let now = now_ms();
    let trace = vipcare_trace::current();
    let mut insert = BulkInsert::new(
        "outbox",
        &[
            "destination",
            "method",
            "payload",
            "created_ms",
            "next_attempt_ms",
            "trace_parent",
        ],
    )
    .fixed("attempts", "0");
    for payload in payloads {
        insert.row([
            destination.into(),
            method.into(),
            payload.into(),
            now.into(),
            now.into(),
            trace.clone().into(),
        ]);
    }
    Ok(insert.execute(txn).await?)
}

/// What one batch came to.
struct Batch {
    attempted: usize,
    /// The receiver could not take a row now: wait before the next batch.
    stalled: bool,
    /// Shutdown came during the batch: the rest was handed back.
    stopped: bool,
}

/// Delivers due outbox rows until shut down.
pub struct OutboxRelay {
    db: Database,
    deliver: Arc<dyn Deliver>,
    batch: u32,
    lease: Duration,
    idle_poll: Duration,
    wake: Arc<Notify>,
    /// The destinations this relay delivers to; rows for others wait (empty: all).
    only_to: Vec<&'static str>,
}

impl OutboxRelay {
    pub fn new(db: Database, deliver: Arc<dyn Deliver>) -> Self {
        OutboxRelay {
            db,
            deliver,
            batch: 100,
            lease: Duration::from_secs(30),
            idle_poll: Duration::from_millis(500),
            wake: Arc::new(Notify::new()),
            only_to: Vec::new(),
        }
    }

    /// Delivers only rows for `destinations`; rows for others wait in the outbox untouched
    /// (a service not deployed yet: its rows must not hold up the rest, nor be retried).
    pub fn only_to(mut self, destinations: &[&'static str]) -> Self {
        self.only_to = destinations.to_vec();
        self
    }

    /// Poke it after a commit that enqueued rows, so delivery starts without waiting a poll.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Claims and delivers one batch of due rows; returns how many were attempted.
    pub async fn run_once(&self) -> Result<usize, StorageError> {
        Ok(self
            .deliver_batch(std::pin::pin!(std::future::pending()))
            .await?
            .attempted)
    }

    /// Delivers the claimed rows in order. The first one the receiver cannot take now ends the
    /// batch: the rest are released untried (no attempt counted), since a receiver that is down
    /// or busy for one row is for the next — trying each would cost a write per row for nothing
    /// while a long backlog waits (a tier run tells of 200,000 changes at once).
    ///
    /// Once `shutdown` has resolved the rows not yet tried are handed back (their lease
    /// cleared), so another replica takes them at once instead of after the lease.
    async fn deliver_batch(
        &self,
        mut shutdown: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    ) -> Result<Batch, StorageError> {
        let claimed = self.claim().await?;
        for (i, msg) in claimed.iter().enumerate() {
            if futures::FutureExt::now_or_never(shutdown.as_mut()).is_some() {
                self.release(&claimed[i..]).await?;
                return Ok(Batch {
                    attempted: i,
                    stalled: false,
                    stopped: true,
                });
            }
            match self
                .deliver
                .deliver(msg)
                .instrument(delivery_span(msg))
                .await
            {
                Ok(()) => self.finish(msg.id).await?,
                Err(DeliveryError::Retry(reason)) => {
                    tracing::debug!(id = msg.id, %reason, "outbox delivery will be retried");
                    self.retry_later(msg, &reason).await?;
                    self.release(&claimed[i + 1..]).await?;
                    return Ok(Batch {
                        attempted: i + 1,
                        stalled: true,
                        stopped: false,
                    });
                }
                Err(DeliveryError::Permanent(reason)) => {
                    tracing::error!(id = msg.id, %reason, "outbox row refused for good; parked");
                    self.park(msg.id, &reason).await?;
                }
            }
        }
        Ok(Batch {
            attempted: claimed.len(),
            stalled: false,
            stopped: false,
        })
    }

    /// Runs until `shutdown` resolves, handing back what it claimed and did not try. Database
    /// trouble is logged and retried, never fatal.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut gauges = gauges::Gauges::new();
        loop {
            gauges.sample_if_due(&self.db).await;
            let pause = match self.deliver_batch(shutdown.as_mut()).await {
                Ok(batch) if batch.stopped => return,
                Ok(batch) if batch.stalled => self.idle_poll * 4,
                Ok(batch) if batch.attempted as u32 >= self.batch => Duration::ZERO,
                Ok(_) => self.idle_poll,
                Err(err) => {
                    tracing::warn!(%err, "outbox relay cannot reach its database");
                    self.idle_poll * 4
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn claim(&self) -> Result<Vec<OutboxMessage>, StorageError> {
        let conn = self.db.conn();
        let backend = conn.get_database_backend();
        let lock = match self.db.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // Destinations are names compiled into the service, never input: listed inline.
        let only = if self.only_to.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = self.only_to.iter().map(|d| format!("'{d}'")).collect();
            format!("AND destination IN ({}) ", names.join(", "))
        };
        let text = format!(
            "UPDATE outbox SET lease_until_ms = $1 WHERE id IN (\
               SELECT id FROM outbox WHERE delivered_ms IS NULL AND next_attempt_ms <= $2 \
               AND (lease_until_ms IS NULL OR lease_until_ms < $2) {only}ORDER BY id LIMIT $3 {lock}) \
             RETURNING id, destination, method, payload, attempts, trace_parent"
        );
        let now = now_ms();
        let values: [Value; 3] = [
            (now + self.lease.as_millis() as i64).into(),
            now.into(),
            i64::from(self.batch).into(),
        ];
        let rows = conn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql(backend, &text),
                values,
            ))
            .await?;
        let mut claimed = rows
            .into_iter()
            .map(|row| {
                Ok(OutboxMessage {
                    id: row.try_get("", "id")?,
                    destination: row.try_get("", "destination")?,
                    method: row.try_get("", "method")?,
                    payload: row.try_get("", "payload")?,
                    attempts: row.try_get("", "attempts")?,
                    trace: row.try_get("", "trace_parent")?,
                })
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
        // RETURNING gives no order guarantee; deliver in the order the effects were written.
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    async fn finish(&self, id: i64) -> Result<(), StorageError> {
        self.update(
            "UPDATE outbox SET delivered_ms = $1, lease_until_ms = NULL WHERE id = $2",
            [now_ms().into(), id.into()],
        )
        .await
    }

    async fn retry_later(&self, msg: &OutboxMessage, reason: &str) -> Result<(), StorageError> {
        let next = now_ms() + backoff(msg.attempts + 1).as_millis() as i64;
        self.update(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = $1, lease_until_ms = NULL, \
             last_error = $2 WHERE id = $3",
            [next.into(), truncate(reason).into(), msg.id.into()],
        )
        .await
    }

    /// Gives claimed rows back untried: due again at once, no attempt counted.
    async fn release(&self, rows: &[OutboxMessage]) -> Result<(), StorageError> {
        if rows.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = rows.iter().map(|m| m.id.to_string()).collect();
        // Ids are integers this relay read itself, so listing them inline is safe.
        let text = format!(
            "UPDATE outbox SET lease_until_ms = NULL WHERE id IN ({})",
            ids.join(", ")
        );
        self.update(&text, []).await
    }

    async fn park(&self, id: i64, reason: &str) -> Result<(), StorageError> {
        self.update(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = $1, lease_until_ms = NULL, \
             last_error = $2 WHERE id = $3",
            [PARKED.into(), truncate(reason).into(), id.into()],
        )
        .await
    }

    async fn update<const N: usize>(
        &self,
        text: &str,
        values: [Value; N],
    ) -> Result<(), StorageError> {
        let conn = self.db.conn();
        let backend = conn.get_database_backend();
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql(backend, text),
            values,
        ))
        .await?;
        Ok(())
    }
}

/// A row's delivery, in the trace of the call that wrote it: the receiver's span is its child.
fn delivery_span(msg: &OutboxMessage) -> tracing::Span {
    let span = tracing::info_span!(
        target: vipcare_trace::TARGET,
        "outbox",
        otel.name = format!("outbox {}", msg.method),
        otel.kind = "producer",
        outbox.id = msg.id,
        outbox.destination = %msg.destination,
        outbox.attempts = msg.attempts,
    );
    vipcare_trace::resume(&span, msg.trace.as_deref());
    span
}

/// 1 s, 2 s, 4 s … capped at 5 minutes.
fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs(2u64.saturating_pow(exp).min(300))
}

fn truncate(reason: &str) -> String {
    reason.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(50), Duration::from_secs(300));
    }
}
