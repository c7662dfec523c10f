//! The Redis store. Every round trip is bounded by `cache.timeout_ms`; after a failure Redis is
//! skipped for a moment (reads go to the source) and bumps that could not be written are kept
//! and replayed before Redis is read again, so an outage never leaves a stale entry served.
//! An entry and its tag's generation share a hash tag, so they live in one Redis Cluster slot
//! and one MGET reads both.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::join_all;

use crate::redis_conn::RedisConn;
use crate::{CacheError, Invalidated, Lookup};

/// How long Redis is skipped after a failure before it is tried again.
const BACKOFF_MS: i64 = 1_000;
/// Tags bumped per round trip: a few hundred SETs are well inside any sensible timeout.
const BUMP_CHUNK: usize = 500;
/// Generations outlive every entry they guard.
const GENERATION_TTL_SECS: i64 = 86_400;

pub(crate) struct RedisStore {
    conn: RedisConn,
    prefix: String,
    timeout: Duration,
    down_until_ms: AtomicI64,
    pending: Mutex<HashSet<String>>,
    has_pending: AtomicBool,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl RedisStore {
    /// `urls`: one server, or a cluster's nodes (see [`RedisConn::open`]).
    pub(crate) fn new(
        urls: &[&str],
        cluster: bool,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Self, CacheError> {
        let conn = RedisConn::open(urls, cluster, timeout)?;
        Ok(RedisStore {
            conn,
            prefix: prefix.to_owned(),
            timeout,
            down_until_ms: AtomicI64::new(0),
            pending: Mutex::new(HashSet::new()),
            has_pending: AtomicBool::new(false),
        })
    }

    fn generation_key(&self, tag: &str) -> String {
        format!("{}{{{tag}}}:gen", self.prefix)
    }

    fn entry_key(&self, tag: &str, key: &str) -> String {
        format!("{}{{{tag}}}:{key}", self.prefix)
    }

    fn is_down(&self) -> bool {
        self.down_until_ms.load(Ordering::Relaxed) > now_ms()
    }

    fn mark_down(&self, err: &dyn std::fmt::Display) {
        let was_up = !self.is_down();
        self.down_until_ms
            .store(now_ms() + BACKOFF_MS, Ordering::Relaxed);
        if was_up {
            tracing::warn!(%err, "redis unavailable; reading from the source meanwhile");
        }
    }

    /// Runs one round trip within the timeout; a failure marks Redis down for a moment.
    async fn bounded<T>(
        &self,
        round_trip: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        match tokio::time::timeout(self.timeout, round_trip).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(err)) => {
                self.mark_down(&err);
                None
            }
            Err(_) => {
                self.mark_down(&"timed out");
                None
            }
        }
    }

    /// `None` when Redis cannot be used right now.
    pub(crate) async fn get(&self, key: &str, tag: &str) -> Option<Lookup> {
        if self.is_down() || !self.replay_pending().await {
            return None;
        }
        let mut cmd = redis::cmd("MGET");
        cmd.arg(self.generation_key(tag))
            .arg(self.entry_key(tag, key));
        let mut conn = self.conn.clone();
        let (generation, entry): (Option<u64>, Option<Vec<u8>>) =
            self.bounded(cmd.query_async(&mut conn)).await?;
        let generation = generation.unwrap_or(0);
        Some(match entry {
            // The generation trails the bytes, so a hit hands the buffer over without a copy.
            Some(mut bytes)
                if bytes.len() >= 8 && bytes[bytes.len() - 8..] == generation.to_be_bytes() =>
            {
                bytes.truncate(bytes.len() - 8);
                Lookup::Hit(bytes)
            }
            _ => Lookup::Miss(generation),
        })
    }

    pub(crate) async fn put(
        &self,
        key: &str,
        tag: &str,
        generation: u64,
        bytes: &[u8],
        ttl: Duration,
    ) {
        if self.is_down() {
            return;
        }
        let mut value = Vec::with_capacity(bytes.len() + 8);
        value.extend_from_slice(bytes);
        value.extend_from_slice(&generation.to_be_bytes());
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.entry_key(tag, key))
            .arg(value)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64);
        let mut conn = self.conn.clone();
        let _: Option<()> = self.bounded(cmd.query_async(&mut conn)).await;
    }

    pub(crate) async fn bump(&self, tag: &str) -> Invalidated {
        self.bump_many(std::slice::from_ref(&tag.to_owned())).await
    }

    /// Bumps in chunks, each one round trip within the timeout; what could not be written is
    /// kept for replay.
    pub(crate) async fn bump_many(&self, tags: &[String]) -> Invalidated {
        let mut written = 0;
        if !self.is_down() {
            for chunk in tags.chunks(BUMP_CHUNK) {
                if !self.write_bumps(chunk).await {
                    break;
                }
                written += chunk.len();
            }
        }
        if written == tags.len() {
            return Invalidated::Written;
        }
        self.pending
            .lock()
            .expect("pending poisoned")
            .extend(tags[written..].iter().cloned());
        self.has_pending.store(true, Ordering::Release);
        Invalidated::Queued
    }

    /// One round trip per chunk. A bump sets a new random generation with its expiry in one
    /// command (an INCR would need an EXPIRE beside it, twice the work for Redis): entries
    /// only ever compare equal to the generation they were stored under, so new is all a
    /// generation needs to be, and two random 64-bit values meet once in 2^64 bumps.
    async fn write_bumps(&self, tags: &[String]) -> bool {
        let sets = tags.iter().map(|tag| {
            // Never 0: that is the generation of a tag never bumped.
            let generation = rand::random::<u64>() | 1;
            let mut set = redis::cmd("SET");
            set.arg(self.generation_key(tag))
                .arg(generation)
                .arg("EX")
                .arg(GENERATION_TTL_SECS);
            set
        });
        if self.conn.is_cluster() {
            // Each tag is its own slot, and a cluster pipeline must stay in one: the commands
            // go out at once instead, each to its node, over the connections they share.
            let sent = join_all(sets.map(|set| {
                let mut conn = self.conn.clone();
                async move { set.query_async::<()>(&mut conn).await }
            }));
            let all = async {
                sent.await
                    .into_iter()
                    .collect::<redis::RedisResult<Vec<()>>>()
            };
            return self.bounded(all).await.is_some();
        }
        let mut pipe = redis::pipe();
        for set in sets {
            pipe.add_command(set).ignore();
        }
        let mut conn = self.conn.clone();
        self.bounded(pipe.query_async::<()>(&mut conn))
            .await
            .is_some()
    }

    /// Writes the bumps queued while Redis was down; false while some are still pending.
    async fn replay_pending(&self) -> bool {
        if !self.has_pending.load(Ordering::Acquire) {
            return true;
        }
        let tags: Vec<String> = self
            .pending
            .lock()
            .expect("pending poisoned")
            .iter()
            .cloned()
            .collect();
        for chunk in tags.chunks(BUMP_CHUNK) {
            if !self.write_bumps(chunk).await {
                return false;
            }
            let mut pending = self.pending.lock().expect("pending poisoned");
            for tag in chunk {
                pending.remove(tag);
            }
        }
        let pending = self.pending.lock().expect("pending poisoned");
        if pending.is_empty() {
            self.has_pending.store(false, Ordering::Release);
        }
        // Tags queued meanwhile stay pending and are replayed on the next read.
        pending.is_empty()
    }
}
