//! Latencies kept exactly: every request's time in microseconds, sorted once at the end. A run
//! of 10 s at a few tens of thousands of requests per second is a few MB, so an HDR histogram's
//! bucketing buys nothing here and exact percentiles cost nothing.

use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Latencies {
    micros: Vec<u32>,
    sorted: bool,
}

impl Latencies {
    pub fn with_capacity(capacity: usize) -> Self {
        Latencies {
            micros: Vec::with_capacity(capacity),
            sorted: true,
        }
    }

    pub fn record(&mut self, latency: Duration) {
        let micros = u32::try_from(latency.as_micros()).unwrap_or(u32::MAX);
        self.micros.push(micros);
        self.sorted = false;
    }

    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
        self.sorted = false;
    }

    pub fn len(&self) -> usize {
        self.micros.len()
    }

    pub fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    /// The nearest-rank percentile (`q` in 0..=1); zero when nothing was recorded.
    pub fn percentile(&mut self, q: f64) -> Duration {
        if self.micros.is_empty() {
            return Duration::ZERO;
        }
        if !self.sorted {
            self.micros.sort_unstable();
            self.sorted = true;
        }
        let n = self.micros.len();
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as usize).clamp(1, n);
        Duration::from_micros(u64::from(self.micros[rank - 1]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut l = Latencies::default();
        for ms in (1..=100).rev() {
            l.record(Duration::from_millis(ms));
        }
        assert_eq!(l.percentile(0.50), Duration::from_millis(50));
        assert_eq!(l.percentile(0.99), Duration::from_millis(99));
        assert_eq!(l.percentile(1.0), Duration::from_millis(100));
        assert_eq!(l.percentile(0.0), Duration::from_millis(1));
    }

    #[test]
    fn merged_runs_count_together_and_empty_is_zero() {
        let mut a = Latencies::default();
        a.record(Duration::from_micros(10));
        let mut b = Latencies::default();
        b.record(Duration::from_micros(30));
        b.record(Duration::from_micros(20));
        a.merge(b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.percentile(0.5), Duration::from_micros(20));
        assert_eq!(Latencies::default().percentile(0.99), Duration::ZERO);
    }
}
