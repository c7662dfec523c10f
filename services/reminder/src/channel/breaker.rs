//! A circuit breaker per channel, so a provider that is down costs one timeout per message
//! only until it has failed a few times in a row: then the circuit opens and sends fail at once
//! (retryable) without a request, the workers move on, and the provider is not hammered while
//! it recovers. After a cool-down one probe goes through (half-open); its success closes the
//! circuit, its failure opens it for another cool-down.
//!
//! Time comes from the injected clock, so tests move it by hand instead of sleeping.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::Clock;

use crate::domain::ContactChannel;

/// When a circuit opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive failures that open the circuit (at least 1).
    pub failures_to_open: u32,
    /// How long it stays open before a probe is let through.
    pub open_for: TimeDelta,
}

/// What a caller sees of a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    Open,
    /// The cool-down is over: the next send (or the one in flight) is the probe.
    HalfOpen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: DateTime<Utc> },
    HalfOpen { probing: bool },
}

#[derive(Debug)]
pub struct Breaker {
    channel: ContactChannel,
    policy: BreakerPolicy,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

/// Leave to send one request; say how it went with [`Permit::succeeded`] or [`Permit::failed`].
/// A probe dropped without a verdict (its send was cancelled) lets the next send probe.
#[derive(Debug)]
pub struct Permit<'a> {
    breaker: &'a Breaker,
    probe: bool,
    settled: bool,
}

impl Breaker {
    pub fn new(channel: ContactChannel, policy: BreakerPolicy, clock: Arc<dyn Clock>) -> Breaker {
        Breaker {
            channel,
            policy,
            clock,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    pub fn state(&self) -> CircuitState {
        match *self.lock() {
            State::Closed { .. } => CircuitState::Closed,
            State::Open { until } if self.clock.now() < until => CircuitState::Open,
            State::Open { .. } | State::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }

    /// `None` while the circuit is open, or half-open with its probe still in flight.
    pub fn admit(&self) -> Option<Permit<'_>> {
        let mut state = self.lock();
        let probe = match *state {
            State::Closed { .. } => false,
            State::Open { until } if self.clock.now() < until => return None,
            State::HalfOpen { probing: true } => return None,
            State::Open { .. } | State::HalfOpen { probing: false } => {
                *state = State::HalfOpen { probing: true };
                true
            }
        };
        Some(Permit {
            breaker: self,
            probe,
            settled: false,
        })
    }

    fn settle(&self, probe: bool, success: bool) {
        let mut state = self.lock();
        let next = match (*state, probe, success) {
            (State::HalfOpen { .. }, true, true) => {
                tracing::info!(channel = self.channel.code(), "channel circuit closed");
                State::Closed { failures: 0 }
            }
            (State::HalfOpen { .. }, true, false) => self.open(None),
            (State::Closed { .. }, _, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, _, false) => {
                let failures = failures.saturating_add(1);
                if failures >= self.policy.failures_to_open {
                    self.open(Some(failures))
                } else {
                    State::Closed { failures }
                }
            }
            // Verdicts of sends let through before the circuit opened: the circuit already
            // acted on their kind, and a late success is no evidence of recovery.
            (other, _, _) => other,
        };
        *state = next;
    }

    fn open(&self, failures: Option<u32>) -> State {
        let now = self.clock.now();
        let until = now
            .checked_add_signed(self.policy.open_for)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        match failures {
            Some(n) => tracing::warn!(
                channel = self.channel.code(),
                failures = n,
                %until,
                "channel circuit opened after consecutive failures"
            ),
            None => tracing::warn!(
                channel = self.channel.code(),
                %until,
                "channel circuit probe failed; open again"
            ),
        }
        State::Open { until }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is one small value always written whole: a panic elsewhere cannot leave
        // it half-changed, so a poisoned lock is still good to use.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Permit<'_> {
    pub fn is_probe(&self) -> bool {
        self.probe
    }

    pub fn succeeded(mut self) {
        self.settled = true;
        self.breaker.settle(self.probe, true);
    }

    pub fn failed(mut self) {
        self.settled = true;
        self.breaker.settle(self.probe, false);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.probe && !self.settled {
            let mut state = self.breaker.lock();
            if *state == (State::HalfOpen { probing: true }) {
                *state = State::HalfOpen { probing: false };
            }
        }
    }
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;
