//! The driver every subcommand shares: N workers, each running the operation back to back
//! (closed loop, so exactly N requests are in flight) until the time is up, each keeping its own
//! latencies so nothing is shared on the hot path. The operation gets the worker's number, so a
//! subcommand can pin worker i to connection i mod C.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::latency::Latencies;

/// How hard and how long.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub concurrency: usize,
    pub duration: Duration,
}

/// What one operation did during a drive.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Latencies of the successful requests.
    pub latencies: Latencies,
    pub errors: u64,
    /// The first error seen, to say what went wrong.
    pub first_error: Option<String>,
    /// From the start until the last in-flight request ended.
    pub elapsed: Duration,
}

impl Run {
    pub fn successes(&self) -> u64 {
        self.latencies.len() as u64
    }

    /// Successful requests per second.
    pub fn per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.successes() as f64 / seconds
        } else {
            0.0
        }
    }

    /// Share of requests that failed, 0..=1.
    pub fn error_rate(&self) -> f64 {
        let total = self.successes() + self.errors;
        if total == 0 {
            1.0
        } else {
            self.errors as f64 / total as f64
        }
    }
}

/// Runs `op` at `plan.concurrency` for `plan.duration`. `op(worker)` makes one request.
pub async fn drive<F, Fut>(plan: Plan, op: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let op = Arc::new(op);
    let started = Instant::now();
    let deadline = started + plan.duration;
    // Rough per-worker capacity: a few thousand requests per second each at most.
    let capacity = (plan.duration.as_secs() as usize + 1) * 2_048;
    let workers: Vec<_> = (0..plan.concurrency)
        .map(|worker| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut run = Run {
                    latencies: Latencies::with_capacity(capacity),
                    ..Run::default()
                };
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match op(worker).await {
                        Ok(()) => run.latencies.record(sent.elapsed()),
                        Err(err) => {
                            run.errors += 1;
                            run.first_error.get_or_insert(err);
                        }
                    }
                }
                run
            })
        })
        .collect();
    let mut total = Run::default();
    for worker in workers {
        match worker.await {
            Ok(run) => {
                total.latencies.merge(run.latencies);
                total.errors += run.errors;
                if total.first_error.is_none() {
                    total.first_error = run.first_error;
                }
            }
            Err(err) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert(format!("worker failed: {err}"));
            }
        }
    }
    total.elapsed = started.elapsed();
    total
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn keeps_n_in_flight_for_the_duration_and_counts_errors() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(AtomicUsize::new(0));
        let (f, p, c) = (in_flight.clone(), peak.clone(), calls.clone());
        let plan = Plan {
            concurrency: 8,
            duration: Duration::from_millis(200),
        };
        let run = drive(plan, move |worker| {
            let (f, p, c) = (f.clone(), p.clone(), c.clone());
            async move {
                let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                f.fetch_sub(1, Ordering::SeqCst);
                let n = c.fetch_add(1, Ordering::SeqCst);
                // Worker 0 fails every call: one eighth of the requests.
                if worker == 0 {
                    Err(format!("call {n} failed"))
                } else {
                    Ok(())
                }
            }
        })
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 8);
        assert!(run.elapsed >= Duration::from_millis(200));
        assert!(run.successes() > 100, "{}", run.successes());
        assert!(run.errors > 10);
        assert!(
            (0.05..0.2).contains(&run.error_rate()),
            "{}",
            run.error_rate()
        );
        assert!(run.first_error.as_deref().unwrap().ends_with("failed"));
        assert_eq!(
            run.successes() + run.errors,
            calls.load(Ordering::SeqCst) as u64
        );
    }
}
