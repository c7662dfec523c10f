//! Cached answers a write makes stale: tier answers and routing priorities here, views and
//! caller look-ups at the gateway, all under `customer:<id>`. A write records the tags in its
//! own transaction ([`record`]) and bumps them after its commit ([`settle`]), so a bump the
//! cache never got (Redis down, or the process killed first) is replayed from the record
//! (`vipcare_storage::invalidation`), never lost.
//!
//! A new policy or benefit catalogue changes answers cached for every customer. After such a
//! change every evaluated customer's tag is bumped, a page at a time, in the background: the
//! admin is not kept waiting, and answers a stopped process leaves behind still expire within
//! their lifetime. Customers never evaluated have no record here; theirs expire.

use sea_orm::ConnectionTrait;
use vipcare_cache::Cache;
use vipcare_storage::{Database, invalidation};

use crate::error::Error;
use crate::grpc::customer_tag;
use crate::store::records;

/// Records in the write's transaction `txn` that `tags` are stale once it commits.
pub async fn record<C: ConnectionTrait>(txn: &C, tags: Vec<String>) -> Result<(), Error> {
    invalidation::record(txn, &tags).await?;
    Ok(())
}

/// As [`record`], for one customer's answers.
pub async fn record_customer<C: ConnectionTrait>(txn: &C, customer_id: &str) -> Result<(), Error> {
    record(txn, vec![customer_tag(customer_id)]).await
}

/// After the commit of a write that recorded `tags`: bumps them and clears their record once
/// the bump was written.
pub async fn settle(db: &Database, cache: &Cache, tags: Vec<String>) {
    invalidation::settle_tags(db.conn(), tags, &cache.invalidator()).await;
}

/// Customer ids read (and tags bumped) per page.
const PAGE: u64 = 5_000;

/// Starts bumping every evaluated customer's tag; returns at once.
pub fn refresh_everyone(db: Database, cache: Cache, why: &'static str) {
    tokio::spawn(async move {
        let mut after = String::new();
        let mut bumped = 0;
        loop {
            let ids = match records::ids_after(db.conn(), &after, PAGE).await {
                Ok(ids) => ids,
                Err(err) => {
                    tracing::warn!(%err, why, bumped, "cached answers left to expire");
                    return;
                }
            };
            let Some(last) = ids.last() else { break };
            after = last.clone();
            let tags: Vec<String> = ids.iter().map(|id| customer_tag(id)).collect();
            cache.invalidate_many(&tags).await;
            bumped += tags.len();
        }
        tracing::info!(why, bumped, "cached customer answers refreshed");
    });
}
