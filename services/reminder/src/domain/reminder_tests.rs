use std::collections::BTreeMap;

use chrono::TimeDelta;
use vipcare_domain::Violation;

use super::*;
use crate::domain::rule::default_rule;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const NOW: &str = "2026-03-02T09:00:00Z";

fn values() -> ScheduleValues {
    ScheduleValues {
        customer_id: "0192f0c8-7d8e-7000-8000-000000000001".into(),
        variables: [("PLAN_NAME".to_owned(), "5G畅享套餐".to_owned())].into(),
        ..ScheduleValues::default()
    }
}

fn draft(values: ScheduleValues, touchpoint: Touchpoint) -> Result<ReminderDraft, Vec<Violation>> {
    ReminderDraft::new(values, &default_rule(touchpoint), t(NOW))
}

fn fields(result: Result<ReminderDraft, Vec<Violation>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|v| v.field).collect()
}

fn scheduled() -> Reminder {
    let d = draft(values(), Touchpoint::PlanChange).unwrap();
    let rendered = Rendered {
        template_code: "plan_change.accepted.sms.zh-cn".into(),
        text: "您已成功订购5G畅享套餐".into(),
    };
    Reminder::schedule("r-1".into(), d, rendered, "hall", t(NOW)).0
}

#[test]
fn unset_values_take_the_rule_and_now() {
    let d = draft(values(), Touchpoint::PlanChange).unwrap();
    let rule = default_rule(Touchpoint::PlanChange);
    assert_eq!(d.send_at, t(NOW));
    assert_eq!(d.deadline, t(NOW) + rule.default_deadline);
    assert_eq!(d.priority, rule.priority);
    assert_eq!(
        (d.template_code, d.dedupe_key, d.staff_assignee),
        (None, None, None)
    );
}

#[test]
fn a_send_time_in_the_past_means_now_and_the_deadline_follows_it() {
    let d = draft(
        ScheduleValues {
            send_at: Some(t("2026-03-01T09:00:00Z")),
            priority: 7,
            dedupe_key: "plan-2026-03".into(),
            ..values()
        },
        Touchpoint::PlanChange,
    )
    .unwrap();
    assert_eq!(d.send_at, t(NOW));
    assert_eq!(d.deadline, t("2026-03-03T09:00:00Z"));
    assert_eq!(d.priority.get(), 7);
    assert_eq!(d.dedupe_key.as_deref(), Some("plan-2026-03"));
}

#[test]
fn a_deadline_not_after_the_send_time_is_refused_at_deadline() {
    for deadline in ["2026-03-05T08:00:00Z", "2026-03-05T10:00:00Z"] {
        let asked = ScheduleValues {
            send_at: Some(t("2026-03-05T10:00:00Z")),
            deadline: Some(t(deadline)),
            ..values()
        };
        assert_eq!(fields(draft(asked, Touchpoint::Care)), ["deadline"]);
    }
    // Already stale: a deadline before now, with the send time left to now.
    let stale = ScheduleValues {
        deadline: Some(t("2026-03-02T08:59:59Z")),
        ..values()
    };
    assert_eq!(fields(draft(stale, Touchpoint::Care)), ["deadline"]);
}

#[test]
fn every_bad_field_is_named_at_once() {
    let mut variables = BTreeMap::new();
    variables.insert("PLAN_NAME".to_owned(), "x".repeat(501));
    let asked = ScheduleValues {
        customer_id: String::new(),
        template_code: "Bad Code".into(),
        variables,
        priority: 101,
        dedupe_key: "k".repeat(MAX_DEDUPE_KEY_CHARS + 1),
        staff_assignee: "am-7".into(),
        source_event_id: "e\u{202E}1".into(),
        ..values()
    };
    assert_eq!(
        fields(draft(asked, Touchpoint::Care)),
        [
            "customer_id",
            "template_code",
            "variables.PLAN_NAME",
            "priority",
            "dedupe_key",
            "staff_assignee",
            "source_event_id"
        ]
    );
}

#[test]
fn variables_and_keys_are_bounded() {
    let many: BTreeMap<_, _> = (0..33).map(|i| (format!("V{i}"), "x".to_owned())).collect();
    let asked = ScheduleValues {
        variables: many,
        ..values()
    };
    assert_eq!(fields(draft(asked, Touchpoint::Care)), ["variables"]);
    for key in ["   ", "a\u{7}b"] {
        let asked = ScheduleValues {
            dedupe_key: key.into(),
            ..values()
        };
        assert_eq!(fields(draft(asked, Touchpoint::Care)), ["dedupe_key"]);
    }
    let longest = ScheduleValues {
        dedupe_key: "键".repeat(MAX_DEDUPE_KEY_CHARS),
        ..values()
    };
    assert!(draft(longest, Touchpoint::Care).is_ok());
}

#[test]
fn a_staff_task_needs_its_assignee_and_only_it_has_one() {
    assert_eq!(
        fields(draft(values(), Touchpoint::StaffTask)),
        ["staff_assignee"]
    );
    let task = ScheduleValues {
        staff_assignee: "am-7".into(),
        ..values()
    };
    let d = draft(task, Touchpoint::StaffTask).unwrap();
    assert_eq!(d.staff_assignee.as_deref(), Some("am-7"));
    assert_eq!(d.touchpoint, Touchpoint::StaffTask);
}

#[test]
fn a_scheduled_reminder_starts_its_history() {
    let d = draft(values(), Touchpoint::PlanChange).unwrap();
    let rendered = Rendered {
        template_code: "plan_change.accepted.sms.zh-cn".into(),
        text: "您已成功订购".into(),
    };
    let (r, first) = Reminder::schedule("r-1".into(), d, rendered, "hall", t(NOW));
    assert_eq!(r.state, ReminderState::Scheduled);
    assert_eq!(r.planned_send_at, r.send_at);
    assert_eq!(r.template_code, "plan_change.accepted.sms.zh-cn");
    assert_eq!((r.changes, r.attempts, r.channel), (1, 0, None));
    assert_eq!(first.state, ReminderState::Scheduled);
    assert_eq!(first.reason, Reason::Created);
    assert_eq!(first.at, t(NOW));
}

#[test]
fn moves_are_checked_and_counted() {
    let mut r = scheduled();
    let later = t(NOW) + TimeDelta::minutes(5);
    let entry = r.cancel(later, Some("customer called")).unwrap();
    assert_eq!(entry.state, ReminderState::Cancelled);
    assert_eq!(entry.reason, Reason::CancelRequested);
    assert_eq!(entry.detail.as_deref(), Some("customer called"));
    assert_eq!(
        (r.state, r.changes, r.update_time),
        (ReminderState::Cancelled, 2, later)
    );
    // An end is never left, and a refused move changes nothing.
    let before = r.clone();
    let refused = r.cancel(later, None).unwrap_err();
    assert_eq!(refused.from, ReminderState::Cancelled);
    assert_eq!(r, before);
}

#[test]
fn a_claimed_reminder_can_no_longer_be_cancelled_or_superseded() {
    let mut r = scheduled();
    r.move_to(ReminderState::Dispatching, t(NOW), Reason::Due, None, None)
        .unwrap();
    assert!(!r.is_waiting());
    assert!(r.cancel(t(NOW), None).is_err());
    assert!(r.supersede("r-2", t(NOW)).is_err());
    assert_eq!(r.superseded_by, None);
    // A reason must explain the move it records.
    assert!(
        r.move_to(ReminderState::Sent, t(NOW), Reason::Due, None, None)
            .is_err()
    );
    let sent = r
        .move_to(
            ReminderState::Sent,
            t(NOW),
            Reason::ProviderAccepted,
            None,
            Some("a-1"),
        )
        .unwrap();
    assert_eq!(sent.attempt_id.as_deref(), Some("a-1"));
}

#[test]
fn superseding_and_deferring_keep_what_they_are_about() {
    let mut r = scheduled();
    let until = t("2026-03-02T12:00:00Z");
    r.defer(until, t(NOW), Reason::DailyCap, None).unwrap();
    assert_eq!(
        (r.state, r.planned_send_at),
        (ReminderState::Deferred, until)
    );
    assert!(r.is_waiting());
    let entry = r.supersede("r-2", t(NOW)).unwrap();
    assert_eq!(entry.reason, Reason::SupersededByNewer);
    assert_eq!(r.superseded_by.as_deref(), Some("r-2"));
    assert_eq!(r.changes, 3);
}

#[test]
fn ids_sort_by_creation() {
    let a = new_reminder_id();
    let b = new_reminder_id();
    assert!(a < b, "{a} {b}");
    assert_eq!(a.len(), 36);
}
