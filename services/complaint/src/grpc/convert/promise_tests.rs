use chrono::TimeDelta;

use super::*;

fn now() -> DateTime<Utc> {
    "2026-06-15T04:00:00Z".parse().unwrap()
}

fn fields(violations: Vec<Violation>) -> Vec<String> {
    violations.into_iter().map(|v| v.field).collect()
}

fn promising(due_in: TimeDelta) -> pb::PromiseToCustomerRequest {
    pb::PromiseToCustomerRequest {
        complaint_id: "c-1".into(),
        actor: "E1001".into(),
        text: "明天中午前把多扣的30元退回".into(),
        due_at: Some(timestamp(now() + due_in)),
        request_id: "r-1".into(),
        expected_version: 2,
    }
}

#[test]
fn a_promise_is_made_by_the_actor_now() {
    let asked = promise_from_proto(promising(TimeDelta::hours(24)), "p-1".into(), now()).unwrap();
    assert_eq!(asked.complaint_id, "c-1");
    assert_eq!(asked.expected_version, Some(2));
    let promise = asked.promise;
    assert_eq!(
        (promise.id.as_str(), promise.made_by.as_str()),
        ("p-1", "E1001")
    );
    assert_eq!(promise.due_at, now() + TimeDelta::hours(24));
    assert_eq!(promise.made_at, now());
    assert_eq!(promise.fulfilled_at, None);
}

#[test]
fn a_promise_due_now_or_earlier_is_refused_on_due_at() {
    for due_in in [TimeDelta::zero(), TimeDelta::minutes(-1)] {
        let refused = promise_from_proto(promising(due_in), "p-1".into(), now()).unwrap_err();
        assert_eq!(fields(refused), ["due_at"], "due in {due_in}");
    }
    let mut unset = promising(TimeDelta::hours(1));
    unset.due_at = None;
    let refused = promise_from_proto(unset, "p-1".into(), now()).unwrap_err();
    assert_eq!(fields(refused), ["due_at"]);
}

#[test]
fn every_refused_field_of_a_promise_is_named() {
    let request = pb::PromiseToCustomerRequest {
        complaint_id: String::new(),
        actor: "E 1001".into(),
        text: "  ".into(),
        due_at: Some(timestamp(now() - TimeDelta::hours(1))),
        request_id: String::new(),
        expected_version: -1,
    };
    let refused = promise_from_proto(request, "p-1".into(), now()).unwrap_err();
    assert_eq!(
        fields(refused),
        [
            "complaint_id",
            "actor",
            "text",
            "due_at",
            "expected_version"
        ]
    );
}

#[test]
fn fulfilling_names_the_promise_and_who_kept_it() {
    let request = pb::FulfilPromiseRequest {
        complaint_id: "c-1".into(),
        actor: "E1002".into(),
        promise_id: "p-1".into(),
        request_id: String::new(),
        expected_version: 0,
    };
    let asked = fulfil_from_proto(request.clone()).unwrap();
    assert_eq!(
        asked,
        FulfilAsked {
            complaint_id: "c-1".into(),
            actor: "E1002".into(),
            promise_id: "p-1".into(),
            expected_version: None,
        }
    );
    let refused = fulfil_from_proto(pb::FulfilPromiseRequest {
        promise_id: String::new(),
        actor: String::new(),
        ..request
    })
    .unwrap_err();
    assert_eq!(fields(refused), ["actor", "promise_id"]);
}

#[test]
fn a_follow_up_is_planned_by_the_actor_and_its_time_is_due_at() {
    let request = pb::ScheduleFollowUpRequest {
        complaint_id: "c-1".into(),
        actor: "E1001".into(),
        due_at: Some(timestamp(now() + TimeDelta::days(2))),
        note: "回访确认退款到账".into(),
        notify_customer: true,
        request_id: String::new(),
        expected_version: 0,
    };
    let asked = follow_up_from_proto(request.clone(), "f-1".into(), now()).unwrap();
    let planned = &asked.follow_up;
    assert_eq!(planned.id, "f-1");
    assert_eq!(planned.scheduled_by, "E1001");
    assert_eq!(planned.scheduled_at, now());
    assert_eq!(planned.follow_up.at, now() + TimeDelta::days(2));
    assert!(planned.follow_up.notify_customer);

    let refused = follow_up_from_proto(
        pb::ScheduleFollowUpRequest {
            due_at: Some(timestamp(now())),
            note: "第一行\n第二行".into(),
            ..request
        },
        "f-1".into(),
        now(),
    )
    .unwrap_err();
    assert_eq!(fields(refused), ["due_at", "note"]);
}

#[test]
fn a_promise_shows_whether_it_is_overdue_and_was_kept_on_time() {
    let promise = Promise::new(
        "p-1".into(),
        "今天下午回电",
        now() + TimeDelta::hours(4),
        "E1001",
        now(),
    )
    .unwrap();
    let mut stored = StoredPromise {
        complaint_id: "c-1".into(),
        promise,
        fulfilled_by: None,
        escalated_at: None,
    };
    let open = promise_to_proto(&stored, now() + TimeDelta::hours(4));
    assert!(!open.overdue, "at the due instant it is still on time");
    assert!(!open.kept_on_time);
    assert_eq!(open.fulfilled_by, "");
    assert_eq!(open.fulfilled_at, None);
    assert!(promise_to_proto(&stored, now() + TimeDelta::hours(5)).overdue);

    let late = now() + TimeDelta::hours(6);
    stored.promise.fulfil(late).unwrap();
    stored.fulfilled_by = Some("E1002".into());
    let kept = promise_to_proto(&stored, late);
    assert!(!kept.overdue, "fulfilled, even late, is not overdue");
    assert!(!kept.kept_on_time, "kept late");
    assert_eq!(kept.fulfilled_by, "E1002");
    assert_eq!(kept.fulfilled_at, Some(timestamp(late)));
    assert_eq!(kept.promise_id, "p-1");
    assert_eq!(kept.made_by, "E1001");
}

#[test]
fn a_follow_up_shows_as_planned() {
    let stored = StoredFollowUp {
        id: "f-1".into(),
        complaint_id: "c-1".into(),
        follow_up: FollowUp::new(now() + TimeDelta::days(1), "检查信号", false, now()).unwrap(),
        scheduled_by: "E1001".into(),
        scheduled_at: now(),
    };
    assert_eq!(
        follow_up_to_proto(&stored),
        pb::FollowUp {
            follow_up_id: "f-1".into(),
            due_at: Some(timestamp(now() + TimeDelta::days(1))),
            note: "检查信号".into(),
            notify_customer: false,
            scheduled_by: "E1001".into(),
            scheduled_at: Some(timestamp(now())),
        }
    );
}
