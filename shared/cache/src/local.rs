//! The in-process store: used when no Redis is configured (embedded mode, tests, `vipcare up`
//! where all services share one process and so one store).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{Invalidated, Lookup};

pub(crate) struct LocalStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    generations: HashMap<String, (u64, Instant)>,
    /// Generations are swept when there are this many (at least `capacity`).
    sweep_at: usize,
    longest_ttl: Duration,
}

struct Entry {
    generation: u64,
    expires: Instant,
    bytes: Vec<u8>,
}

impl LocalStore {
    pub(crate) fn new(capacity: usize) -> Self {
        LocalStore {
            capacity: capacity.max(16),
            inner: Mutex::new(Inner::default()),
        }
    }

    pub(crate) fn get(&self, key: &str, tag: &str) -> Lookup {
        let inner = self.inner.lock().expect("cache poisoned");
        let generation = inner.generations.get(tag).map_or(0, |g| g.0);
        match inner.entries.get(key) {
            Some(e) if e.generation == generation && e.expires > Instant::now() => {
                Lookup::Hit(e.bytes.clone())
            }
            _ => Lookup::Miss(generation),
        }
    }

    pub(crate) fn put(&self, key: &str, tag: &str, generation: u64, bytes: &[u8], ttl: Duration) {
        let now = Instant::now();
        let mut inner = self.inner.lock().expect("cache poisoned");
        if inner.generations.get(tag).map_or(0, |g| g.0) != generation {
            return; // a write bumped the tag while this was loading: the bytes are already old
        }
        if inner.entries.len() >= self.capacity {
            inner.entries.retain(|_, e| e.expires > now);
            if inner.entries.len() >= self.capacity {
                // Still full of live entries: drop an arbitrary eighth rather than grow.
                let drop: Vec<String> = inner
                    .entries
                    .keys()
                    .take(self.capacity / 8 + 1)
                    .cloned()
                    .collect();
                for k in drop {
                    inner.entries.remove(&k);
                }
            }
        }
        inner.longest_ttl = inner.longest_ttl.max(ttl);
        inner.entries.insert(
            key.to_owned(),
            Entry {
                generation,
                expires: now + ttl,
                bytes: bytes.to_vec(),
            },
        );
    }

    pub(crate) fn bump(&self, tag: &str) -> Invalidated {
        self.bump_many(std::slice::from_ref(&tag.to_owned()))
    }

    /// Always written: the store is this process's memory, gone with whatever it guards.
    pub(crate) fn bump_many(&self, tags: &[String]) -> Invalidated {
        let now = Instant::now();
        let mut inner = self.inner.lock().expect("cache poisoned");
        for tag in tags {
            if inner.generations.len() >= inner.sweep_at.max(self.capacity) {
                // A generation older than every possible entry and load can be forgotten: the
                // entries it guarded have expired, so restarting it at 0 serves nothing stale.
                let horizon = inner.longest_ttl + Duration::from_secs(120);
                inner
                    .generations
                    .retain(|_, (_, bumped)| now.duration_since(*bumped) < horizon);
                // The sweep visits every generation: when they are all still young (a batch
                // just changed a few hundred thousand customers) the next one waits until
                // their number doubled, so a bump stays O(1) on average.
                inner.sweep_at = inner.generations.len() * 2;
            }
            let slot = inner.generations.entry(tag.clone()).or_insert((0, now));
            slot.0 += 1;
            slot.1 = now;
        }
        Invalidated::Written
    }
}
