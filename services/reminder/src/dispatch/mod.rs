//! Dispatch: due reminders out to the customer, by the rules, never lost. A worker's round
//! settles the attempts whose receipt is overdue, then claims a batch of due reminders under a
//! lease (the store's `FOR UPDATE SKIP LOCKED` claim, so two workers never hold one reminder)
//! and takes each customer's share through the rules: stale ones expire, opted-out ones are
//! suppressed (unless mandatory), quiet hours defer (unless urgent), mergeable ones share a
//! message in priority order, the daily cap defers or suppresses the rest; then each message
//! goes to its channel's adapter under an idempotency key derived from what it carries, and
//! the result is written back under the lease with its attempt and message. Retries, fallback
//! to the next channel and escalation to the account manager follow the domain's retry plan.
//!
//! A killed worker loses nothing: what it claimed stays DISPATCHING until its lease runs out,
//! then another worker takes it over and sends the same messages under the same keys, which the
//! provider drops as repeats. Time comes from the injected clock; [`Dispatcher::tick`] runs one
//! round, so tests move the clock instead of sleeping.
//!
//! The claim records its customers' view tags; the round bumps them once its writes are done,
//! whether they all succeeded or not, so a customer's view never lists what was sent meanwhile.

mod batch;
mod capping;
mod compose;
mod error;
mod escalation;
mod gate;
mod known;
mod lease;
mod metrics;
mod moves;
mod overdue;
mod policy;
mod process;
mod receipts;
mod roaming;
mod round;
mod send;
#[cfg(test)]
mod testing;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{Notify, watch};
use vipcare_domain::Clock;
use vipcare_storage::Database;

use crate::channel::Channels;
use crate::domain::rule::{TouchpointRule, default_rule};
use crate::domain::{MergePolicy, RetryPolicy, Touchpoint, new_reminder_id};
use crate::stale::StaleViews;
use crate::store::dispatch;
use crate::store::{StoreError, rules};
use crate::upstream::CustomerDirectory;

pub use error::DispatchError;
pub use policy::DispatchPolicy;
pub use roaming::{AtHome, RoamingZones, StoredZones};

/// One dispatch worker. Run several (in one process or many) on one database: they share the
/// work through the claims.
#[derive(Debug)]
pub struct Dispatcher {
    db: Database,
    channels: Arc<Channels>,
    directory: Arc<dyn CustomerDirectory>,
    clock: Arc<dyn Clock>,
    policy: DispatchPolicy,
    merge: MergePolicy,
    retry: RetryPolicy,
    roaming: Arc<dyn RoamingZones>,
    /// Bumps the views of the customers a round (or a receipt) moved reminders of.
    stale: StaleViews,
    worker_id: String,
    /// Numbers this worker's rounds, so each claim is a lease of its own (a process may run
    /// one dispatcher's rounds side by side).
    rounds: AtomicU64,
    /// Wakes idle workers of this process when a call stores a reminder due before their
    /// pause ends (replicas elsewhere find it at their next look).
    due: Notify,
    /// Queue depth and lag, sampled by the running workers; outcomes, counted as written.
    metrics: metrics::DispatchMetrics,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Done {
    settled: usize,
    claimed: usize,
}

impl Dispatcher {
    pub fn new(
        db: Database,
        channels: Arc<Channels>,
        directory: Arc<dyn CustomerDirectory>,
        clock: Arc<dyn Clock>,
        policy: DispatchPolicy,
    ) -> Self {
        Dispatcher {
            roaming: Arc::new(StoredZones::new(db.clone())),
            stale: StaleViews::unbumped(),
            db,
            channels,
            directory,
            clock,
            merge: policy.merge(),
            retry: policy.retry(),
            policy,
            worker_id: format!("worker-{}", new_reminder_id()),
            rounds: AtomicU64::new(0),
            due: Notify::new(),
            metrics: metrics::DispatchMetrics::new(),
        }
    }

    /// Where customers roam, for quiet hours abroad (by default: what the ingested roaming
    /// events recorded).
    pub fn with_roaming(mut self, roaming: Arc<dyn RoamingZones>) -> Self {
        self.roaming = roaming;
        self
    }

    /// Where the views its moves make stale are bumped (by default nowhere: the records wait
    /// for a replay).
    pub fn with_stale_views(mut self, stale: StaleViews) -> Self {
        self.stale = stale;
        self
    }

    /// A call stored a reminder planned for `at`: idle workers look at once (after gathering
    /// for a moment) when it is due before their pause would end, so a reminder due now waits
    /// for a gather, not for the idle pause.
    pub fn stored_for(&self, at: DateTime<Utc>) {
        let pause = TimeDelta::from_std(self.policy.idle_pause).unwrap_or(TimeDelta::MAX);
        if at <= self.clock.now() + pause {
            // One worker, or the next to go idle if all are busy: a round takes many.
            self.due.notify_one();
        }
    }

    /// The lease owner this worker claims as.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    pub fn policy(&self) -> &DispatchPolicy {
        &self.policy
    }

    /// One round at the clock's "now": overdue receipts settled, then one batch claimed and
    /// processed. Returns how many reminders it took in hand (0: nothing was due).
    pub async fn tick(&self) -> Result<usize, StoreError> {
        let done = self.round().await?;
        Ok(done.settled + done.claimed)
    }

    /// Rounds until `shutdown` turns true (or its sender goes away): at once while batches come
    /// back full, else after the idle pause or soon after a call stored a reminder due now. Errors are logged once per outage and retried; a
    /// round cut short by a stop loses nothing (its lease runs out).
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut failing = false;
        loop {
            if *shutdown.borrow() {
                return;
            }
            self.metrics.sample_if_due(&self.db, self.clock.now()).await;
            let full = match self.round().await {
                Ok(done) => {
                    if failing {
                        tracing::info!(worker = %self.worker_id, "dispatch works again");
                    }
                    failing = false;
                    done.claimed >= self.policy.batch_size as usize
                }
                Err(err) => {
                    if !failing {
                        tracing::warn!(%err, worker = %self.worker_id, "dispatch round failed; retrying");
                    }
                    failing = true;
                    false
                }
            };
            if full {
                tokio::task::yield_now().await;
                continue;
            }
            let woken = async {
                self.due.notified().await;
                tokio::time::sleep(self.policy.gather).await;
            };
            tokio::select! {
                changed = shutdown.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(self.policy.idle_pause) => {}
                () = woken => {}
            }
        }
    }

    async fn round(&self) -> Result<Done, StoreError> {
        let settled = self.settle_overdue().await?;
        let round = self.rounds.fetch_add(1, Ordering::Relaxed);
        let mut claim = dispatch::claim_due(
            self.db.conn(),
            self.clock.now(),
            &format!("{}/{round}", self.worker_id),
            self.policy.lease,
            u64::from(self.policy.batch_size),
        )
        .await?;
        let claimed = claim.reminders.len();
        let stale = claim.stale.take();
        let processed = if claimed > 0 {
            self.process(claim).await
        } else {
            Ok(())
        };
        // After every write of the round: a view read meanwhile is cached no longer.
        self.stale.settle(self.db.conn(), stale).await;
        processed?;
        Ok(Done { settled, claimed })
    }

    /// Every touchpoint's rule as stored (the seeded default for one not stored yet).
    async fn rules(&self) -> Result<Rules, StoreError> {
        let mut map: HashMap<Touchpoint, TouchpointRule> = HashMap::new();
        for stored in rules::list(self.db.conn()).await? {
            map.insert(stored.rule.touchpoint, stored.rule);
        }
        Ok(Rules(map))
    }

    async fn rule_of(&self, touchpoint: Touchpoint) -> Result<TouchpointRule, StoreError> {
        match rules::get(self.db.conn(), touchpoint).await {
            Ok(stored) => Ok(stored.rule),
            Err(StoreError::NotFound { .. }) => Ok(default_rule(touchpoint)),
            Err(e) => Err(e),
        }
    }
}

/// The rules a round sends by.
#[derive(Debug)]
struct Rules(HashMap<Touchpoint, TouchpointRule>);

impl Rules {
    fn of(&self, touchpoint: Touchpoint) -> TouchpointRule {
        self.0
            .get(&touchpoint)
            .cloned()
            .unwrap_or_else(|| default_rule(touchpoint))
    }
}
