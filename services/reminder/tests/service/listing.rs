//! ListReminders: a customer's (or a member of staff's) reminders, earliest planned send first,
//! in pages that neither repeat nor skip; filtered by state and touchpoint.

use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::cancel_reminder_request::Reminder as Which;

use crate::harness::*;

async fn page(
    suite: &mut Suite,
    request: pb::ListRemindersRequest,
) -> Result<pb::ListRemindersResponse, tonic::Status> {
    suite
        .reminder
        .list_reminders(request)
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn pages_come_in_planned_order_without_repeats() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut ids_by_hour = Vec::new();
        // Scheduled out of order; listed by planned send time.
        for hour in [5, 1, 4, 2, 3] {
            let mut request = plan_change(&customer);
            request.send_at = Some(hours_from_now(hour));
            let id = suite.schedule(request).await.reminder.unwrap().reminder_id;
            ids_by_hour.push((hour, id));
        }
        ids_by_hour.sort();
        let expected: Vec<String> = ids_by_hour.into_iter().map(|(_, id)| id).collect();

        let mut seen = Vec::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let answer = page(
                &mut suite,
                pb::ListRemindersRequest {
                    customer_id: customer.clone(),
                    page_size: 2,
                    page_token: token,
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|s| panic!("[{label}] list: {s:?}"));
            pages += 1;
            assert!(answer.reminders.len() <= 2, "[{label}]");
            seen.extend(answer.reminders.into_iter().map(|r| r.reminder_id));
            token = answer.next_page_token;
            if token.is_empty() {
                break;
            }
        }
        assert_eq!(seen, expected, "[{label}]");
        assert_eq!(pages, 3, "[{label}]");
    }
}

#[tokio::test]
async fn lists_filter_by_state_touchpoint_and_assignee() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.send_at = Some(hours_from_now(2));
        let kept = suite.schedule(request.clone()).await.reminder.unwrap();
        let dropped = suite.schedule(request).await.reminder.unwrap();
        suite
            .reminder
            .cancel_reminder(pb::CancelReminderRequest {
                reminder: Some(Which::ReminderId(dropped.reminder_id.clone())),
                ..Default::default()
            })
            .await
            .unwrap();

        let waiting = page(
            &mut suite,
            pb::ListRemindersRequest {
                customer_id: customer.clone(),
                states: vec![pb::ReminderState::Scheduled as i32],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ids: Vec<_> = waiting
            .reminders
            .iter()
            .map(|r| r.reminder_id.clone())
            .collect();
        assert_eq!(ids, [kept.reminder_id], "[{label}]");

        let care = page(
            &mut suite,
            pb::ListRemindersRequest {
                customer_id: customer.clone(),
                touchpoint: common::Touchpoint::Care as i32,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(care.reminders.is_empty(), "[{label}]");

        let nobody = page(&mut suite, pb::ListRemindersRequest::default()).await;
        assert_invalid(label, nobody, "customer_id");
        let foreign = page(
            &mut suite,
            pb::ListRemindersRequest {
                customer_id: customer.clone(),
                page_token: "bm90LW91cnM".into(),
                ..Default::default()
            },
        )
        .await;
        assert_invalid(label, foreign, "page_token");
        let unspecified = page(
            &mut suite,
            pb::ListRemindersRequest {
                customer_id: customer,
                states: vec![0],
                ..Default::default()
            },
        )
        .await;
        assert_invalid(label, unspecified, "states");
    }
}

#[tokio::test]
async fn a_member_of_staff_lists_their_tasks() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let task = |assignee: &str| pb::ScheduleReminderRequest {
            customer_id: customer.clone(),
            touchpoint: common::Touchpoint::StaffTask as i32,
            variables: [
                ("CUSTOMER_NAME", "王先生"),
                ("CUSTOMER_ID", customer.as_str()),
                ("TASK", "上门回访"),
                ("DUE_TIME", "周五"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            send_at: Some(hours_from_now(1)),
            staff_assignee: assignee.into(),
            ..Default::default()
        };
        let mine = suite.schedule(task("am-7")).await.reminder.unwrap();
        suite.schedule(task("am-8")).await;
        let listed = page(
            &mut suite,
            pb::ListRemindersRequest {
                staff_assignee: "am-7".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ids: Vec<_> = listed
            .reminders
            .iter()
            .map(|r| r.reminder_id.clone())
            .collect();
        assert_eq!(ids, [mine.reminder_id], "[{label}]");
    }
}
