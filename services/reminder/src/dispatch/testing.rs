//! Reminders as the unit tests of dispatch need them: claimed, at a given time, with a text.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::rule::default_rule;
use crate::domain::{
    Reason, Reminder, ReminderDraft, ReminderState, Rendered, ScheduleValues, Touchpoint,
};

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test time")
}

/// A claimed (DISPATCHING) reminder of `touchpoint` due at `at`, with the rule's deadline.
pub fn claimed(id: &str, touchpoint: Touchpoint, text: &str, at: DateTime<Utc>) -> Reminder {
    let staff = touchpoint.is_staff_task();
    let values = ScheduleValues {
        customer_id: "c-1".into(),
        send_at: Some(at),
        staff_assignee: if staff { "am-1".into() } else { String::new() },
        ..ScheduleValues::default()
    };
    let draft = ReminderDraft::new(values, &default_rule(touchpoint), at).expect("a valid draft");
    let rendered = Rendered {
        template_code: format!("{}.test.sms.zh-cn", touchpoint.code()),
        text: text.to_owned(),
    };
    let (mut r, _) = Reminder::schedule(id.into(), draft, rendered, "test", at);
    r.move_to(ReminderState::Dispatching, at, Reason::Due, None, None)
        .expect("a scheduled reminder may be claimed");
    r
}

/// `r` with its deadline `after` its planned time.
pub fn due_within(mut r: Reminder, after: TimeDelta) -> Reminder {
    r.deadline = r.planned_send_at + after;
    r
}
