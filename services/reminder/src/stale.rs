//! Telling the cache that a customer's reminders changed. The gateway's customer view lists the
//! customer's waiting reminders (SCHEDULED, DEFERRED, DISPATCHING) and is cached under the
//! customer's tag (`customer:<id>`, the tag profile and tiering bump too). Every write that moves
//! a reminder into, within or out of that set records the customer's tag in its own transaction
//! ([`record`]); after the commit the tags are bumped and the record goes ([`StaleViews`]). A
//! bump that never reached the cache (Redis down, the process killed after its commit) is
//! replayed from the record at start-up or a few seconds later (`vipcare_storage::invalidation`).
//!
//! Batches record once: a claim or an ingested feed message writes one journal statement for
//! its distinct customers (packed into few rows when there are many), and one bump after it.
//! Moves that leave the set untouched (a receipt turning SENT into DELIVERED) record nothing.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::FutureExt;
use sea_orm::ConnectionTrait;
use vipcare_cache::{Cache, tags};
use vipcare_storage::invalidation::{self, Bump, Recorded};

use crate::domain::ReminderState;
use crate::store::StoreError;

/// The tags of `customers`, each once.
pub fn customer_tags<'a>(customers: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let distinct: BTreeSet<&str> = customers.into_iter().collect();
    distinct.into_iter().map(tags::customer).collect()
}

/// Whether a reminder in `state` is listed as waiting (and so shown in the customer's view).
pub fn is_listed(state: ReminderState) -> bool {
    matches!(
        state,
        ReminderState::Scheduled | ReminderState::Deferred | ReminderState::Dispatching
    )
}

/// Records in the write's transaction `txn` that the views of `customers` are stale once it
/// commits: one statement for the lot. `None` when there is no customer (nothing written).
pub async fn record<'a, C: ConnectionTrait>(
    txn: &C,
    customers: impl IntoIterator<Item = &'a str>,
) -> Result<Option<Recorded>, StoreError> {
    let tags = customer_tags(customers);
    if tags.is_empty() {
        return Ok(None);
    }
    Ok(Some(invalidation::record(txn, &tags).await?))
}

/// Bumps what writes recorded, after their commit. Cheap to clone.
#[derive(Clone)]
pub struct StaleViews {
    bump: Arc<dyn Bump>,
}

impl std::fmt::Debug for StaleViews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaleViews").finish_non_exhaustive()
    }
}

impl StaleViews {
    /// Bumps in `cache`, the one the gateway reads views from (in the suite, the same one).
    pub fn new(cache: &Cache) -> StaleViews {
        StaleViews {
            bump: Arc::new(cache.invalidator()),
        }
    }

    /// Bumps nothing: every record stays for a `Replayer` (what a dispatcher or API built
    /// without a cache, as in store-level tests, does).
    pub fn unbumped() -> StaleViews {
        let never = |_tags: Vec<String>| async { false }.boxed();
        StaleViews {
            bump: Arc::new(never),
        }
    }

    /// After the commit of a write that [`record`]ed: bumps its tags and deletes its rows once
    /// the bump is written. Never fails (the rows that stay are replayed).
    pub async fn settle<C: ConnectionTrait>(&self, conn: &C, recorded: Option<Recorded>) {
        if let Some(recorded) = recorded {
            invalidation::settle(conn, recorded, self.bump.as_ref()).await;
        }
    }

    /// As [`StaleViews::settle`], for a write whose record was made where it could not be kept
    /// (inside a store function): the customers' committed rows are found by tag. Only for a
    /// few customers: a batch's packed rows are not found by tag, use `settle` for those.
    pub async fn settle_customers<'a, C: ConnectionTrait>(
        &self,
        conn: &C,
        customers: impl IntoIterator<Item = &'a str>,
    ) {
        let tags = customer_tags(customers);
        invalidation::settle_tags(conn, tags, self.bump.as_ref()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_customer_is_tagged_once_as_the_gateway_reads_it() {
        let tags = customer_tags(["c-2", "c-1", "c-2"]);
        assert_eq!(tags, ["customer:c-1", "customer:c-2"]);
        assert_eq!(tags[0], vipcare_cache::tags::customer("c-1"));
    }

    #[test]
    fn only_waiting_reminders_are_listed() {
        use ReminderState::*;
        let listed: Vec<ReminderState> = [
            Scheduled,
            Deferred,
            Dispatching,
            Sent,
            Delivered,
            Expired,
            Cancelled,
            Superseded,
            Suppressed,
            Failed,
        ]
        .into_iter()
        .filter(|s| is_listed(*s))
        .collect();
        assert_eq!(listed, [Scheduled, Deferred, Dispatching]);
    }
}
