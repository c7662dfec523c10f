//! The knobs of dispatching: the merge window, the daily cap, retries and the receipt timeout
//! (the domain's policies), and how a worker claims and paces its work.

use std::time::Duration;

use chrono::TimeDelta;

use crate::domain::rule::TouchpointRule;
use crate::domain::{DailyCap, MergePolicy, RetryPolicy, SegmentLimit};

/// How a [`Dispatcher`](super::Dispatcher) works. The service fills the first five from its
/// settings (which bound them); the rest keep their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchPolicy {
    /// Mergeable reminders of one customer and channel due within this of the earliest share a
    /// message (zero to a day).
    pub merge_window: TimeDelta,
    pub daily_cap: DailyCap,
    /// How long after a provider took a message its receipt may take; then the attempt counts
    /// as unreachable. Wins over `retry.receipt_timeout`.
    pub receipt_timeout: TimeDelta,
    /// How long a claim is held; a dead worker's claims are taken over once it runs out.
    pub lease: TimeDelta,
    /// Reminders claimed per round.
    pub batch_size: u32,
    /// Backoff and attempts per channel.
    pub retry: RetryPolicy,
    /// Customers served at once within a round (their messages are in flight together).
    pub concurrency: usize,
    /// How long reminders wait when the profile or tiering cannot say how to reach the customer.
    pub directory_retry: TimeDelta,
    /// Rules of at most this priority number (and urgent or mandatory ones) are important: a
    /// PLATINUM or DIAMOND customer's important reminder that reached no channel becomes a task
    /// for their account manager. 30 takes in arrears, sensitive queries, roaming, data usage,
    /// complaint progress and plan changes; not promotions, surveys or greetings.
    pub important_priority: u8,
    /// How long an idle worker waits before looking for due reminders again.
    pub idle_pause: Duration,
    /// How long a worker woken by a reminder due now waits for others to come with it: a
    /// round per reminder would cost more than the reminders.
    pub gather: Duration,
}

impl Default for DispatchPolicy {
    fn default() -> DispatchPolicy {
        let retry = RetryPolicy::default();
        DispatchPolicy {
            merge_window: MergePolicy::default().window(),
            daily_cap: DailyCap::default(),
            receipt_timeout: retry.receipt_timeout,
            lease: TimeDelta::seconds(30),
            batch_size: 200,
            retry,
            concurrency: 32,
            directory_retry: TimeDelta::minutes(1),
            important_priority: 30,
            idle_pause: Duration::from_millis(500),
            gather: Duration::from_millis(50),
        }
    }
}

impl DispatchPolicy {
    /// How messages merge: the window (held to the domain's bounds), parts on lines of their
    /// own, SMS of at most the default segment limit.
    pub fn merge(&self) -> MergePolicy {
        let window = self
            .merge_window
            .clamp(TimeDelta::zero(), TimeDelta::days(1));
        MergePolicy::new(window, "\n", SegmentLimit::default()).unwrap_or_default()
    }

    /// The retry policy with this policy's receipt timeout.
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            receipt_timeout: self.receipt_timeout,
            ..self.retry
        }
    }

    /// Whether a reminder under `rule` escalates to staff when it cannot be delivered (for the
    /// tiers that escalate at all). A staff task never does: it would escalate to itself.
    pub fn is_important(&self, rule: &TouchpointRule) -> bool {
        !rule.touchpoint.is_staff_task()
            && (rule.urgent || rule.mandatory || rule.priority.get() <= self.important_priority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Touchpoint;
    use crate::domain::rule::default_rule;

    #[test]
    fn the_settings_knobs_reach_the_domain_policies() {
        let policy = DispatchPolicy {
            merge_window: TimeDelta::minutes(5),
            receipt_timeout: TimeDelta::minutes(2),
            ..DispatchPolicy::default()
        };
        assert_eq!(policy.merge().window(), TimeDelta::minutes(5));
        assert_eq!(policy.retry().receipt_timeout, TimeDelta::minutes(2));
        assert_eq!(
            policy.retry().attempts_per_channel,
            RetryPolicy::default().attempts_per_channel
        );
        // Out of the domain's bounds: held to them rather than refused mid-flight.
        let wide = DispatchPolicy {
            merge_window: TimeDelta::days(3),
            ..DispatchPolicy::default()
        };
        assert_eq!(wide.merge().window(), TimeDelta::days(1));
        let defaults = DispatchPolicy::default();
        assert_eq!(defaults.merge_window, TimeDelta::minutes(10));
        assert_eq!(defaults.receipt_timeout, TimeDelta::minutes(10));
    }

    #[test]
    fn arrears_and_plan_changes_are_important_and_greetings_are_not() {
        let policy = DispatchPolicy::default();
        let important = |t| policy.is_important(&default_rule(t));
        assert!(important(Touchpoint::ArrearsSuspension));
        assert!(important(Touchpoint::PlanChange));
        assert!(important(Touchpoint::DataUsageAlert));
        assert!(!important(Touchpoint::Care));
        assert!(!important(Touchpoint::SurveyInvitation));
        assert!(!important(Touchpoint::StaffTask));
    }
}
