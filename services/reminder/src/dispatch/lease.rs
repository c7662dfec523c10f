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
                _ = turns.tick() => self.renew(db, clock).await,
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
