use super::*;
use ContactChannel::*;
use DeliveryOutcome::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const NOW: &str = "2024-05-01T02:00:00Z";
const CHANNELS: &[ContactChannel] = &[Sms, AppPush, Email];

fn report(
    outcome: DeliveryOutcome,
    channel: ContactChannel,
    attempts: u32,
) -> AttemptReport<'static> {
    AttemptReport {
        outcome,
        channel,
        attempts_on_channel: attempts,
        channels: CHANNELS,
        now: t(NOW),
        deadline: t("2024-05-02T02:00:00Z"),
        tier: "GOLD",
        important: false,
        jitter: 1.0,
    }
}

fn plan(r: AttemptReport<'_>) -> RetryPlan {
    RetryPolicy::default().plan(&r)
}

fn mins(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

#[test]
fn backoff_grows_by_the_factor_up_to_the_cap() {
    let b = Backoff::new(mins(1), 2, mins(10)).unwrap();
    let delays: Vec<_> = (1..=6).map(|n| b.delay(n, 1.0)).collect();
    assert_eq!(
        delays,
        [mins(1), mins(2), mins(4), mins(8), mins(10), mins(10)]
    );
    assert_eq!(b.delay(0, 1.0), mins(1));
    assert_eq!(b.delay(u32::MAX, 1.0), mins(10));
    let flat = Backoff::new(mins(3), 1, mins(3)).unwrap();
    assert_eq!(flat.delay(u32::MAX, 1.0), mins(3));
}

#[test]
fn jitter_scales_the_upper_half_and_is_clamped() {
    let b = Backoff::new(mins(1), 2, mins(10)).unwrap();
    assert_eq!(b.delay(3, 0.0), mins(2));
    assert_eq!(b.delay(3, 0.5), mins(3));
    assert_eq!(b.delay(3, 1.0), mins(4));
    assert_eq!(b.delay(3, -4.0), mins(2));
    assert_eq!(b.delay(3, 9.0), mins(4));
    assert_eq!(b.delay(3, f64::NAN), mins(4));
}

#[test]
fn delivered_needs_nothing_more() {
    assert_eq!(plan(report(Delivered, Sms, 1)), RetryPlan::Delivered);
}

#[test]
fn unreachable_or_silent_retries_the_same_channel_with_backoff() {
    assert_eq!(
        plan(report(FailedUnreachable, Sms, 1)),
        RetryPlan::RetryAt {
            channel: Sms,
            at: t(NOW) + mins(1)
        }
    );
    assert_eq!(
        plan(report(NoReceipt, Sms, 2)),
        RetryPlan::RetryAt {
            channel: Sms,
            at: t(NOW) + mins(2)
        }
    );
    // The third attempt was the last on SMS: push next, at once.
    assert_eq!(
        plan(report(NoReceipt, Sms, 3)),
        RetryPlan::NextChannel {
            channel: AppPush,
            at: t(NOW)
        }
    );
}

#[test]
fn a_retry_that_would_land_after_the_deadline_moves_on_instead() {
    let mut r = report(FailedUnreachable, Sms, 1);
    r.deadline = t(NOW) + mins(1);
    assert!(
        matches!(plan(r), RetryPlan::RetryAt { .. }),
        "lands exactly at the deadline"
    );
    r.deadline = t(NOW) + mins(1) - TimeDelta::seconds(1);
    assert_eq!(
        plan(r),
        RetryPlan::NextChannel {
            channel: AppPush,
            at: t(NOW)
        }
    );
}

#[test]
fn a_permanent_failure_moves_on_at_once() {
    assert_eq!(
        plan(report(FailedPermanent, Sms, 1)),
        RetryPlan::NextChannel {
            channel: AppPush,
            at: t(NOW)
        }
    );
    assert_eq!(
        plan(report(FailedPermanent, AppPush, 1)),
        RetryPlan::NextChannel {
            channel: Email,
            at: t(NOW)
        }
    );
}

#[test]
fn with_no_channel_left_the_reminder_fails() {
    let exhausted = RetryPlan::Failed {
        escalate: false,
        cause: FailureCause::ChannelsExhausted,
    };
    assert_eq!(plan(report(FailedPermanent, Email, 1)), exhausted);
    assert_eq!(plan(report(NoReceipt, Email, 3)), exhausted);
    let mut r = report(FailedPermanent, Sms, 1);
    r.channels = &[];
    assert_eq!(plan(r), exhausted);
}

#[test]
fn past_the_deadline_nothing_more_is_tried() {
    let mut r = report(FailedPermanent, Sms, 1);
    r.deadline = t(NOW) - TimeDelta::seconds(1);
    assert_eq!(
        plan(r),
        RetryPlan::Failed {
            escalate: false,
            cause: FailureCause::DeadlinePassed
        }
    );
}

#[test]
fn a_channel_dropped_from_the_preferences_restarts_from_the_first() {
    let mut r = report(FailedPermanent, VoiceCall, 1);
    r.channels = &[Email, Sms];
    assert_eq!(
        plan(r),
        RetryPlan::NextChannel {
            channel: Email,
            at: t(NOW)
        }
    );
}

#[test]
fn important_reminders_of_top_tiers_escalate_to_the_account_manager() {
    for (tier, important, escalate) in [
        ("PLATINUM", true, true),
        ("DIAMOND", true, true),
        ("DIAMOND", false, false),
        ("GOLD", true, false),
        ("platinum", true, false),
        ("", true, false),
    ] {
        let mut r = report(FailedPermanent, Email, 1);
        r.tier = tier;
        r.important = important;
        assert_eq!(
            plan(r),
            RetryPlan::Failed {
                escalate,
                cause: FailureCause::ChannelsExhausted
            },
            "{tier} important={important}"
        );
    }
}

#[test]
fn receipts_are_overdue_after_the_timeout() {
    let p = RetryPolicy::default();
    assert_eq!(p.receipt_overdue_at(t(NOW)), t(NOW) + mins(10));
}

#[test]
fn bad_policies_name_the_field() {
    let field = |r: Result<Backoff, Violation>| r.unwrap_err().field;
    assert_eq!(field(Backoff::new(TimeDelta::zero(), 2, mins(1))), "base");
    assert_eq!(field(Backoff::new(mins(1), 0, mins(1))), "factor");
    assert_eq!(field(Backoff::new(mins(1), 11, mins(1))), "factor");
    assert_eq!(field(Backoff::new(mins(2), 2, mins(1))), "cap");
    assert_eq!(field(Backoff::new(mins(1), 2, TimeDelta::days(2))), "cap");
    let b = Backoff::new(mins(1), 2, mins(5)).unwrap();
    assert_eq!(
        RetryPolicy::new(b, 0, mins(1)).unwrap_err().field,
        "attempts_per_channel"
    );
    assert_eq!(
        RetryPolicy::new(b, 3, TimeDelta::zero()).unwrap_err().field,
        "receipt_timeout"
    );
    assert!(RetryPolicy::new(b, 3, mins(5)).is_ok());
}
