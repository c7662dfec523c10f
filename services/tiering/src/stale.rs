//! A new policy or benefit catalogue changes answers cached for every customer: tier answers and
//! routing priorities here, views and caller look-ups at the gateway, all under `customer:<id>`.
//! After such a change every evaluated customer's tag is bumped, a page at a time, in the
//! background: the admin is not kept waiting, and answers a stopped process leaves behind still
//! expire within their lifetime. Customers never evaluated have no record here; theirs expire.

use vipcare_cache::Cache;
use vipcare_storage::Database;

use crate::grpc::customer_tag;
use crate::store::records;

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
