//! A clock tests move by hand, so breaker cool-downs pass without sleeping.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::Clock;

#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new() -> ManualClock {
        ManualClock(Mutex::new(
            "2024-06-01T02:00:00Z".parse().expect("a valid instant"),
        ))
    }

    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().expect("manual clock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("manual clock")
    }
}
