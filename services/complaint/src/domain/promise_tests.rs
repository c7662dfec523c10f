use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn promise(made: &str, due: &str) -> Promise {
    Promise::new(
        "p-1".into(),
        "call back with the refund",
        t(due),
        "staff-li",
        t(made),
    )
    .unwrap()
}

#[test]
fn a_promise_must_fall_due_after_it_is_made_and_say_what_was_promised() {
    let now = t("2024-06-05T02:00:00Z");
    let field = |text: &str, due: DateTime<Utc>, by: &str| {
        Promise::new("p-1".into(), text, due, by, now)
            .unwrap_err()
            .field
    };
    assert_eq!(field("call back", now, "staff-li"), "due_at");
    assert_eq!(
        field("call back", t("2024-06-05T01:00:00Z"), "staff-li"),
        "due_at"
    );
    assert_eq!(field("", t("2024-06-06T00:00:00Z"), "staff-li"), "text");
    assert_eq!(field("call back", t("2024-06-06T00:00:00Z"), ""), "made_by");
    let p = promise("2024-06-05T02:00:00Z", "2024-06-07T04:00:00Z");
    assert_eq!((p.made_at, p.fulfilled_at), (now, None));
}

#[test]
fn a_promise_is_fulfilled_once() {
    let mut p = promise("2024-06-05T02:00:00Z", "2024-06-07T04:00:00Z");
    p.fulfil(t("2024-06-06T09:00:00Z")).unwrap();
    assert_eq!(
        p.fulfil(t("2024-06-06T10:00:00Z")),
        Err(AlreadyFulfilled {
            at: t("2024-06-06T09:00:00Z")
        })
    );
    assert_eq!(p.fulfilled_at, Some(t("2024-06-06T09:00:00Z")));
    assert_eq!(p.kept_on_time(), Some(true));
}

#[test]
fn overdue_means_past_due_and_unfulfilled_and_is_escalated() {
    let mut p = promise("2024-06-05T02:00:00Z", "2024-06-07T04:00:00Z");
    assert!(!p.is_overdue(t("2024-06-07T04:00:00Z")));
    assert_eq!(p.escalation(t("2024-06-07T04:00:00Z")), None);
    assert!(p.is_overdue(t("2024-06-07T04:00:01Z")));
    assert_eq!(
        p.escalation(t("2024-06-07T06:30:00Z")),
        Some(BrokenPromise {
            promise_id: "p-1".into(),
            due_at: t("2024-06-07T04:00:00Z"),
            overdue_by: TimeDelta::minutes(150),
        })
    );
    // Kept late: no longer overdue or escalated, but not kept on time either.
    p.fulfil(t("2024-06-07T07:00:00Z")).unwrap();
    assert!(!p.is_overdue(t("2024-06-08T00:00:00Z")));
    assert_eq!(p.escalation(t("2024-06-08T00:00:00Z")), None);
    assert_eq!(p.kept_on_time(), Some(false));
}

#[test]
fn the_handler_is_reminded_two_hours_before_or_halfway_for_a_short_promise() {
    let long = promise("2024-06-05T02:00:00Z", "2024-06-07T04:00:00Z");
    assert_eq!(long.remind_handler_at(), t("2024-06-07T02:00:00Z"));
    let exactly_four_hours = promise("2024-06-05T02:00:00Z", "2024-06-05T06:00:00Z");
    assert_eq!(
        exactly_four_hours.remind_handler_at(),
        t("2024-06-05T04:00:00Z")
    );
    let one_hour = promise("2024-06-05T02:00:00Z", "2024-06-05T03:00:00Z");
    assert_eq!(one_hour.remind_handler_at(), t("2024-06-05T02:30:00Z"));
}
