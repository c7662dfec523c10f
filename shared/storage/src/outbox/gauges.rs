//! What operators watch of the outbox and the pool, sampled by every relay at most every
//! [`EVERY`]: `vipcare.outbox.backlog` (rows still to deliver) and
//! `vipcare.outbox.oldest_age` (seconds the oldest of them has waited) by `destination`,
//! `vipcare.outbox.parked` (rows refused for good) by `destination`, and
//! `vipcare.db.connections` by `service` and `state` (`in_use`, `idle`, `max`). Every replica
//! reads the same table, so take the max across pods, not the sum.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::metrics::Gauge;
use sea_orm::ConnectionTrait;

use super::{PARKED, now_ms};
use crate::{Database, StorageError, statement};

const EVERY: Duration = Duration::from_secs(15);

pub(crate) struct Gauges {
    backlog: Gauge<u64>,
    oldest: Gauge<f64>,
    parked: Gauge<u64>,
    connections: Gauge<u64>,
    /// Destinations reported before: one that emptied must read 0, not its last count.
    seen: BTreeSet<String>,
    last: Option<Instant>,
}

impl Gauges {
    pub(crate) fn new() -> Gauges {
        let meter = opentelemetry::global::meter("vipcare");
        Gauges {
            backlog: meter
                .u64_gauge("vipcare.outbox.backlog")
                .with_description("Outbox rows still to deliver")
                .build(),
            oldest: meter
                .f64_gauge("vipcare.outbox.oldest_age")
                .with_unit("s")
                .with_description("How long the oldest row still to deliver has waited")
                .build(),
            parked: meter
                .u64_gauge("vipcare.outbox.parked")
                .with_description("Outbox rows their receiver refused for good")
                .build(),
            connections: meter
                .u64_gauge("vipcare.db.connections")
                .with_description("Database pool connections in use, idle, and the most it opens")
                .build(),
            seen: BTreeSet::new(),
            last: None,
        }
    }

    /// Samples when the last sample is older than [`EVERY`]. Trouble is logged: a relay
    /// never stops for its metrics.
    pub(crate) async fn sample_if_due(&mut self, db: &Database) {
        if self.last.is_some_and(|last| last.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let service = KeyValue::new("service", db.service().to_owned());
        let (open, idle) = db.pool_in_use();
        let open = u64::from(open);
        let idle = idle as u64;
        for (state, n) in [
            ("in_use", open.saturating_sub(idle)),
            ("idle", idle),
            ("max", u64::from(db.pool_size())),
        ] {
            self.connections
                .record(n, &[service.clone(), KeyValue::new("state", state)]);
        }
        if let Err(err) = self.outbox(db).await {
            tracing::debug!(%err, "outbox gauges not sampled");
        }
    }

    async fn outbox(&mut self, db: &Database) -> Result<(), StorageError> {
        let conn = db.conn();
        let rows = conn
            .query_all_raw(statement(
                conn,
                "SELECT destination, next_attempt_ms = $1 AS parked, COUNT(*) AS n, \
                 MIN(created_ms) AS oldest FROM outbox WHERE delivered_ms IS NULL \
                 GROUP BY destination, next_attempt_ms = $1",
                [PARKED.into()],
            ))
            .await?;
        let now = now_ms();
        let mut waiting = BTreeSet::new();
        let mut parked = BTreeSet::new();
        for row in rows {
            let destination: String = row.try_get("", "destination")?;
            let is_parked: bool = row.try_get("", "parked")?;
            let n: i64 = row.try_get("", "n")?;
            let oldest: i64 = row.try_get("", "oldest")?;
            let at = [KeyValue::new("destination", destination.clone())];
            if is_parked {
                self.parked.record(n.max(0) as u64, &at);
                parked.insert(destination.clone());
            } else {
                self.backlog.record(n.max(0) as u64, &at);
                self.oldest
                    .record((now - oldest).max(0) as f64 / 1000.0, &at);
                waiting.insert(destination.clone());
            }
            self.seen.insert(destination);
        }
        for destination in &self.seen {
            let at = [KeyValue::new("destination", destination.clone())];
            if !waiting.contains(destination) {
                self.backlog.record(0, &at);
                self.oldest.record(0.0, &at);
            }
            if !parked.contains(destination) {
                self.parked.record(0, &at);
            }
        }
        Ok(())
    }
}
