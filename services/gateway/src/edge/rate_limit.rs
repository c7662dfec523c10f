//! The per-client rate limit: a token bucket per client (`rate_per_second`, `burst`), kept as
//! one atomic (GCRA) so concurrent requests of one client never wait on a lock. A throttled call
//! gets RESOURCE_EXHAUSTED with a RetryInfo saying when the next token is due. Buckets read
//! "now" from a [`RateClock`], so tests move time by hand instead of racing the wall clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::future::{Either, Ready, ready};
use tonic::body::Body;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use tower::{Layer, Service};

use super::{Client, Reply, reject};

/// "Now" for the rate limit: nanoseconds on a monotonic scale that may start anywhere.
pub trait RateClock: Send + Sync + std::fmt::Debug + 'static {
    fn now_nanos(&self) -> u64;
}

/// The real clock: nanoseconds since it was made.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock(Instant);

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock(Instant::now())
    }
}

impl RateClock for MonotonicClock {
    fn now_nanos(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.0.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl RateClock for ManualClock {
    fn now_nanos(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A token bucket as the generic cell rate algorithm: the state is the theoretical arrival time
/// of the next request, in nanoseconds of the bucket's clock.
#[derive(Debug)]
pub struct TokenBucket {
    /// Time one token takes to refill.
    interval: u64,
    /// How far ahead of now the arrival time may run: `burst` tokens.
    tolerance: u64,
    next_arrival: AtomicU64,
    clock: Arc<dyn RateClock>,
}

impl TokenBucket {
    /// A full bucket on the real clock.
    pub fn new(rate_per_second: f64, burst: u32) -> TokenBucket {
        TokenBucket::with_clock(rate_per_second, burst, Arc::new(MonotonicClock::default()))
    }

    /// A full bucket that refills by `clock`.
    pub fn with_clock(rate_per_second: f64, burst: u32, clock: Arc<dyn RateClock>) -> TokenBucket {
        let interval = (1e9 / rate_per_second.max(1e-9)).min(u64::MAX as f64 / 4.0) as u64;
        TokenBucket {
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.max(1))),
            next_arrival: AtomicU64::new(0),
            clock,
        }
    }

    /// Takes a token, or says how long until one is available.
    pub fn try_acquire(&self) -> Result<(), Duration> {
        let now = self.clock.now_nanos();
        let mut seen = self.next_arrival.load(Ordering::Relaxed);
        loop {
            let next = seen.max(now).saturating_add(self.interval);
            let ahead = next - now;
            if ahead > self.tolerance {
                return Err(Duration::from_nanos(ahead - self.tolerance));
            }
            match self.next_arrival.compare_exchange_weak(
                seen,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => seen = actual,
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RateLimitLayer;

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RateLimit { inner }
    }
}

#[derive(Debug, Clone)]
pub struct RateLimit<S> {
    inner: S,
}

impl<S> Service<http::Request<Body>> for RateLimit<S>
where
    S: Service<
            http::Request<Body>,
            Response = http::Response<Body>,
            Error = std::convert::Infallible,
        >,
{
    type Response = http::Response<Body>;
    type Error = std::convert::Infallible;
    type Future = Either<Ready<Reply>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Reply<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let verdict = req
            .extensions()
            .get::<Arc<Client>>()
            .map(|client| client.bucket.try_acquire());
        match verdict {
            Some(Err(wait)) => Either::Left(ready(Ok(reject(throttled(wait))))),
            // Without a client the policy layer answers UNAUTHENTICATED.
            Some(Ok(())) | None => Either::Right(self.inner.call(req)),
        }
    }
}

fn throttled(wait: Duration) -> Status {
    // Whole milliseconds, rounded up, so a client that waits exactly this long gets through.
    let wait =
        Duration::from_millis(u64::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(u64::MAX));
    Status::with_error_details(
        Code::ResourceExhausted,
        format!("rate limit exceeded; retry in {} ms", wait.as_millis()),
        ErrorDetails::with_retry_info(Some(wait)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn bucket(rate_per_second: f64, burst: u32) -> (TokenBucket, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::default());
        let bucket = TokenBucket::with_clock(rate_per_second, burst, clock.clone());
        (bucket, clock)
    }

    #[test]
    fn a_full_bucket_allows_the_burst_then_throttles() {
        let (bucket, clock) = bucket(10.0, 3);
        for _ in 0..3 {
            assert_eq!(bucket.try_acquire(), Ok(()));
        }
        assert_eq!(bucket.try_acquire(), Err(100 * MS));
        clock.advance(40 * MS);
        assert_eq!(bucket.try_acquire(), Err(60 * MS));
    }

    #[test]
    fn tokens_come_back_at_the_rate() {
        let (bucket, clock) = bucket(10.0, 1);
        assert_eq!(bucket.try_acquire(), Ok(()));
        clock.advance(50 * MS);
        assert!(bucket.try_acquire().is_err());
        clock.advance(50 * MS);
        assert_eq!(bucket.try_acquire(), Ok(()));
        // An idle while refills at most `burst` tokens.
        clock.advance(1900 * MS);
        assert_eq!(bucket.try_acquire(), Ok(()));
        assert!(bucket.try_acquire().is_err());
    }

    #[test]
    fn a_bucket_made_late_on_its_clock_starts_full_not_in_debt() {
        let clock = Arc::new(ManualClock::default());
        clock.advance(Duration::from_secs(3600));
        let bucket = TokenBucket::with_clock(0.5, 2, clock);
        assert_eq!(bucket.try_acquire(), Ok(()));
        assert_eq!(bucket.try_acquire(), Ok(()));
        assert_eq!(bucket.try_acquire(), Err(2000 * MS));
    }

    #[test]
    fn a_throttled_call_says_when_to_retry() {
        let status = throttled(Duration::from_micros(1500));
        assert_eq!(status.code(), Code::ResourceExhausted);
        let retry = status.get_details_retry_info().expect("retry info");
        assert_eq!(retry.retry_delay, Some(2 * MS));
    }
}
