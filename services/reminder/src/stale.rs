//! Telling the cache that a customer's reminders changed. The gateway's customer view lists the
//! customer's waiting reminders (SCHEDULED, DEFERRED, DISPATCHING) and is cached under the
//! customer's tag (`customer:<id>`, the tag profile and tiering bump too). Every write that moves
//! a reminder into, within or out of that set records the customer's tag in its own transaction
//! ([`record`]); after the commit the tags are bumped and the record goes ([`StaleViews`]). A
//! bump that never reached the cache (Redis down, the process killed after its commit) is
//! replayed from the record at start-up or a few seconds later (`vipcare_storage::invalidation`).
//! The bumping is shared with the complaint service ([`StaleViews`]); which moves make a view
//! stale ([`is_listed`]) is the reminder's own.
//!
//! Batches record once: a claim or an ingested feed message writes one journal statement for
//! its distinct customers (packed into few rows when there are many), and one bump after it.
//! Moves that leave the set untouched (a receipt turning SENT into DELIVERED) record nothing.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;
use vipcare_cache::tags;
use vipcare_storage::invalidation::{self, Recorded};

use crate::domain::ReminderState;
use crate::store::StoreError;

pub use vipcare_storage::invalidation::StaleViews;

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
