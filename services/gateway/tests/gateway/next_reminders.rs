//! The view's next reminders: what the reminder service still has to send the customer, soonest
//! first, at most five; a cached view that follows every schedule and cancel at once; and a view
//! that still answers, naming the section, when the reminder service cannot be reached.

use std::collections::BTreeMap;

use prost_types::Timestamp;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::gateway::v1::UpcomingReminder;
use vipcare_proto::reminder::v1::{
    CancelReminderRequest, Event, IngestEventRequest, PromotionExpiring, Reminder, ReminderState,
    ScheduleReminderRequest, cancel_reminder_request, event,
};
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, Options, Suite, closed_address};

const MSISDN: &str = "13800138000";

/// Days ahead of now, far enough that no dispatch worker touches the reminder while the test
/// looks.
fn days_ahead(days: i64) -> Timestamp {
    Timestamp {
        seconds: chrono::Utc::now().timestamp() + days * 86_400,
        nanos: 0,
    }
}

fn care(customer_id: &str, days: i64) -> ScheduleReminderRequest {
    ScheduleReminderRequest {
        customer_id: customer_id.to_owned(),
        touchpoint: Touchpoint::Care as i32,
        variables: BTreeMap::from([("CUSTOMER_NAME".to_owned(), "张先生".to_owned())]),
        send_at: Some(days_ahead(days)),
        ..ScheduleReminderRequest::default()
    }
}

/// A call-back for the account manager about the customer, `days` ahead.
fn call_back(customer_id: &str, days: i64) -> ScheduleReminderRequest {
    let variables = [
        ("CUSTOMER_NAME", "张先生"),
        ("CUSTOMER_ID", customer_id),
        ("TASK", "回访套餐变更"),
        ("DUE_TIME", "今天17:00"),
    ];
    ScheduleReminderRequest {
        customer_id: customer_id.to_owned(),
        touchpoint: Touchpoint::StaffTask as i32,
        variables: variables
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        send_at: Some(days_ahead(days)),
        staff_assignee: "am-007".into(),
        ..ScheduleReminderRequest::default()
    }
}

async fn schedule(suite: &Suite, request: ScheduleReminderRequest) -> Reminder {
    match suite.reminder(AGENT).schedule_reminder(request).await {
        Ok(answer) => answer.into_inner().reminder.expect("the reminder"),
        Err(status) => panic!("[{}] ScheduleReminder: {status:?}", suite.label),
    }
}

fn ids(reminders: &[UpcomingReminder]) -> Vec<&str> {
    reminders.iter().map(|r| r.reminder_id.as_str()).collect()
}

#[tokio::test]
async fn the_view_lists_the_next_reminders_soonest_first_and_follows_schedules_and_cancels() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let empty = suite.customer_view(AGENT, id).await;
        assert!(empty.next_reminders.is_empty(), "[{label}] {empty:?}");
        assert!(empty.unavailable_sections.is_empty(), "[{label}]");
        // Served from the cache: composed once.
        let again = suite.customer_view(AGENT, id).await;
        assert_eq!(again.compose_time, empty.compose_time, "[{label}] cached");

        // Scheduled out of order; the view lists them by when they go out.
        let in_three = schedule(&suite, care(id, 3)).await;
        let shown = suite.customer_view(AGENT, id).await;
        assert_ne!(
            shown.compose_time, empty.compose_time,
            "[{label}] the schedule made the cached view stale"
        );
        assert_eq!(
            ids(&shown.next_reminders),
            [in_three.reminder_id.as_str()],
            "[{label}] right after ScheduleReminder"
        );
        let in_one = schedule(&suite, care(id, 1)).await;
        let task = schedule(&suite, call_back(id, 2)).await;
        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(
            ids(&shown.next_reminders),
            [
                in_one.reminder_id.as_str(),
                task.reminder_id.as_str(),
                in_three.reminder_id.as_str()
            ],
            "[{label}] soonest first"
        );
        let first = &shown.next_reminders[0];
        assert_eq!(first.touchpoint(), Touchpoint::Care, "[{label}]");
        assert_eq!(first.state(), ReminderState::Scheduled, "[{label}]");
        assert_eq!(first.planned_send_at, in_one.planned_send_at, "[{label}]");
        assert_eq!(first.deadline, in_one.deadline, "[{label}]");
        assert_eq!(first.template_code, in_one.template_code, "[{label}]");
        let listed_task = &shown.next_reminders[1];
        assert_eq!(listed_task.touchpoint(), Touchpoint::StaffTask, "[{label}]");
        assert_eq!(listed_task.staff_assignee, "am-007", "[{label}]");

        // Cancelled: gone from the next view, though the view was cached.
        assert_eq!(
            suite.customer_view(AGENT, id).await.compose_time,
            shown.compose_time,
            "[{label}] cached again"
        );
        suite
            .reminder(AGENT)
            .cancel_reminder(CancelReminderRequest {
                reminder: Some(cancel_reminder_request::Reminder::ReminderId(
                    in_one.reminder_id.clone(),
                )),
                reason: "the customer called in already".into(),
                ..CancelReminderRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] CancelReminder: {s:?}"));
        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(
            ids(&shown.next_reminders),
            [task.reminder_id.as_str(), in_three.reminder_id.as_str()],
            "[{label}] right after CancelReminder"
        );

        // More than five waiting: the five soonest.
        let mut later = Vec::new();
        for days in 4..=7 {
            later.push(schedule(&suite, care(id, days)).await);
        }
        let shown = suite.customer_view(AGENT, id).await;
        let mut expected = vec![task.reminder_id.as_str(), in_three.reminder_id.as_str()];
        expected.extend(later[..3].iter().map(|r| r.reminder_id.as_str()));
        assert_eq!(
            ids(&shown.next_reminders),
            expected,
            "[{label}] five soonest"
        );
    }
}

/// Reminders made by a billing event change the cached view as a schedule does.
#[tokio::test]
async fn an_ingested_event_makes_the_cached_view_stale() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();
        let before = suite.customer_view(AGENT, id).await;
        assert!(before.next_reminders.is_empty(), "[{label}] {before:?}");

        // A promotion ending in ten days: reminded seven days and one day before.
        let event = Event {
            event_id: "promo-end-1".into(),
            customer_id: id.to_owned(),
            occurred_at: Some(days_ahead(0)),
            kind: Some(event::Kind::PromotionExpiring(PromotionExpiring {
                promotion_name: "流量加油包".into(),
                expire_time: Some(days_ahead(10)),
                cost_after: "每月10元".into(),
                remind_before: Vec::new(),
            })),
        };
        let made = suite
            .reminder(AGENT)
            .ingest_event(IngestEventRequest { event: Some(event) })
            .await
            .unwrap_or_else(|s| panic!("[{label}] IngestEvent: {s:?}"))
            .into_inner()
            .reminder_ids;
        assert_eq!(made.len(), 2, "[{label}] {made:?}");
        let shown = suite.customer_view(AGENT, id).await;
        let mut listed: Vec<&str> = ids(&shown.next_reminders);
        listed.sort_unstable();
        let mut expected: Vec<&str> = made.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(listed, expected, "[{label}] right after IngestEvent");
        assert!(
            shown
                .next_reminders
                .iter()
                .all(|r| r.touchpoint() == Touchpoint::PromotionExpiry),
            "[{label}] {shown:?}"
        );
    }
}

#[tokio::test]
async fn a_repeated_schedule_keeps_the_cached_view() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();
        let keyed = ScheduleReminderRequest {
            dedupe_key: "birthday-2026".into(),
            ..care(id, 2)
        };
        let first = schedule(&suite, keyed.clone()).await;
        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(
            ids(&shown.next_reminders),
            [first.reminder_id.as_str()],
            "[{label}]"
        );
        // The dedupe key matches: nothing is written, and the cached view still holds.
        let again = schedule(&suite, keyed).await;
        assert_eq!(again.reminder_id, first.reminder_id, "[{label}]");
        assert_eq!(
            suite.customer_view(AGENT, id).await.compose_time,
            shown.compose_time,
            "[{label}] a schedule that wrote nothing makes nothing stale"
        );
    }
}

#[tokio::test]
async fn with_the_reminder_service_nowhere_the_view_still_answers() {
    for env in TestEnv::all().await {
        let label = env.label;
        let nowhere = closed_address().await;
        let options = Options {
            reminder_address: Some(format!("http://{nowhere}")),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(shown.unavailable_sections, ["next_reminders"], "[{label}]");
        assert!(shown.next_reminders.is_empty(), "[{label}]");
        assert_eq!(shown.customer.unwrap().customer_id, id, "[{label}]");
        assert!(shown.tier.is_some(), "[{label}] tiering still answers");
        // A view without its reminders is not cached: the next one is composed again.
        let again = suite.customer_view(AGENT, id).await;
        assert_ne!(again.compose_time, shown.compose_time, "[{label}]");
        assert_eq!(again.unavailable_sections, ["next_reminders"], "[{label}]");
    }
}
