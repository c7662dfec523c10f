//! Cache-aside for derived, hot views (customer views, caller look-ups), over Redis or an
//! in-process store when no Redis is configured.
//!
//! Correctness rests on generations: every entry belongs to a tag (e.g. `customer:<id>`) and is
//! stored with the tag's generation as read *before* the source was loaded. A writer bumps the
//! tag after its commit. An entry whose generation is not the tag's current one is a miss, so a
//! read that raced a write can store its old result but nobody will ever be served it.
//! Concurrent misses of one key share a single load (single-flight). Redis trouble never fails
//! a read: it goes to the source, and bumps that could not reach Redis are replayed before
//! Redis serves again. That memory dies with the process, so bumps also say whether they were
//! written ([`Invalidated`]): a service keeps a durable record of its bumps until they were,
//! and hands what a dead process left back to the cache before serving.

mod flight;
mod local;
mod lookups;
mod redis_conn;
mod redis_store;
pub mod settings;
pub mod tags;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use settings::CacheSettings;

use flight::Flights;
use local::LocalStore;
use lookups::{Lookups, Outcome};
use redis_store::RedisStore;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("invalid setting cache.redis_url: {0}")]
    InvalidUrl(String),
}

enum Store {
    Local(LocalStore),
    Redis(RedisStore),
}

/// A handle to the cache; clones share everything.
#[derive(Clone)]
pub struct Cache {
    store: Arc<Store>,
    flights: Arc<Flights>,
    lookups: Lookups,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.backend_name())
            .finish()
    }
}

impl Cache {
    /// Redis when `redis_url` is set, otherwise in-process. An unreachable Redis is not an error
    /// here: it is retried on use and reads go to the source meanwhile.
    pub async fn connect(settings: &CacheSettings) -> Result<Cache, CacheError> {
        let urls = settings.redis_urls();
        let store = if urls.is_empty() {
            Store::Local(LocalStore::new(settings.local_capacity))
        } else {
            Store::Redis(RedisStore::new(
                &urls,
                settings.is_cluster(),
                &settings.key_prefix,
                Duration::from_millis(settings.timeout_ms),
            )?)
        };
        Ok(Cache {
            store: Arc::new(store),
            flights: Arc::new(Flights::default()),
            lookups: Lookups::new(),
        })
    }

    /// An in-process cache holding at most `capacity` entries.
    pub fn in_process(capacity: usize) -> Cache {
        Cache {
            store: Arc::new(Store::Local(LocalStore::new(capacity))),
            flights: Arc::new(Flights::default()),
            lookups: Lookups::new(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match &*self.store {
            Store::Local(_) => "in-process",
            Store::Redis(_) => "redis",
        }
    }

    /// The cached bytes for `key`, or the result of `load`, stored for `ttl` under `tag`'s
    /// current generation. Errors of `load` are returned and nothing is stored.
    pub async fn get_or_load<F, Fut, E>(
        &self,
        key: &str,
        tag: &str,
        ttl: Duration,
        load: F,
    ) -> Result<Vec<u8>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<u8>, E>>,
    {
        let generation = match &*self.store {
            Store::Local(store) => match store.get(key, tag) {
                Lookup::Hit(bytes) => {
                    self.lookups.record(key, Outcome::Hit);
                    return Ok(bytes);
                }
                Lookup::Miss(generation) => Some(generation),
            },
            Store::Redis(store) => match store.get(key, tag).await {
                Some(Lookup::Hit(bytes)) => {
                    self.lookups.record(key, Outcome::Hit);
                    return Ok(bytes);
                }
                Some(Lookup::Miss(generation)) => Some(generation),
                // Redis is unreachable: answer from the source and store nothing.
                None => None,
            },
        };
        let Some(generation) = generation else {
            self.lookups.record(key, Outcome::Unavailable);
            return load().await;
        };
        self.lookups.record(key, Outcome::Miss);
        // Keyed by generation too, so a read that starts after a bump never joins an older load.
        let flight_key = format!("{tag}\u{0}{key}\u{0}{generation}");
        self.flights
            .run(&flight_key, async {
                let bytes = load().await?;
                match &*self.store {
                    Store::Local(store) => store.put(key, tag, generation, &bytes, ttl),
                    Store::Redis(store) => store.put(key, tag, generation, &bytes, ttl).await,
                }
                Ok(bytes)
            })
            .await
    }

    /// Makes every entry under `tag` stale. Call it after the write committed. Never fails:
    /// when Redis is down the bump is queued and replayed before Redis serves again.
    pub async fn invalidate(&self, tag: &str) -> Invalidated {
        match &*self.store {
            Store::Local(store) => store.bump(tag),
            Store::Redis(store) => store.bump(tag).await,
        }
    }
}

impl Cache {
    /// Makes every entry under each of `tags` stale, in one round trip to Redis: what a batch
    /// that changed thousands of customers calls after its commit. Never fails, as `invalidate`.
    pub async fn invalidate_many(&self, tags: &[String]) -> Invalidated {
        if tags.is_empty() {
            return Invalidated::Written;
        }
        match &*self.store {
            Store::Local(store) => store.bump_many(tags),
            Store::Redis(store) => store.bump_many(tags).await,
        }
    }

    /// `invalidate_many` as a plain function of owned tags answering "written?", for code that
    /// must not depend on this crate: the storage crate's invalidation journal keeps its rows
    /// until this answers true.
    pub fn invalidator(&self) -> impl Fn(Vec<String>) -> PendingBump + Send + Sync + 'static {
        let cache = self.clone();
        move |tags| {
            let cache = cache.clone();
            Box::pin(async move { cache.invalidate_many(&tags).await == Invalidated::Written })
        }
    }
}

/// A bump under way, as [`Cache::invalidator`] hands it out: true once written.
pub type PendingBump = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

/// How far an invalidation got. Either way no stale entry is served by this process; the
/// difference is whether another process (or this one after a restart) could still read one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidated {
    /// Every tag's new generation is in the store.
    Written,
    /// Redis could not be reached: the rest is kept in this process's memory, written before
    /// it reads Redis again, and lost if it stops first.
    Queued,
}

pub(crate) enum Lookup {
    Hit(Vec<u8>),
    Miss(u64),
}

#[cfg(test)]
mod tests;
