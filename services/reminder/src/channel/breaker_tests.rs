use std::sync::Arc;

use chrono::TimeDelta;

use super::*;
use crate::channel::manual_clock::ManualClock;

fn breaker(failures_to_open: u32) -> (Arc<ManualClock>, Breaker) {
    let clock = Arc::new(ManualClock::new());
    let policy = BreakerPolicy {
        failures_to_open,
        open_for: TimeDelta::seconds(30),
    };
    let breaker = Breaker::new(ContactChannel::Sms, policy, clock.clone());
    (clock, breaker)
}

fn fail(breaker: &Breaker, times: u32) {
    for _ in 0..times {
        breaker.admit().expect("admitted").failed();
    }
}

#[test]
fn opens_after_n_consecutive_failures_and_refuses_at_once() {
    let (_, b) = breaker(3);
    fail(&b, 2);
    assert_eq!(b.state(), CircuitState::Closed);
    fail(&b, 1);
    assert_eq!(b.state(), CircuitState::Open);
    assert!(b.admit().is_none());
}

#[test]
fn a_success_resets_the_count_of_consecutive_failures() {
    let (_, b) = breaker(3);
    fail(&b, 2);
    b.admit().unwrap().succeeded();
    fail(&b, 2);
    assert_eq!(b.state(), CircuitState::Closed);
    fail(&b, 1);
    assert_eq!(b.state(), CircuitState::Open);
}

#[test]
fn after_the_cool_down_one_probe_goes_through_and_its_success_closes() {
    let (clock, b) = breaker(1);
    fail(&b, 1);
    clock.advance(TimeDelta::seconds(29));
    assert!(b.admit().is_none(), "still cooling down");
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(b.state(), CircuitState::HalfOpen);
    let probe = b.admit().expect("the probe");
    assert!(probe.is_probe());
    assert!(b.admit().is_none(), "one probe at a time");
    probe.succeeded();
    assert_eq!(b.state(), CircuitState::Closed);
    assert!(!b.admit().unwrap().is_probe());
}

#[test]
fn a_failed_probe_opens_for_another_cool_down() {
    let (clock, b) = breaker(2);
    fail(&b, 2);
    clock.advance(TimeDelta::seconds(30));
    b.admit().expect("the probe").failed();
    assert_eq!(b.state(), CircuitState::Open);
    clock.advance(TimeDelta::seconds(29));
    assert!(b.admit().is_none());
    clock.advance(TimeDelta::seconds(1));
    assert!(b.admit().expect("a new probe").is_probe());
}

#[test]
fn a_probe_dropped_without_a_verdict_lets_the_next_send_probe() {
    let (clock, b) = breaker(1);
    fail(&b, 1);
    clock.advance(TimeDelta::seconds(30));
    drop(b.admit().expect("the probe"));
    assert_eq!(b.state(), CircuitState::HalfOpen);
    assert!(b.admit().expect("the next probe").is_probe());
}

#[test]
fn late_verdicts_of_sends_from_before_the_opening_change_nothing() {
    let (clock, b) = breaker(2);
    let early_ok = b.admit().unwrap();
    let early_fail = b.admit().unwrap();
    fail(&b, 2);
    early_ok.succeeded();
    assert_eq!(
        b.state(),
        CircuitState::Open,
        "a stale success does not close"
    );
    clock.advance(TimeDelta::seconds(30));
    let probe = b.admit().unwrap();
    early_fail.failed();
    probe.succeeded();
    assert_eq!(
        b.state(),
        CircuitState::Closed,
        "a stale failure does not reopen"
    );
}
