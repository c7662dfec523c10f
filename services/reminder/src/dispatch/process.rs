//! A claim through the rules and out, in the steps that keep the database's commits and round
//! trips few: what the round needs to know of its customers asked once (`known`), every
//! customer's share prepared from it (what the rules let go now), every unit recorded in one
//! write, every share sent, and what moved written back in one transaction.
//! Commits, not rows, were what dispatching cost: each is a flush of the database's log to
//! disk, and per customer and per message there were three of them.

use std::collections::BTreeMap;

use futures::StreamExt;
use futures::future::BoxFuture;

use super::Dispatcher;
use super::batch::WriteBacks;
use super::known::Known;
use super::lease::HeldLease;
use super::round::{Prepared, Round};
use crate::domain::Reminder;
use crate::store::StoreError;
use crate::store::dispatch::{self, Claimed};

/// A piece of a round's work, boxed: the compiler then checks it is Send where it is made.
type Work<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

impl Dispatcher {
    /// The claim through the rules and out, under the renewed lease: its customers looked up
    /// at once, every customer's share prepared, every unit recorded in one write, every share
    /// sent (up to the policy's concurrency at once), and what moved written back in one
    /// transaction. A share that fails is
    /// left to the lease; the others are still written.
    pub(super) async fn process(&self, claim: Claimed) -> Result<(), StoreError> {
        let rules = self.rules().await?;
        let held = HeldLease::new(claim.lease, self.policy.lease);
        let writes = WriteBacks::default();
        let round = Round {
            d: self,
            rules: &rules,
            lease: &held,
            handing_over: &claim.handing_over,
            writes: &writes,
        };
        let mut customers: BTreeMap<String, Vec<Reminder>> = BTreeMap::new();
        let mut tasks = Vec::new();
        for r in claim.reminders {
            if r.touchpoint.is_staff_task() {
                tasks.push(r);
            } else {
                customers.entry(r.customer_id.clone()).or_default().push(r);
            }
        }
        let work: BoxFuture<'_, Vec<StoreError>> = Box::pin(async {
            let mut failed = Vec::new();
            let known = {
                let ids: Vec<&str> = customers.keys().map(String::as_str).collect();
                let knowing: Work<'_, _> = Box::pin(Known::of(self, &ids, self.clock.now()));
                knowing.await
            };
            let mut shares: Vec<Prepared> = Vec::new();
            match known {
                Ok(known) => {
                    for (customer, due) in customers {
                        match round.prepare(&customer, due, &known) {
                            Ok(Some(share)) => shares.push(share),
                            Ok(None) => {}
                            Err(e) => failed.push(e),
                        }
                    }
                }
                Err(e) => failed.push(e),
            }
            // Recorded before anything goes, so a worker taking over sends the same units.
            let lease = held.current().await.clone();
            let units: Vec<_> = shares.iter().flat_map(|s| s.hand_overs()).collect();
            let recording: Work<'_, _> =
                Box::pin(dispatch::hand_over_all(self.db.conn(), &lease, &units));
            match recording.await {
                Ok(recorded) => {
                    let sent: Vec<Work<'_, _>> = shares
                        .iter()
                        .map(|s| Box::pin(round.deliver(s, recorded)) as Work<'_, _>)
                        .collect();
                    let sent = self.each(sent).await;
                    failed.extend(sent.into_iter().filter_map(Result::err));
                }
                Err(e) => failed.push(e),
            }
            let done: Vec<Work<'_, _>> = tasks
                .into_iter()
                .map(|task| Box::pin(round.staff(task)) as Work<'_, _>)
                .collect();
            let done = self.each(done).await;
            failed.extend(done.into_iter().filter_map(Result::err));
            let flush: Work<'_, ()> = Box::pin(writes.flush(&round));
            if let Err(e) = flush.await {
                failed.push(e);
            }
            failed
        });
        let failed = held.keep_during(&self.db, &self.clock, work).await;
        for err in &failed {
            tracing::warn!(%err, worker = %self.worker_id, "a dispatch share failed; its lease will hand it on");
        }
        failed.into_iter().next().map_or(Ok(()), Err)
    }

    /// Runs the pieces of work, up to the policy's concurrency at once.
    async fn each<'a, T>(&self, work: Vec<Work<'a, T>>) -> Vec<Result<T, StoreError>> {
        futures::stream::iter(work)
            .buffer_unordered(self.policy.concurrency.max(1))
            .collect()
            .await
    }
}
