//! What operators watch of dispatching, through the process's OpenTelemetry meter:
//! - `vipcare.reminder.queue` (gauge) by `state`: `due` (waiting and due now: the backlog) and
//!   `in_hand` (claimed by a worker), and `vipcare.reminder.lag` (gauge, seconds): how late the
//!   oldest due reminder is. Sampled by the process's workers at most every [`EVERY`]; every
//!   replica reads the same table, so take the max across pods, not the sum.
//! - `vipcare.reminder.outcomes` (counter) by `state` (`sent`, `delivered`, `failed`, `expired`,
//!   `suppressed`, `deferred`, …) and `channel` (`none` before any attempt): each reminder a
//!   dispatch round or a delivery receipt moved, counted in the state it was written in, once
//!   the write committed.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use vipcare_runtime::metrics::{self, Counter, Gauge, KeyValue};
use vipcare_storage::Database;

use crate::domain::Reminder;
use crate::store::queue;

const EVERY: Duration = Duration::from_secs(15);

pub(super) struct DispatchMetrics {
    queue: Gauge<u64>,
    lag: Gauge<f64>,
    outcomes: Counter<u64>,
    /// When the queue was last sampled by any of the process's workers.
    sampled: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for DispatchMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DispatchMetrics").finish_non_exhaustive()
    }
}

impl DispatchMetrics {
    pub(super) fn new() -> DispatchMetrics {
        let meter = metrics::meter();
        DispatchMetrics {
            queue: meter
                .u64_gauge("vipcare.reminder.queue")
                .with_description("Reminders due and waiting for a worker, and in a worker's hand")
                .build(),
            lag: meter
                .f64_gauge("vipcare.reminder.lag")
                .with_unit("s")
                .with_description("How late the oldest due reminder is")
                .build(),
            outcomes: meter
                .u64_counter("vipcare.reminder.outcomes")
                .with_description("Reminders moved by dispatch rounds and receipts, by new state")
                .build(),
            sampled: Mutex::new(None),
        }
    }

    /// Samples the queue when no worker of the process has for [`EVERY`]. Trouble is logged:
    /// a worker never stops for its metrics.
    pub(super) async fn sample_if_due(&self, db: &Database, now: DateTime<Utc>) {
        {
            let mut sampled = self
                .sampled
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if sampled.is_some_and(|at| at.elapsed() < EVERY) {
                return;
            }
            *sampled = Some(Instant::now());
        }
        match queue::queue(db.conn(), now).await {
            Ok(q) => {
                self.queue.record(q.due, &[KeyValue::new("state", "due")]);
                self.queue
                    .record(q.in_hand, &[KeyValue::new("state", "in_hand")]);
                let late = q.oldest_due.map_or(0.0, |at| {
                    (now - at).num_milliseconds().max(0) as f64 / 1000.0
                });
                self.lag.record(late, &[]);
            }
            Err(err) => tracing::debug!(%err, "reminder queue not sampled"),
        }
    }

    /// Counts `moved`, written and committed, by the state they were written in.
    pub(super) fn moved<'a>(&self, moved: impl IntoIterator<Item = &'a Reminder>) {
        for r in moved {
            let channel = r.channel.map_or("none", |c| c.code());
            self.outcomes.add(
                1,
                &[
                    KeyValue::new("state", r.state.code().to_ascii_lowercase()),
                    KeyValue::new("channel", channel),
                ],
            );
        }
    }
}
