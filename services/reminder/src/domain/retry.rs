//! What to do after a delivery attempt: "not received because the phone was off" was the first
//! complaint. Unreachable, or no receipt within the receipt timeout: the same channel again
//! after an exponential backoff, while attempts remain and the retry still lands by the
//! deadline; then the customer's next channel at once. A permanent failure moves on at once.
//! With no channel left the reminder has failed, and for a PLATINUM or DIAMOND customer an
//! important one becomes a task for their account manager. Only a plan is returned; the caller
//! runs it (a retry time still passes through quiet hours before it is sent).

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation, coded_enum};

use super::touchpoint::ContactChannel;

coded_enum! {
    /// What became of one attempt.
    DeliveryOutcome {
        Delivered = "DELIVERED",
        /// Phone off, out of coverage or suspended: worth trying again later.
        FailedUnreachable = "FAILED_UNREACHABLE",
        /// Unknown number, blocked, rejected content: trying again cannot help.
        FailedPermanent = "FAILED_PERMANENT",
        /// No receipt within the receipt timeout; treated as unreachable.
        NoReceipt = "NO_RECEIPT",
    }
}

coded_enum! {
    FailureCause {
        /// Every channel was tried.
        ChannelsExhausted = "CHANNELS_EXHAUSTED",
        /// Channels were left, but the deadline had passed: another try would be late.
        DeadlinePassed = "DEADLINE_PASSED",
    }
}

/// Tiers whose important reminders become a staff task when they cannot be delivered.
pub const ESCALATING_TIERS: &[&str] = &["PLATINUM", "DIAMOND"];

pub fn escalates(tier: &str, important: bool) -> bool {
    important && ESCALATING_TIERS.contains(&tier)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPlan {
    Delivered,
    RetryAt {
        channel: ContactChannel,
        at: DateTime<Utc>,
    },
    NextChannel {
        channel: ContactChannel,
        at: DateTime<Utc>,
    },
    Failed {
        escalate: bool,
        cause: FailureCause,
    },
}

/// The delay before retry `n` (1 for the first): `base × factorⁿ⁻¹`, at most `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: TimeDelta,
    factor: i32,
    cap: TimeDelta,
}

impl Backoff {
    /// Violations name `base`, `factor` or `cap`.
    pub fn new(base: TimeDelta, factor: i32, cap: TimeDelta) -> Result<Backoff, Violation> {
        if base < TimeDelta::seconds(1) {
            return Err(Invalid::new("must be at least one second").at("base"));
        }
        if !(1..=10).contains(&factor) {
            return Err(Invalid::new("must be 1 to 10").at("factor"));
        }
        if cap < base || cap > TimeDelta::days(1) {
            return Err(Invalid::new("must be from base to one day").at("cap"));
        }
        Ok(Backoff { base, factor, cap })
    }

    /// The delay before retry `n`, with "equal jitter": half the delay is fixed and `jitter`
    /// (0 to 1, drawn by the caller; out-of-range values are clamped) scales the other half.
    /// Retries of many customers after one outage so spread out, yet still grow.
    pub fn delay(&self, n: u32, jitter: f64) -> TimeDelta {
        let mut d = self.base;
        if self.factor == 1 {
            return self.jittered(d, jitter); // and no loop of `n` steps for nothing
        }
        for _ in 1..n {
            d = match d.checked_mul(self.factor) {
                Some(next) if next < self.cap => next,
                _ => return self.jittered(self.cap, jitter),
            };
        }
        self.jittered(d.min(self.cap), jitter)
    }

    fn jittered(&self, d: TimeDelta, jitter: f64) -> TimeDelta {
        let jitter = if jitter.is_nan() {
            1.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        let half = d.num_milliseconds() / 2;
        // `half` is at most half a day in milliseconds, exact in an f64.
        let spread = (half as f64 * jitter).round() as i64;
        TimeDelta::milliseconds(d.num_milliseconds() - half + spread)
    }
}

/// How deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub backoff: Backoff,
    /// Attempts on one channel before the next is tried, so a phone that stays off does not
    /// hold the reminder on SMS until its deadline while push or e-mail would reach.
    pub attempts_per_channel: u32,
    /// How long after the provider accepted a message its receipt may take.
    pub receipt_timeout: TimeDelta,
}

impl Default for RetryPolicy {
    /// Retries after about 1 and 2 minutes (cap 30), three attempts a channel, receipts within
    /// 10 minutes: an unreachable SMS falls back within about half an hour.
    fn default() -> RetryPolicy {
        RetryPolicy {
            backoff: Backoff {
                base: TimeDelta::minutes(1),
                factor: 2,
                cap: TimeDelta::minutes(30),
            },
            attempts_per_channel: 3,
            receipt_timeout: TimeDelta::minutes(10),
        }
    }
}

/// One finished attempt, as the plan needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttemptReport<'a> {
    pub outcome: DeliveryOutcome,
    pub channel: ContactChannel,
    /// Attempts made on `channel` so far, this one included.
    pub attempts_on_channel: u32,
    /// The channels to try, in the customer's order.
    pub channels: &'a [ContactChannel],
    /// When the outcome became known (the receipt, or the receipt timeout).
    pub now: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub tier: &'a str,
    /// Whether the reminder's rule marks it important enough to escalate.
    pub important: bool,
    /// Drawn by the caller in 0..=1; see [`Backoff::delay`].
    pub jitter: f64,
}

impl RetryPolicy {
    /// Violations name `attempts_per_channel` or `receipt_timeout`.
    pub fn new(
        backoff: Backoff,
        attempts_per_channel: u32,
        receipt_timeout: TimeDelta,
    ) -> Result<RetryPolicy, Violation> {
        if !(1..=10).contains(&attempts_per_channel) {
            return Err(Invalid::new("must be 1 to 10").at("attempts_per_channel"));
        }
        if receipt_timeout < TimeDelta::seconds(1) || receipt_timeout > TimeDelta::days(1) {
            return Err(Invalid::new("must be one second to one day").at("receipt_timeout"));
        }
        Ok(RetryPolicy {
            backoff,
            attempts_per_channel,
            receipt_timeout,
        })
    }

    /// When an attempt accepted at `sent_at` without a receipt counts as [`DeliveryOutcome::NoReceipt`].
    pub fn receipt_overdue_at(&self, sent_at: DateTime<Utc>) -> DateTime<Utc> {
        sent_at + self.receipt_timeout
    }

    pub fn plan(&self, report: &AttemptReport<'_>) -> RetryPlan {
        let r = report;
        match r.outcome {
            DeliveryOutcome::Delivered => return RetryPlan::Delivered,
            DeliveryOutcome::FailedPermanent => {}
            DeliveryOutcome::FailedUnreachable | DeliveryOutcome::NoReceipt => {
                if r.attempts_on_channel < self.attempts_per_channel {
                    let delay = self.backoff.delay(r.attempts_on_channel.max(1), r.jitter);
                    let at = r.now + delay;
                    if at <= r.deadline {
                        return RetryPlan::RetryAt {
                            channel: r.channel,
                            at,
                        };
                    }
                }
            }
        }
        let failed = |cause| RetryPlan::Failed {
            escalate: escalates(r.tier, r.important),
            cause,
        };
        if r.now > r.deadline {
            return failed(FailureCause::DeadlinePassed);
        }
        // A channel no longer in the list (preferences changed meanwhile) restarts from the top.
        let next = match r.channels.iter().position(|c| *c == r.channel) {
            Some(i) => r.channels.get(i + 1),
            None => r.channels.first(),
        };
        match next {
            Some(channel) => RetryPlan::NextChannel {
                channel: *channel,
                at: r.now,
            },
            None => failed(FailureCause::ChannelsExhausted),
        }
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
