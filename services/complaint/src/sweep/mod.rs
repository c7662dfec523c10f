//! The background pass over complaints, run every `complaint.sweep_seconds` on every replica
//! (and by tests after moving the clock): it escalates clocks that reached 80% of the time to
//! resolve or its breach (`escalations`), escalates promises broken (`promises`), tells
//! customers of open complaints how it goes at their tier's cadence (`progress`), and closes
//! complaints resolved a week ago that the customer never answered (`auto_close`).
//!
//! Every step reads only the rows due — through an index on the instant they fall due — a page
//! of `batch` at a time, each page in its own transaction with the notices it causes, so a pass
//! over a million open complaints holds one page in memory and a failure loses at most a page
//! (the next pass redoes it). Whatever fires, fires once: each write is conditional on what was
//! read, so two replicas' passes, or two passes of one, never tell anyone twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use tokio::sync::Notify;
use vipcare_domain::Clock;
use vipcare_runtime::metrics::{self, Counter, KeyValue};
use vipcare_storage::Database;

use crate::error::Error;
use crate::notices::{self, Notice};
use crate::rules::Rules;
use crate::store;

mod auto_close;
pub(crate) mod escalations;
pub(crate) mod progress;
mod promises;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub escalated: u64,
    pub closed: u64,
    pub promises_escalated: u64,
    pub progress_notices: u64,
}

/// The background pass over open complaints.
#[derive(Debug)]
pub struct Sweep {
    db: Database,
    clock: Arc<dyn Clock>,
    relay: Arc<Notify>,
    rules: Arc<Rules>,
    batch: u32,
    /// What passes did (`vipcare.complaint.sweep.actions`): SLA clocks escalated (at 80% and
    /// at breach), promises broken, progress notices, complaints closed unanswered.
    actions: Counter<u64>,
}

impl Sweep {
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        relay: Arc<Notify>,
        rules: Arc<Rules>,
        batch: u32,
    ) -> Sweep {
        Sweep {
            db,
            clock,
            relay,
            rules,
            batch,
            actions: metrics::meter()
                .u64_counter("vipcare.complaint.sweep.actions")
                .with_description(
                    "What the complaint pass did: SLA escalations, broken promises, progress \
                     notices, complaints closed unanswered",
                )
                .build(),
        }
    }

    /// One pass over everything due now.
    pub async fn pass(&self) -> Result<Swept, Error> {
        let pass = Pass {
            db: &self.db,
            rules: &self.rules,
            relay: &self.relay,
            batch: u64::from(self.batch.max(1)),
            // One instant for the whole pass: what is due is decided against the same "now".
            now: self.clock.now(),
        };
        let policy = store::policy::get(self.db.conn()).await?;
        let escalated = escalations::escalate_due(&pass, &policy).await?;
        let promises_escalated = promises::escalate_broken(&pass).await?;
        let progress_notices = progress::notify_due(&pass).await?;
        let closed = auto_close::close_due(&self.db, self.clock.as_ref(), self.batch).await?;
        for (action, n) in [
            ("sla_escalated", escalated),
            ("promise_escalated", promises_escalated),
            ("progress_notice", progress_notices),
            ("closed_unanswered", closed),
        ] {
            if n > 0 {
                self.actions.add(n, &[KeyValue::new("action", action)]);
            }
        }
        Ok(Swept {
            escalated,
            closed,
            promises_escalated,
            progress_notices,
        })
    }

    /// Runs a pass every `every` until `shutdown` resolves.
    pub async fn run(self: Arc<Self>, every: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(err) = self.pass().await {
                tracing::warn!(%err, "complaint pass failed; the next one retries");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}

/// What every step of one pass works with.
struct Pass<'a> {
    db: &'a Database,
    rules: &'a Rules,
    relay: &'a Notify,
    /// Rows read and written per page.
    batch: u64,
    now: DateTime<Utc>,
}

impl Pass<'_> {
    /// Runs one page's `work` in its own transaction, with the notices it collected written to
    /// the outbox in the same transaction; the relay is woken once they are committed.
    async fn in_page<T>(
        &self,
        work: impl AsyncFnOnce(&DatabaseTransaction, &mut Vec<Notice>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let txn = self.db.conn().begin().await?;
        let mut told = Vec::new();
        let result = match work(&txn, &mut told).await {
            Ok(value) => notices::enqueue(&txn, &told)
                .await
                .map(|()| value)
                .map_err(Error::from),
            Err(err) => Err(err),
        };
        match result {
            Ok(value) => {
                txn.commit().await?;
                if !told.is_empty() {
                    self.relay.notify_one();
                }
                Ok(value)
            }
            Err(err) => {
                // The first error is the one worth reporting; a failed rollback ends the
                // connection, which rolls back as well.
                let _ = txn.rollback().await;
                Err(err)
            }
        }
    }

    /// Whether a page of `len` rows was full, so more may follow.
    fn full(&self, len: usize) -> bool {
        u64::try_from(len).is_ok_and(|len| len >= self.batch)
    }
}
