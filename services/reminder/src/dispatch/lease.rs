//! A round's hold on what it claimed. Write-backs read the lease (it fences them: a worker that
//! lost it writes nothing); while the round runs the lease is renewed every third of its length,
//! so a slow provider never lets another worker take over reminders still being sent.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::{RwLock, RwLockReadGuard};
use vipcare_domain::Clock;
use vipcare_storage::Database;

use crate::store::dispatch::{self, Lease};

#[derive(Debug)]
pub(super) struct HeldLease {
    lease: RwLock<Lease>,
    length: TimeDelta,
}

impl HeldLease {
    pub fn new(lease: Lease, length: TimeDelta) -> HeldLease {
        HeldLease {
            lease: RwLock::new(lease),
            length,
        }
    }

    /// The lease as it stands; renewal waits while the guard is held.
    pub async fn current(&self) -> RwLockReadGuard<'_, Lease> {
        self.lease.read().await
    }

    /// Runs `work`, renewing the lease meanwhile; the renewal stops with it.
    pub async fn keep_during<T>(
        &self,
        db: &Database,
        clock: &Arc<dyn Clock>,
        work: impl Future<Output = T>,
    ) -> T {
        let every = (self.length / 3)
            .to_std()
            .unwrap_or(Duration::from_secs(1))
            .max(Duration::from_millis(100));
        tokio::pin!(work);
        let mut turns = tokio::time::interval(every);
        // The first turn of an interval is at once: the lease was just taken.
        turns.tick().await;
        loop {
            tokio::select! {
                biased;
                out = &mut work => return out,
                _ = turns.tick() => {}
            }
            // The work goes on while the renewal waits: a write-back holds the lease (and on
            // SQLite the one connection) until it is done, and a renewal awaited alone would
            // wait for it forever.
            let renewal = self.renew(db, clock);
            tokio::pin!(renewal);
            tokio::select! {
                biased;
                out = &mut work => return out,
                () = &mut renewal => {}
            }
        }
    }

    async fn renew(&self, db: &Database, clock: &Arc<dyn Clock>) {
        let mut lease = self.lease.write().await;
        let until = clock.now() + self.length;
        match dispatch::renew(db.conn(), &lease, until).await {
            Ok((renewed, _)) => *lease = renewed,
            // The next turn tries again; until then the old lease still holds.
            Err(err) => tracing::warn!(%err, "renewing a dispatch lease failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use vipcare_domain::SystemClock;
    use vipcare_testkit::TestEnv;

    use super::*;

    #[tokio::test]
    async fn the_work_goes_on_while_a_renewal_waits_for_its_write_back() {
        let env = TestEnv::embedded().await;
        let db = env.database("reminder").await;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let lease = Lease {
            owner: "worker-1/0".into(),
            until: Utc::now(),
        };
        // A renewal turn every 100 ms (tokio's clock cannot be paused here: no test-util); the
        // write-back below holds the lease across two of them.
        let held = HeldLease::new(lease, TimeDelta::milliseconds(300));
        let work = async {
            let _writing_back = held.current().await;
            tokio::time::sleep(Duration::from_millis(250)).await;
            "written back"
        };
        let done =
            tokio::time::timeout(Duration::from_secs(10), held.keep_during(&db, &clock, work))
                .await;
        assert_eq!(done.ok(), Some("written back"));
    }
}
