//! Each moment's baseline, as SubmitResponse scores gaps against it: the moment's scores over
//! the policy's trailing window, read from the daily roll-ups and kept in memory per scenario
//! for at most a minute. A baseline moves slowly (a 90-day mean), so a response scored against
//! one a minute old differs from an exact one by far less than the score's rounding; reading
//! the roll-ups once a minute instead of once a response keeps SubmitResponse to its own row.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ConnectionTrait;

use crate::domain::Tally;
use crate::store::report::{Days, baseline_windows};
use crate::store::{StoreError, day_of};

/// How long a scenario's windows are used before they are read again.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

type Windows = Arc<BTreeMap<String, Tally>>;

/// Baseline windows per (scenario, window length), each with when it was read.
#[derive(Debug, Default)]
pub struct BaselineCache {
    entries: Mutex<HashMap<(String, u32), (Instant, Windows)>>,
}

impl BaselineCache {
    /// The scores of each moment of `scenario` over the `window_days` up to `now`'s day.
    pub async fn windows<C: ConnectionTrait>(
        &self,
        conn: &C,
        scenario: &str,
        window_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Windows, StoreError> {
        let key = (scenario.to_owned(), window_days);
        if let Some((read_at, windows)) = self.lock().get(&key)
            && read_at.elapsed() < FRESH_FOR
        {
            return Ok(windows.clone());
        }
        // Read without the lock held: two calls missing at once both read, which is harmless.
        let windows = Arc::new(baseline_windows(conn, scenario, window(window_days, now)).await?);
        self.lock().insert(key, (Instant::now(), windows.clone()));
        Ok(windows)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u32), (Instant, Windows)>> {
        // A panic while holding it leaves only a stale map: still fine to read.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The `days` calendar days ending on `now`'s day.
pub fn window(days: u32, now: DateTime<Utc>) -> Days {
    let last = day_of(now);
    Days {
        first: last - TimeDelta::days(i64::from(days.max(1)) - 1),
        last,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_window_ends_on_todays_shanghai_day() {
        let now: DateTime<Utc> = "2026-06-15T20:00:00Z".parse().unwrap();
        let days = window(90, now);
        assert_eq!(days.last, NaiveDate::from_ymd_opt(2026, 6, 16).unwrap());
        assert_eq!((days.last - days.first).num_days(), 89);
    }
}
