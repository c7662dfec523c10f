//! ScheduleReminder: a reminder for a known customer is rendered at once from the touchpoint's
//! default template (or the one named) and waits for its send time; every refusal names its
//! field or resource and stores nothing; a dedupe key already used returns that reminder;
//! calls made at the same moment (stored together) are each answered as if made alone.

use tonic::Code;
use tonic_types::StatusExt;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;

use crate::harness::*;

#[tokio::test]
async fn a_reminder_is_rendered_and_planned_for_its_send_time() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.send_at = Some(hours_from_now(2));
        let scheduled = suite.schedule(request).await;
        assert!(!scheduled.deduplicated, "[{label}]");
        let r = scheduled.reminder.unwrap();
        assert_eq!(state(&r), pb::ReminderState::Scheduled, "[{label}]");
        assert_eq!(
            r.template_code, "plan_change.accepted.sms.zh-cn",
            "[{label}]"
        );
        assert!(
            r.text.contains("畅享套餐") && !r.text.contains('%'),
            "[{label}] {}",
            r.text
        );
        assert_eq!(r.planned_send_at, Some(hours_from_now(2)), "[{label}]");
        // The plan-change rule: priority 30, stale a day after its send time.
        assert_eq!(r.priority, 30, "[{label}]");
        assert_eq!(r.deadline, Some(hours_from_now(26)), "[{label}]");
        assert_eq!(r.client, "hall-7", "[{label}]");

        let record = suite.get(&r.reminder_id).await;
        assert_eq!(record.reminder.unwrap(), r, "[{label}]");
        let history: Vec<i32> = record.history.iter().map(|h| h.state).collect();
        assert_eq!(history, [pb::ReminderState::Scheduled as i32], "[{label}]");
        assert!(record.attempts.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn refusals_name_the_field_or_resource_and_store_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;

        let unknown = suite
            .reminder
            .schedule_reminder(plan_change("no-such-customer"))
            .await;
        let status = unknown.expect_err("an unknown customer is refused");
        assert_eq!(status.code(), Code::NotFound, "[{label}]");
        let info = status.get_details_resource_info().expect("ResourceInfo");
        assert_eq!(
            (info.resource_type.as_str(), info.resource_name.as_str()),
            ("customer", "no-such-customer"),
            "[{label}]"
        );

        let mut no_template = plan_change(&customer);
        no_template.template_code = "plan_change.nothing.sms.zh-cn".into();
        let refused = suite.reminder.schedule_reminder(no_template).await;
        assert_eq!(code(refused), Code::NotFound, "[{label}]");

        let mut other_touchpoint = plan_change(&customer);
        other_touchpoint.template_code = "care.birthday.sms.zh-cn".into();
        let refused = suite.reminder.schedule_reminder(other_touchpoint).await;
        assert_invalid(label, refused, "template_code");

        let mut missing = plan_change(&customer);
        missing.variables.remove("PLAN_DESC");
        let refused = suite.reminder.schedule_reminder(missing).await;
        assert_invalid(label, refused, "variables.PLAN_DESC");

        let mut too_late = plan_change(&customer);
        too_late.send_at = Some(hours_from_now(5));
        too_late.deadline = Some(hours_from_now(4));
        let refused = suite.reminder.schedule_reminder(too_late).await;
        assert_invalid(label, refused, "deadline");

        let mut bad_touchpoint = plan_change(&customer);
        bad_touchpoint.touchpoint = 99;
        let refused = suite.reminder.schedule_reminder(bad_touchpoint).await;
        assert_invalid(label, refused, "touchpoint");

        let mut too_many = plan_change(&customer);
        too_many
            .variables
            .extend((0..40).map(|i| (format!("EXTRA_{i}"), "x".to_owned())));
        let refused = suite.reminder.schedule_reminder(too_many).await;
        assert_invalid(label, refused, "variables");

        let mut task = plan_change(&customer);
        task.staff_assignee = "am-7".into();
        let refused = suite.reminder.schedule_reminder(task).await;
        assert_invalid(label, refused, "staff_assignee");

        assert!(
            suite.reminders_of(&customer).await.is_empty(),
            "[{label}] nothing was stored"
        );
        assert!(
            suite.reminders_of("no-such-customer").await.is_empty(),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_dedupe_key_used_before_returns_that_reminder() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.dedupe_key = "order-2026-0042".into();
        request.send_at = Some(hours_from_now(1));
        let first = suite.schedule(request.clone()).await;
        // Another request (a later send time) with the same key: nothing new.
        request.send_at = Some(hours_from_now(3));
        let second = suite.schedule(request).await;
        assert!(second.deduplicated, "[{label}]");
        assert_eq!(second.reminder, first.reminder, "[{label}]");
        assert_eq!(suite.reminders_of(&customer).await.len(), 1, "[{label}]");
    }
}

#[tokio::test]
async fn calls_made_at_once_are_each_answered_as_if_made_alone() {
    for mut suite in suites().await {
        let label = suite.label;
        let (keyed, superseding, plain) = (
            suite.customer().await,
            suite.customer().await,
            suite.customer().await,
        );
        let mut requests = Vec::new();
        for _ in 0..20 {
            let mut same_key = plan_change(&keyed);
            same_key.dedupe_key = "order-2026-0077".into();
            requests.push(same_key);
            requests.push(data_usage(&superseding, "80"));
            requests.push(plan_change(&plain));
        }
        requests.push(plan_change("no-such-customer"));
        let calls = requests.into_iter().map(|request| {
            let mut client = suite.reminder.clone();
            async move { client.schedule_reminder(by_clerk(request)).await }
        });
        let answers = futures::future::join_all(calls).await;
        let (last, answers) = answers.split_last().unwrap();
        assert_eq!(
            last.as_ref().map_err(|s| s.code()).err(),
            Some(Code::NotFound),
            "[{label}] the unknown customer alone is refused"
        );
        let answers: Vec<pb::ScheduleReminderResponse> = answers
            .iter()
            .map(|a| {
                a.as_ref()
                    .expect("each known customer's call is stored")
                    .get_ref()
                    .clone()
            })
            .collect();
        let of = |customer: &str| -> Vec<&pb::ScheduleReminderResponse> {
            let mine = |a: &&pb::ScheduleReminderResponse| {
                a.reminder
                    .as_ref()
                    .is_some_and(|r| r.customer_id == customer)
            };
            answers.iter().filter(mine).collect()
        };
        // One dedupe key: one reminder, and every call answered with it.
        let keyed_answers = of(&keyed);
        assert_eq!(keyed_answers.len(), 20, "[{label}]");
        let created: Vec<_> = keyed_answers.iter().filter(|a| !a.deduplicated).collect();
        assert_eq!(
            created.len(),
            1,
            "[{label}] one call creates, the others find it"
        );
        let id = &created[0].reminder.as_ref().unwrap().reminder_id;
        assert!(
            keyed_answers
                .iter()
                .all(|a| &a.reminder.as_ref().unwrap().reminder_id == id),
            "[{label}] every call holding the key gets the same reminder"
        );
        assert_eq!(suite.reminders_of(&keyed).await.len(), 1, "[{label}]");
        // Superseding alerts: each stored, only the last one stored still waits.
        let stored = suite.reminders_of(&superseding).await;
        assert_eq!(stored.len(), 20, "[{label}]");
        let waiting: Vec<_> = stored
            .iter()
            .filter(|r| state(r) == pb::ReminderState::Scheduled)
            .collect();
        assert_eq!(
            waiting.len(),
            1,
            "[{label}] one alert waits, the older ones are superseded"
        );
        let ids: Vec<&str> = stored.iter().map(|r| r.reminder_id.as_str()).collect();
        assert!(
            stored
                .iter()
                .filter(|r| r.reminder_id != waiting[0].reminder_id)
                .all(|r| state(r) == pb::ReminderState::Superseded
                    && ids.contains(&r.superseded_by.as_str())
                    && r.superseded_by != r.reminder_id),
            "[{label}] every older alert names a newer one that replaced it"
        );
        // No key: every call its own reminder.
        let plain_answers = of(&plain);
        assert_eq!(plain_answers.len(), 20, "[{label}]");
        assert!(plain_answers.iter().all(|a| !a.deduplicated), "[{label}]");
        assert_eq!(suite.reminders_of(&plain).await.len(), 20, "[{label}]");
    }
}

/// A data usage alert (a superseding touchpoint) at `percent` of the quota.
fn data_usage(customer: &str, percent: &str) -> pb::ScheduleReminderRequest {
    pb::ScheduleReminderRequest {
        customer_id: customer.to_owned(),
        touchpoint: common::Touchpoint::DataUsageAlert as i32,
        variables: [
            ("USED_PERCENT", percent),
            ("USED", "8GB"),
            ("REMAINING", "2GB"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        send_at: Some(hours_from_now(1)),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_newer_data_usage_alert_supersedes_the_pending_one() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let usage = |percent: &str| data_usage(&customer, percent);
        let older = suite.schedule(usage("80")).await.reminder.unwrap();
        let newer = suite.schedule(usage("100")).await.reminder.unwrap();
        let older = suite.get(&older.reminder_id).await.reminder.unwrap();
        assert_eq!(state(&older), pb::ReminderState::Superseded, "[{label}]");
        assert_eq!(older.superseded_by, newer.reminder_id, "[{label}]");
        assert_eq!(state(&newer), pb::ReminderState::Scheduled, "[{label}]");
    }
}

#[tokio::test]
async fn a_staff_task_goes_to_its_assignee_by_the_staff_template() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let request = pb::ScheduleReminderRequest {
            customer_id: customer.clone(),
            touchpoint: common::Touchpoint::StaffTask as i32,
            variables: [
                ("CUSTOMER_NAME", "王先生"),
                ("CUSTOMER_ID", customer.as_str()),
                ("TASK", "回访话费异常"),
                ("DUE_TIME", "今天18:00"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            send_at: Some(hours_from_now(1)),
            staff_assignee: "am-7".into(),
            ..Default::default()
        };
        let task = suite.schedule(request.clone()).await.reminder.unwrap();
        assert_eq!(task.staff_assignee, "am-7", "[{label}]");
        assert_eq!(
            task.template_code, "staff_task.task.account_manager.zh-cn",
            "[{label}]"
        );
        let mut unassigned = request;
        unassigned.staff_assignee.clear();
        let refused = suite.reminder.schedule_reminder(unassigned).await;
        assert_invalid(label, refused, "staff_assignee");
    }
}
