//! Single-flight: concurrent misses of the same key share one load, so a miss storm (a cold
//! cache, a popular customer just updated) makes one backend call instead of hundreds.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

#[derive(Default)]
pub(crate) struct Flights {
    running: Mutex<HashMap<String, Arc<OnceCell<Vec<u8>>>>>,
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
        let result = cell.get_or_try_init(|| load).await.cloned();
        let mut running = self.running.lock().expect("flight map poisoned");
        if running.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            running.remove(key);
        }
        result
    }
}
