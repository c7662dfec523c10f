//! Promises made to the customer and follow-ups: a promise due in the past is refused and
//! leaves nothing; a promise reminds the handler two hours before it is due and tells the
//! customer the promised time; it is kept once, late shown as late; a repeated request_id
//! answers the first promise; a follow-up is a task for whoever planned it and, when asked, a
//! notice to the customer; a CLOSED complaint takes no new promise, follow-up or compensation.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{assert_invalid, by_agent, code, refusal, suites};
use crate::promises_calls::{HANDLER, proposing, the_one, ts};

#[tokio::test]
async fn a_promise_due_in_the_past_is_refused_naming_due_at_and_nothing_is_stored() {
    for mut suite in suites().await {
        let label = suite.label;
        let (customer, id) = suite.complaint_of("DIAMOND").await;
        let past = suite.promising(&id, HANDLER, "今天上午回电", TimeDelta::hours(-1));
        assert_invalid(label, suite.promise(past).await, "due_at");
        let now = suite.promising(&id, HANDLER, "今天上午回电", TimeDelta::zero());
        assert_invalid(label, suite.promise(now).await, "due_at");

        let complaint = suite.get(&id).await;
        assert!(complaint.promises.is_empty(), "[{label}] {complaint:?}");
        // A promise made after the refusals is the only one anyone is told of.
        let kept = suite.promising(&id, HANDLER, "明天中午前回电", TimeDelta::days(1));
        let made = suite.promise(kept).await.unwrap().promise.unwrap();
        suite.reminders_about(&customer, &made.promise_id, 2).await;
        let about_promises = suite
            .reminders_of(&customer, 0)
            .await
            .into_iter()
            .filter(|r| r.dedupe_key.contains(":promise"))
            .count();
        assert_eq!(about_promises, 2, "[{label}] the refused ones sent nothing");
    }
}

#[tokio::test]
async fn a_promise_reminds_the_handler_two_hours_before_and_tells_the_customer_now() {
    for mut suite in suites().await {
        let label = suite.label;
        let (customer, id) = suite.complaint_of("DIAMOND").await;
        let now = suite.now();
        let due = now + TimeDelta::days(1);
        // A colleague of the handler (the B of an A/B pair) makes the promise.
        let request = suite.promising(
            &id,
            "E1002",
            "明天中午前把多扣的30元退回",
            TimeDelta::days(1),
        );
        let made = suite.promise(request).await.unwrap();
        let promise = made.promise.unwrap();
        assert_eq!(promise.made_by, "E1002", "[{label}]");
        assert_eq!(promise.due_at, Some(ts(due)), "[{label}]");
        assert!(!promise.overdue && !promise.kept_on_time, "[{label}]");
        let complaint = made.complaint.unwrap();
        assert_eq!(
            complaint.promises,
            std::slice::from_ref(&promise),
            "[{label}]"
        );
        assert_eq!(complaint.version, 1, "[{label}] a promise is not a move");

        let found = suite
            .reminders_about(&customer, &promise.promise_id, 2)
            .await;
        let task = the_one(&found, Touchpoint::StaffTask);
        assert_eq!(
            task.staff_assignee, HANDLER,
            "[{label}] the handler keeps it"
        );
        assert_eq!(
            task.send_at,
            Some(ts(due - TimeDelta::hours(2))),
            "[{label}]"
        );
        assert!(
            task.text.contains("明天中午前把多扣的30元退回"),
            "[{label}] {task:?}"
        );
        let told = the_one(&found, Touchpoint::ComplaintProgress);
        assert_eq!(told.send_at, Some(ts(now)), "[{label}]");
        // 2026-06-16 12:00 on the wall in Shanghai.
        assert!(told.text.contains("6月16日 12:00"), "[{label}] {told:?}");
        assert!(told.text.contains("多扣的30元退回"), "[{label}] {told:?}");
    }
}

#[tokio::test]
async fn a_promise_is_kept_once_and_late_shows_as_late() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("GOLD").await;
        let early = suite.promising(&id, HANDLER, "一小时内回电", TimeDelta::hours(1));
        let early = suite.promise(early).await.unwrap().promise.unwrap();
        // A minute apart, so they list in the order they were made.
        suite.clock.advance(TimeDelta::minutes(1));
        let late = suite.promising(&id, HANDLER, "两小时内上门", TimeDelta::hours(2));
        let late = suite.promise(late).await.unwrap().promise.unwrap();

        suite.clock.advance(TimeDelta::minutes(29));
        let kept = suite.fulfil(&id, &early.promise_id, "E1002").await.unwrap();
        let on_time = kept.promise.unwrap();
        assert!(on_time.kept_on_time, "[{label}] {on_time:?}");
        assert_eq!(on_time.fulfilled_by, "E1002", "[{label}]");
        assert_eq!(on_time.fulfilled_at, Some(ts(suite.now())), "[{label}]");
        let again = suite.fulfil(&id, &early.promise_id, HANDLER).await;
        assert_eq!(refusal(again), "PROMISE_FULFILLED", "[{label}]");

        suite.clock.advance(TimeDelta::hours(3));
        let overdue = suite.get(&id).await;
        assert!(overdue.promises[1].overdue, "[{label}] {overdue:?}");
        let kept = suite.fulfil(&id, &late.promise_id, HANDLER).await.unwrap();
        let kept_late = kept.promise.unwrap();
        assert!(
            kept_late.fulfilled_at.is_some(),
            "[{label}] late is still kept"
        );
        assert!(!kept_late.kept_on_time && !kept_late.overdue, "[{label}]");

        let read = suite.get(&id).await;
        assert_eq!(read.promises, [on_time, kept_late], "[{label}]");
    }
}

#[tokio::test]
async fn a_promise_is_fulfilled_only_on_its_own_complaint() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("GOLD").await;
        let (_, other) = suite.complaint_of("GOLD").await;
        let request = suite.promising(&id, HANDLER, "明天回电", TimeDelta::days(1));
        let promise = suite.promise(request).await.unwrap().promise.unwrap();
        let elsewhere = suite.fulfil(&other, &promise.promise_id, HANDLER).await;
        assert_eq!(code(elsewhere), Code::NotFound, "[{label}]");
        let unknown = suite.fulfil(&id, "no-such-promise", HANDLER).await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
        assert_eq!(suite.get(&id).await.promises, [promise], "[{label}]");
    }
}

#[tokio::test]
async fn a_repeated_request_id_answers_the_first_promise() {
    for mut suite in suites().await {
        let label = suite.label;
        let (customer, id) = suite.complaint_of("DIAMOND").await;
        let mut request = suite.promising(&id, HANDLER, "明天回电", TimeDelta::days(1));
        request.request_id = "promise-1".into();
        let first = suite.promise(request.clone()).await.unwrap();
        // The retry, minutes later, carries the same message.
        suite.clock.advance(TimeDelta::minutes(5));
        let repeat = suite.promise(request.clone()).await.unwrap();
        assert_eq!(repeat, first, "[{label}]");
        assert_eq!(suite.get(&id).await.promises.len(), 1, "[{label}]");
        let promise_id = first.promise.unwrap().promise_id;
        assert_eq!(
            suite.reminders_about(&customer, &promise_id, 2).await.len(),
            2,
            "[{label}] told once"
        );

        request.text = "后天回电".into();
        assert_invalid(label, suite.promise(request).await, "request_id");
    }
}

#[tokio::test]
async fn a_follow_up_is_a_task_for_its_planner_and_tells_the_customer_only_when_asked() {
    for mut suite in suites().await {
        let label = suite.label;
        let (customer, id) = suite.complaint_of("DIAMOND").await;
        let quiet_at = suite.now();
        let quiet = suite
            .follow_up(&id, "E1003", TimeDelta::days(7), false)
            .await;
        let quiet = quiet.unwrap().follow_up.unwrap();
        assert!(!quiet.notify_customer, "[{label}]");
        suite.clock.advance(TimeDelta::minutes(1));
        let now = suite.now();
        let told = suite
            .follow_up(&id, "E1003", TimeDelta::days(2), true)
            .await;
        let told = told.unwrap();
        let appointment = told.follow_up.unwrap();
        assert_eq!(appointment.scheduled_by, "E1003", "[{label}]");
        assert_eq!(
            appointment.due_at,
            Some(ts(now + TimeDelta::days(2))),
            "[{label}]"
        );
        let complaint = told.complaint.unwrap();
        assert_eq!(
            complaint.follow_ups,
            [quiet.clone(), appointment.clone()],
            "[{label}]"
        );

        let found = suite
            .reminders_about(&customer, &appointment.follow_up_id, 2)
            .await;
        let task = the_one(&found, Touchpoint::StaffTask);
        assert_eq!(task.staff_assignee, "E1003", "[{label}]");
        assert_eq!(
            task.send_at,
            Some(ts(now + TimeDelta::days(2))),
            "[{label}]"
        );
        let notice = the_one(&found, Touchpoint::ComplaintProgress);
        assert_eq!(notice.send_at, Some(ts(now)), "[{label}]");
        assert!(
            notice.text.contains("6月17日 12:01"),
            "[{label}] {notice:?}"
        );

        // The quiet check was written first, so it was relayed by now: a task, nothing more.
        let found = suite
            .reminders_about(&customer, &quiet.follow_up_id, 1)
            .await;
        let task = the_one(&found, Touchpoint::StaffTask);
        assert_eq!(
            task.send_at,
            Some(ts(quiet_at + TimeDelta::days(7))),
            "[{label}]"
        );
        assert_eq!(
            found.len(),
            1,
            "[{label}] the customer is not told: {found:?}"
        );
    }
}

#[tokio::test]
async fn a_closed_complaint_takes_no_new_promise_follow_up_or_compensation() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("DIAMOND").await;
        let request = suite.promising(&id, HANDLER, "明天回电", TimeDelta::days(1));
        let open_promise = suite.promise(request).await.unwrap().promise.unwrap();
        close(&mut suite, &id).await;

        let request = suite.promising(&id, HANDLER, "再回一次电", TimeDelta::days(1));
        assert_eq!(
            refusal(suite.promise(request).await),
            "COMPLAINT_CLOSED",
            "[{label}]"
        );
        let follow_up = suite
            .follow_up(&id, HANDLER, TimeDelta::days(1), true)
            .await;
        assert_eq!(refusal(follow_up), "COMPLAINT_CLOSED", "[{label}]");
        let proposed = suite.propose(proposing(&id, 1_000, HANDLER)).await;
        assert_eq!(refusal(proposed), "COMPLAINT_CLOSED", "[{label}]");

        // Keeping a promise is taken in any state.
        let kept = suite.fulfil(&id, &open_promise.promise_id, HANDLER).await;
        assert!(kept.is_ok(), "[{label}] {kept:?}");
        let read = suite.get(&id).await;
        assert_eq!(read.promises.len(), 1, "[{label}]");
        assert!(
            read.follow_ups.is_empty() && read.compensations.is_empty(),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_promise_follow_up_or_proposal_over_a_stale_version_is_aborted() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("DIAMOND").await;
        let mut stale = suite.promising(&id, HANDLER, "明天回电", TimeDelta::days(1));
        stale.expected_version = 2;
        assert_eq!(
            code(suite.promise(stale.clone()).await),
            Code::Aborted,
            "[{label}]"
        );
        let mut proposal = proposing(&id, 1_000, HANDLER);
        proposal.expected_version = 2;
        assert_eq!(
            code(suite.propose(proposal).await),
            Code::Aborted,
            "[{label}]"
        );
        let read = suite.get(&id).await;
        assert!(
            read.promises.is_empty() && read.compensations.is_empty(),
            "[{label}]"
        );

        // At the version read, it is taken; and taking it leaves the version where it was.
        stale.expected_version = 1;
        let made = suite.promise(stale).await.unwrap();
        assert_eq!(made.complaint.unwrap().version, 1, "[{label}]");
    }
}

/// Resolves the complaint on the spot and closes it.
async fn close(suite: &mut crate::harness::Suite, id: &str) {
    let resolve = pb::ResolveComplaintRequest {
        complaint_id: id.into(),
        actor: HANDLER.into(),
        resolution: "已退回多扣的30元".into(),
        root_cause_gap: pb::RootCauseGap::Delivery as i32,
        ..Default::default()
    };
    let close = pb::CloseComplaintRequest {
        complaint_id: id.into(),
        actor: HANDLER.into(),
        ..Default::default()
    };
    let label = suite.label;
    let resolved = suite.complaints.resolve_complaint(by_agent(resolve)).await;
    resolved.unwrap_or_else(|s| panic!("[{label}] resolve: {s:?}"));
    let closed = suite.complaints.close_complaint(by_agent(close)).await;
    closed.unwrap_or_else(|s| panic!("[{label}] close: {s:?}"));
}
