use chrono::TimeDelta;

use super::*;
use crate::dispatch::testing::{claimed, due_within, t};
use crate::domain::Touchpoint;
use crate::domain::rule::default_rule;

fn at(r: &Reminder, to: Recipient<'_>, now: &str) -> Option<Hold> {
    gate(r, &default_rule(r.touchpoint), to, t(now))
}

fn customer(contact: &Contact) -> Recipient<'_> {
    Recipient::Customer {
        contact,
        roaming: None,
    }
}

#[test]
fn a_stale_reminder_expires_and_one_sent_before_fails() {
    let contact = Contact::new("c-1");
    let r = due_within(
        claimed(
            "r-1",
            Touchpoint::Care,
            "生日快乐",
            t("2026-03-02T01:00:00Z"),
        ),
        TimeDelta::hours(1),
    );
    // At the deadline it may still go; a millisecond later it may not.
    assert_eq!(at(&r, customer(&contact), "2026-03-02T02:00:00Z"), None);
    let late = at(&r, customer(&contact), "2026-03-02T02:00:00.001Z").unwrap();
    assert_eq!(
        (late.to, late.reason),
        (ReminderState::Expired, Reason::DeadlinePassed)
    );
    let mut tried = r.clone();
    tried.attempts = 1;
    let late = at(&tried, Recipient::Staff, "2026-03-02T03:00:00Z").unwrap();
    assert_eq!(
        (late.to, late.reason),
        (ReminderState::Failed, Reason::DeadlinePassed)
    );
}

#[test]
fn an_opt_out_suppresses_unless_the_touchpoint_is_mandatory() {
    let mut contact = Contact::new("c-1");
    contact.opted_out = vec![Touchpoint::Care, Touchpoint::ArrearsSuspension];
    let noon = "2026-03-02T04:00:00Z";
    let care = claimed("r-1", Touchpoint::Care, "生日快乐", t(noon));
    let held = at(&care, customer(&contact), noon).unwrap();
    assert_eq!(
        (held.to, held.reason),
        (ReminderState::Suppressed, Reason::OptedOut)
    );
    let arrears = claimed("r-2", Touchpoint::ArrearsSuspension, "欠费提醒", t(noon));
    assert_eq!(at(&arrears, customer(&contact), noon), None);
}

#[test]
fn quiet_hours_defer_what_is_not_urgent_and_expire_what_would_be_late() {
    let contact = Contact::new("c-1");
    // 23:00 in Shanghai: quiet until 08:00, which is within the day-long deadline.
    let night = "2026-03-02T15:00:00Z";
    let plan = claimed("r-1", Touchpoint::PlanChange, "套餐变更", t(night));
    let held = at(&plan, customer(&contact), night).unwrap();
    assert_eq!(
        held,
        Hold::wait(
            ReminderState::Deferred,
            Reason::QuietHours,
            t("2026-03-03T00:00:00Z")
        )
    );
    // The sensitive query is urgent: it goes at night.
    let query = claimed("r-2", Touchpoint::SensitiveQuery, "查询提醒", t(night));
    assert_eq!(at(&query, customer(&contact), night), None);
    // Due within the hour, it would be stale by morning: it expires instead.
    let soon = due_within(plan, TimeDelta::hours(1));
    let held = at(&soon, customer(&contact), night).unwrap();
    assert_eq!(
        (held.to, held.reason),
        (ReminderState::Expired, Reason::QuietHoursPastDeadline)
    );
}

#[test]
fn quiet_hours_follow_the_customer_abroad() {
    let contact = Contact::new("c-1");
    let paris = Recipient::Customer {
        contact: &contact,
        roaming: Some(chrono_tz::Europe::Paris),
    };
    // 23:00 in Shanghai is 16:00 in Paris: the customer is awake.
    let evening = "2026-03-02T15:00:00Z";
    let plan = claimed("r-1", Touchpoint::PlanChange, "套餐变更", t(evening));
    assert_eq!(at(&plan, paris, evening), None);
    // 10:00 in Shanghai is 03:00 in Paris: wait for 08:00 there.
    let morning = "2026-03-03T02:00:00Z";
    let plan = claimed("r-2", Touchpoint::PlanChange, "套餐变更", t(morning));
    assert_eq!(at(&plan, customer(&contact), morning), None);
    let held = at(&plan, paris, morning).unwrap();
    assert_eq!(held.until, Some(t("2026-03-03T07:00:00Z")));
}

#[test]
fn a_staff_task_keeps_no_quiet_hours_only_its_deadline() {
    let night = "2026-03-02T15:00:00Z";
    let task = claimed("r-1", Touchpoint::StaffTask, "待办", t(night));
    assert_eq!(at(&task, Recipient::Staff, night), None);
}

#[test]
fn the_channel_is_where_delivery_has_got_to() {
    use ContactChannel::{AppPush, Sms};
    let mut r = claimed("r-1", Touchpoint::Care, "x", t("2026-03-02T04:00:00Z"));
    assert_eq!(channel_of(&r, &[Sms, AppPush]), Ok(Sms));
    r.channel_index = 1;
    assert_eq!(channel_of(&r, &[Sms, AppPush]), Ok(AppPush));
    let none = channel_of(&r, &[Sms]).unwrap_err();
    assert_eq!(none.reason, Reason::NoChannel);
    r.attempts = 3;
    let spent = channel_of(&r, &[Sms]).unwrap_err();
    assert_eq!(
        (spent.to, spent.reason),
        (ReminderState::Failed, Reason::AllChannelsFailed)
    );
}
