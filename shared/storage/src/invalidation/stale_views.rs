//! Bumping, right after a commit, what the write recorded: one piece for every service whose
//! writes change what the gateway caches (the reminder service for the customer's waiting
//! reminders, the complaint service for the customer's open complaints). A service records the
//! tags in its write's transaction ([`record`](super::record)) and settles them here once it
//! committed; what never reached the cache is replayed ([`Replayer`](super::Replayer)).
//!
//! Which tags a write makes stale is the service's business (the tag names are the cache's,
//! `vipcare_cache::tags`): this crate only keeps and bumps them.

use std::sync::Arc;

use futures::FutureExt;
use sea_orm::ConnectionTrait;

use super::{Bump, Recorded, replayer, settle, settle_tags};
use crate::StorageError;
use crate::outbox::now_ms;

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
    /// Bumps with `bump`: the invalidator of the cache the gateway reads views from
    /// (`vipcare_cache::Cache::invalidator`; in the suite, the same cache).
    pub fn new(bump: impl Bump) -> StaleViews {
        StaleViews {
            bump: Arc::new(bump),
        }
    }

    /// Bumps nothing: every record stays for a `Replayer` (what a worker or API built without
    /// a cache, as in store-level tests, does).
    pub fn unbumped() -> StaleViews {
        let never = |_tags: Vec<String>| async { false }.boxed();
        StaleViews::new(never)
    }

    /// After the commit of a write that recorded: bumps its tags and deletes its rows once the
    /// bump is written. Never fails (the rows that stay are replayed).
    pub async fn settle<C: ConnectionTrait>(&self, conn: &C, recorded: Option<Recorded>) {
        if let Some(recorded) = recorded {
            settle(conn, recorded, self.bump.as_ref()).await;
        }
    }

    /// As [`StaleViews::settle`], for a write whose record was made where it could not be kept
    /// (inside a store function): its committed rows are found by tag. Only for a few tags: a
    /// batch's packed rows are not found by tag, use `settle` for those.
    pub async fn settle_tags<C: ConnectionTrait>(&self, conn: &C, tags: Vec<String>) {
        settle_tags(conn, tags, self.bump.as_ref()).await;
    }

    /// After a commit whose writes recorded deep inside (store functions that record as they
    /// write, so their callers need not know): bumps every row committed so far, this write's
    /// among them, and deletes what the cache took. Rows of writes still open are not yet
    /// visible and are left to their own commit. Never fails: what stays is replayed.
    pub async fn settle_committed<C: ConnectionTrait>(&self, conn: &C) {
        let settled: Result<_, StorageError> =
            replayer::replay(conn, self.bump.as_ref(), now_ms(), true).await;
        if let Err(err) = settled {
            tracing::warn!(%err, "recorded invalidations stay; they will be replayed");
        }
    }
}
