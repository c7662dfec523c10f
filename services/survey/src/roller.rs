//! The roller: every `survey.roll_seconds` it folds the responses given since into the daily
//! roll-ups reports read, a batch at a time until none is left. Replicas may all run it: the
//! store claims each batch (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite) and marks what it counted in the same transaction, so no response counts twice.

use std::time::Duration;

use vipcare_storage::Database;

use crate::store::{StoreError, rollup};

/// Folds new responses into the roll-ups.
#[derive(Debug, Clone)]
pub struct Roller {
    db: Database,
    batch: u64,
}

impl Roller {
    pub fn new(db: Database, batch: u64) -> Roller {
        Roller { db, batch }
    }

    /// Rolls until nothing is left; how many responses it counted.
    pub async fn roll_all(&self) -> Result<u64, StoreError> {
        let mut counted = 0;
        loop {
            let n = rollup::roll(self.db.conn(), self.batch).await?;
            counted += n;
            if n == 0 {
                return Ok(counted);
            }
        }
    }

    /// Rolls every `every` until `shutdown` resolves. Database trouble is logged and tried
    /// again at the next turn, never fatal.
    pub async fn run(self, every: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = ticks.tick() => {}
            }
            match self.roll_all().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(responses = n, "responses rolled up"),
                Err(err) => tracing::warn!(%err, "rolling up responses failed; next turn retries"),
            }
        }
    }
}
