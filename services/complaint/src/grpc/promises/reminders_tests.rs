use chrono::TimeDelta;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1::ScheduleReminderRequest;

use super::*;
use crate::domain::{Category, Channel, ComplaintDraft, FollowUp, NewComplaint, Severity};
use crate::grpc::convert::{time_of, timestamp};

fn now() -> DateTime<Utc> {
    "2026-06-15T04:00:00Z".parse().unwrap()
}

/// Opened by E1001, handled since by E2002.
fn complaint() -> Complaint {
    let values = NewComplaint {
        customer_id: "cust-1".into(),
        channel: Some(Channel::Hotline),
        category: Some(Category::Billing),
        severity: Some(Severity::Medium),
        summary: "话费多扣".into(),
        description: String::new(),
        first_contact_owner: "E1001".into(),
    };
    let draft = ComplaintDraft::new(values, now()).unwrap();
    let mut c = Complaint::open("c-1".into(), draft, "DIAMOND".into(), None);
    c.handler = "E2002".into();
    c
}

fn promise(due_in: TimeDelta, text: &str) -> Promise {
    Promise::new("p-1".into(), text, now() + due_in, "E1001", now()).unwrap()
}

fn request(notice: &Notice) -> &ScheduleReminderRequest {
    notice.request()
}

#[test]
fn a_promise_reminds_the_handler_two_hours_before_and_tells_the_customer_now() {
    let due = now() + TimeDelta::days(1);
    let [task, told] = promise_made(
        &complaint(),
        "李秀英",
        &promise(TimeDelta::days(1), "退回30元"),
        now(),
    );
    let task = request(&task);
    assert_eq!(task.touchpoint, Touchpoint::StaffTask as i32);
    assert_eq!(task.staff_assignee, "E2002", "the handler, not who made it");
    assert_eq!(task.send_at, Some(timestamp(due - TimeDelta::hours(2))));
    assert_eq!(task.variables["CUSTOMER_NAME"], "李秀英");
    assert!(task.variables["TASK"].contains("退回30元"));
    assert_eq!(task.dedupe_key, "complaint:c-1:promise-task:p-1");

    let told = request(&told);
    assert_eq!(told.touchpoint, Touchpoint::ComplaintProgress as i32);
    assert_eq!(told.customer_id, "cust-1");
    assert_eq!(told.staff_assignee, "");
    assert_eq!(told.send_at, Some(timestamp(now())));
    assert_eq!(told.variables["PROGRESS"], "退回30元");
    // 2026-06-16 04:00 UTC on the wall in Shanghai.
    assert_eq!(told.variables["PROMISED_TIME"], "6月16日 12:00");
    assert_eq!(told.dedupe_key, "complaint:c-1:promise:p-1");
}

#[test]
fn a_promise_due_soon_reminds_the_handler_before_it_falls_due() {
    let [task, _] = promise_made(
        &complaint(),
        "李秀英",
        &promise(TimeDelta::hours(1), "一小时内回电"),
        now(),
    );
    let send_at = time_of(request(&task).send_at.as_ref()).expect("a send time");
    assert!(
        send_at >= now() && send_at < now() + TimeDelta::hours(1),
        "{send_at}"
    );
}

#[test]
fn a_long_promise_is_quoted_within_what_a_variable_holds() {
    let text = "很".repeat(500);
    let [task, told] = promise_made(
        &complaint(),
        "李秀英",
        &promise(TimeDelta::days(1), &text),
        now(),
    );
    let quoted = &request(&task).variables["TASK"];
    assert!(quoted.chars().count() <= 500, "{}", quoted.chars().count());
    assert!(quoted.ends_with('…'));
    assert_eq!(request(&told).variables["PROGRESS"], text);
}

fn planned(notify_customer: bool) -> StoredFollowUp {
    StoredFollowUp {
        id: "f-1".into(),
        complaint_id: "c-1".into(),
        follow_up: FollowUp::new(
            now() + TimeDelta::days(2),
            "确认退款到账",
            notify_customer,
            now(),
        )
        .unwrap(),
        scheduled_by: "E3003".into(),
        scheduled_at: now(),
    }
}

#[test]
fn a_follow_up_is_a_task_for_its_planner_at_its_time() {
    let notices = follow_up_planned(&complaint(), "李秀英", &planned(false), now());
    let [task] = notices.as_slice() else {
        panic!("a quiet check tells the customer nothing: {notices:?}");
    };
    let task = request(task);
    assert_eq!(task.touchpoint, Touchpoint::StaffTask as i32);
    assert_eq!(task.staff_assignee, "E3003");
    assert_eq!(task.send_at, Some(timestamp(now() + TimeDelta::days(2))));
    assert!(task.variables["TASK"].contains("确认退款到账"));
    assert_eq!(task.dedupe_key, "complaint:c-1:follow-up-task:f-1");
}

#[test]
fn a_follow_up_the_customer_is_to_know_of_tells_them_now_without_the_note() {
    let notices = follow_up_planned(&complaint(), "李秀英", &planned(true), now());
    let [_, told] = notices.as_slice() else {
        panic!("a task and a notice: {notices:?}");
    };
    let told = request(told);
    assert_eq!(told.touchpoint, Touchpoint::ComplaintProgress as i32);
    assert_eq!(told.send_at, Some(timestamp(now())));
    assert_eq!(told.variables["PROMISED_TIME"], "6月17日 12:00");
    assert!(!told.variables["PROGRESS"].contains("确认退款到账"));
    assert_eq!(told.dedupe_key, "complaint:c-1:follow-up:f-1");
}
