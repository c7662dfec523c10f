use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use prost_types::Timestamp;

use super::*;
use crate::domain::{
    ContactChannel, DeliveryOutcome, ReminderDraft, ReminderState, Rendered, default_rule,
};
use crate::grpc::convert::{channel_to_proto, timestamp};

fn now() -> DateTime<Utc> {
    "2026-06-15T04:00:00Z".parse().unwrap()
}

fn request() -> pb::ScheduleReminderRequest {
    pb::ScheduleReminderRequest {
        customer_id: "c-1".into(),
        touchpoint: touchpoint_to_proto(Touchpoint::PlanChange) as i32,
        template_code: String::new(),
        variables: BTreeMap::from([("PLAN_NAME".to_owned(), "畅享套餐".to_owned())]),
        send_at: Some(timestamp(now())),
        deadline: None,
        priority: 0,
        dedupe_key: "order-7".into(),
        request_id: "r-1".into(),
        staff_assignee: String::new(),
    }
}

fn fields(found: Vec<Violation>) -> Vec<String> {
    found.into_iter().map(|v| v.field).collect()
}

#[test]
fn a_schedule_request_becomes_values_the_rule_checks() {
    let (touchpoint, values) = schedule_from_proto(request()).unwrap();
    assert_eq!(touchpoint, Touchpoint::PlanChange);
    assert_eq!(values.send_at, Some(now()));
    assert_eq!(values.deadline, None);
    assert_eq!(values.dedupe_key, "order-7");
    assert_eq!(values.source_event_id, "");
    let draft = ReminderDraft::new(values, &default_rule(touchpoint), now()).unwrap();
    assert_eq!(draft.deadline, now() + chrono::TimeDelta::hours(24));
}

#[test]
fn bad_touchpoints_and_times_are_named() {
    let mut r = request();
    r.touchpoint = 0;
    r.deadline = Some(Timestamp {
        seconds: i64::MAX,
        nanos: 0,
    });
    r.send_at = Some(Timestamp {
        seconds: 0,
        nanos: -1,
    });
    assert_eq!(
        fields(schedule_from_proto(r).unwrap_err()),
        ["touchpoint", "send_at", "deadline"]
    );
}

#[test]
fn a_list_needs_a_customer_or_an_assignee() {
    let list = |customer: &str, staff: &str, states: Vec<i32>| pb::ListRemindersRequest {
        customer_id: customer.into(),
        states,
        touchpoint: 0,
        staff_assignee: staff.into(),
        page_size: 0,
        page_token: String::new(),
    };
    assert_eq!(
        fields(list_filter_from_proto(&list("", "", vec![])).unwrap_err()),
        ["customer_id"]
    );
    assert_eq!(
        fields(list_filter_from_proto(&list("c-1", "", vec![0])).unwrap_err()),
        ["states"]
    );
    let (filter, size) = list_filter_from_proto(&list("", "am-7", vec![1, 2])).unwrap();
    assert_eq!(filter.customer_id, None);
    assert_eq!(filter.staff_assignee.as_deref(), Some("am-7"));
    assert_eq!(
        filter.states,
        [ReminderState::Scheduled, ReminderState::Deferred]
    );
    assert_eq!(size, 50);
}

#[test]
fn a_reminder_shows_every_field_the_contract_has() {
    let (_, values) = schedule_from_proto(request()).unwrap();
    let draft = ReminderDraft::new(values, &default_rule(Touchpoint::PlanChange), now()).unwrap();
    let rendered = Rendered {
        template_code: "plan_change.accepted.sms.zh-cn".into(),
        text: "您已成功订购畅享套餐".into(),
    };
    let (mut reminder, first) = Reminder::schedule("r-9".into(), draft, rendered, "hall-7", now());
    reminder.channel = Some(ContactChannel::Sms);
    reminder.attempts = 2;
    let shown = reminder_to_proto(&reminder);
    assert_eq!(shown.reminder_id, "r-9");
    assert_eq!(shown.state, pb::ReminderState::Scheduled as i32);
    assert_eq!(shown.dedupe_key, "order-7");
    assert_eq!(shown.staff_assignee, "");
    assert_eq!(shown.channel, channel_to_proto(ContactChannel::Sms) as i32);
    assert_eq!(shown.attempts, 2);
    assert_eq!(shown.variables["PLAN_NAME"], "畅享套餐");
    assert_eq!(shown.planned_send_at, Some(timestamp(now())));
    let change = change_to_proto(&first);
    assert_eq!(change.state, pb::ReminderState::Scheduled as i32);
    assert_eq!(change.reason, "scheduled");
}

#[test]
fn history_reasons_read_in_words_with_their_detail() {
    let entry = HistoryEntry {
        at: now(),
        state: ReminderState::Deferred,
        reason: Reason::QuietHours,
        detail: Some("22:00-08:00 Asia/Shanghai: deferred to 08:00".into()),
        attempt_id: None,
    };
    assert_eq!(
        change_to_proto(&entry).reason,
        "quiet hours: 22:00-08:00 Asia/Shanghai: deferred to 08:00"
    );
}

#[test]
fn an_attempt_without_a_receipt_shows_none_and_a_late_one_unreachable() {
    let mut attempt = Attempt {
        attempt_id: "a-1".into(),
        reminder_id: "r-9".into(),
        message_id: Some("m-1".into()),
        channel: ContactChannel::Sms,
        number: 1,
        idempotency_key: "k-1".into(),
        sent_at: now(),
        outcome: None,
        outcome_at: None,
        detail: None,
    };
    let shown = attempt_to_proto(&attempt);
    assert_eq!((shown.outcome, shown.finish_time), (0, None));
    attempt.outcome = Some(DeliveryOutcome::NoReceipt);
    attempt.outcome_at = Some(now());
    attempt.detail = Some("no receipt within 10 minutes".into());
    let shown = attempt_to_proto(&attempt);
    assert_eq!(shown.outcome, pb::DeliveryOutcome::FailedUnreachable as i32);
    assert_eq!(shown.detail, "no receipt within 10 minutes");
}
