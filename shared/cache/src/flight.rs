//! Single-flight: concurrent misses of the same key share one load, so a miss storm (a cold
//! cache, a popular customer just updated) makes one backend call instead of hundreds.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

#[derive(Default)]
pub(crate) struct Flights {
    running: Mutex<HashMap<String, Arc<OnceCell<Vec<u8>>>>>,
    /// Woken whenever a caller joins a flight: the single-flight test holds its load open
    /// until every caller it started has joined, instead of sleeping and hoping they did.
    #[cfg(test)]
    pub(crate) joined: tokio::sync::Notify,
}

impl Flights {
    /// Runs `load` unless a load of `key` is already running, in which case its result is
    /// shared. If that load fails, the next waiter runs its own.
    pub(crate) async fn run<Fut, E>(&self, key: &str, load: Fut) -> Result<Vec<u8>, E>
    where
        Fut: Future<Output = Result<Vec<u8>, E>>,
    {
        let cell = {
            let mut running = self.running.lock().expect("flight map poisoned");
            running.entry(key.to_owned()).or_default().clone()
        };
        #[cfg(test)]
        self.joined.notify_waiters();
        let result = cell.get_or_try_init(|| load).await.cloned();
        let mut running = self.running.lock().expect("flight map poisoned");
        if running.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            running.remove(key);
        }
        result
    }

    /// The callers of the fullest flight running now (the map holds one more handle).
    #[cfg(test)]
    pub(crate) fn most_callers(&self) -> usize {
        let running = self.running.lock().expect("flight map poisoned");
        running
            .values()
            .map(|cell| Arc::strong_count(cell) - 1)
            .max()
            .unwrap_or(0)
    }
}
