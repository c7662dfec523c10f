//! Overrides end on time, and the customer is told. A tier answer ignores an override past its
//! expiry at once; this pass, running in the background of every replica, closes each one that
//! ran out (see `store::lapses`): the history row and the notice of the return to the
//! evaluated tier at the expiry time, then the customer's cached answers refreshed (recorded
//! in the same transaction, so a refresh lost with the process is replayed). It wakes
//! when the next override runs out (or at the latest every `POLL`), reading "now" from the
//! service's clock, so tests move the clock and call [`OverrideExpiry::run_once`].

use std::sync::Arc;
use std::time::Duration;

use sea_orm::TransactionTrait;
use vipcare_cache::Cache;
use vipcare_storage::{Database, invalidation};

use crate::domain::Clock;
use crate::error::Error;
use crate::grpc::customer_tag;
use crate::store::{lapses, ms, policies};

/// The longest the pass sleeps: overrides set by another replica are noticed this late at most.
const POLL: Duration = Duration::from_secs(30);
/// The shortest, so a clock that stands still (tests) never spins the loop.
const MIN_PAUSE: Duration = Duration::from_secs(1);
/// Records closed per transaction.
const BATCH: u64 = 500;

/// The expiry pass of one process.
#[derive(Debug)]
pub struct OverrideExpiry {
    db: Database,
    cache: Cache,
    clock: Arc<dyn Clock>,
}

impl OverrideExpiry {
    pub fn new(db: Database, cache: Cache, clock: Arc<dyn Clock>) -> OverrideExpiry {
        OverrideExpiry { db, cache, clock }
    }

    /// Closes every override that has run out by now; returns how many this call closed
    /// (others closed by a concurrent pass are not counted).
    pub async fn run_once(&self) -> Result<usize, Error> {
        let mut total = 0;
        loop {
            let now = self.clock.now();
            let txn = self.db.conn().begin().await?;
            let due = lapses::lapsed(&txn, ms(now), BATCH).await?;
            if due.is_empty() {
                txn.commit().await?;
                return Ok(total);
            }
            let policy = policies::current(&txn).await?;
            let closed = lapses::close(
                &txn,
                &|c| crate::reminder::notice_payload(c, &policy.policy),
                &due,
                now,
            )
            .await?;
            let tags: Vec<String> = closed.iter().map(|id| customer_tag(id)).collect();
            // Recorded with the change, so a bump lost after the commit is replayed.
            let stale = invalidation::record(&txn, &tags).await?;
            txn.commit().await?;
            invalidation::settle(self.db.conn(), stale, &self.cache.invalidator()).await;
            total += closed.len();
            // A short batch was the last; one that closed nothing would only be read again.
            if (due.len() as u64) < BATCH || closed.is_empty() {
                return Ok(total);
            }
        }
    }

    /// Runs passes until `shutdown` resolves. Database trouble is logged once per outage and
    /// retried at the next wake, never fatal.
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failing = false;
        loop {
            match self.run_once().await {
                Ok(closed) => {
                    if failing {
                        tracing::info!("override expiry pass works again");
                    }
                    failing = false;
                    if closed > 0 {
                        tracing::info!(closed, "expired tier overrides closed");
                    }
                }
                Err(err) => {
                    if !failing {
                        tracing::warn!(%err, "override expiry pass failed; retrying");
                    }
                    failing = true;
                }
            }
            let pause = self.until_next().await;
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// How long until the next override in force runs out, at most `POLL`.
    async fn until_next(&self) -> Duration {
        let now = self.clock.now();
        match lapses::next_expiry(self.db.conn(), ms(now)).await {
            Ok(Some(next)) => (next - now)
                .to_std()
                .unwrap_or_default()
                .clamp(MIN_PAUSE, POLL),
            Ok(None) | Err(_) => POLL,
        }
    }
}
