//! request_id on ScheduleReminder and CancelReminder: a repeat answers the first result and
//! does nothing twice, concurrent repeats act once, a key reused with another request is
//! INVALID_ARGUMENT on `request_id` and stores nothing, and keys belong to the calling client.

use futures::future::join_all;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::cancel_reminder_request::Reminder as Which;

use crate::harness::*;

#[tokio::test]
async fn a_repeated_schedule_answers_the_first_reminder() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.request_id = "hall-7-req-1".into();
        let first = suite.schedule(request.clone()).await;
        let again = suite.schedule(request.clone()).await;
        assert_eq!(again, first, "[{label}]");
        assert_eq!(suite.reminders_of(&customer).await.len(), 1, "[{label}]");

        // The same key with another request is refused and stores nothing.
        request
            .variables
            .insert("PLAN_NAME".into(), "尊享套餐".into());
        let reused = suite
            .reminder
            .schedule_reminder(by_clerk(request.clone()))
            .await;
        assert_invalid(label, reused, "request_id");
        assert_eq!(suite.reminders_of(&customer).await.len(), 1, "[{label}]");

        // Another client's key of the same text is its own.
        let web = Caller::new("web-hall", "web", &["reminder:write"]);
        suite
            .reminder
            .schedule_reminder(as_caller(&web, request))
            .await
            .unwrap_or_else(|s| panic!("[{label}] another client's key: {s:?}"));
        assert_eq!(suite.reminders_of(&customer).await.len(), 2, "[{label}]");
    }
}

#[tokio::test]
async fn concurrent_schedules_with_one_key_store_one_reminder() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.request_id = "burst-1".into();
        request.send_at = Some(hours_from_now(1));
        let calls = (0..8).map(|_| {
            let mut client = suite.reminder.clone();
            let request = by_clerk(request.clone());
            async move { client.schedule_reminder(request).await }
        });
        let answers: Vec<pb::ScheduleReminderResponse> = join_all(calls)
            .await
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|s| panic!("[{label}] every call answers: {s:?}"))
                    .into_inner()
            })
            .collect();
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "[{label}] one answer for all"
        );
        assert_eq!(suite.reminders_of(&customer).await.len(), 1, "[{label}]");
    }
}

#[tokio::test]
async fn a_repeated_cancel_answers_the_first_result() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.send_at = Some(hours_from_now(2));
        let id = suite.schedule(request).await.reminder.unwrap().reminder_id;
        let cancel = pb::CancelReminderRequest {
            reminder: Some(Which::ReminderId(id.clone())),
            reason: "duplicate order".into(),
            request_id: "cancel-1".into(),
            ..Default::default()
        };
        let first = suite
            .reminder
            .cancel_reminder(by_clerk(cancel.clone()))
            .await
            .unwrap()
            .into_inner();
        // A retry after a lost answer gets the answer, not "already cancelled".
        let again = suite
            .reminder
            .cancel_reminder(by_clerk(cancel))
            .await
            .unwrap_or_else(|s| panic!("[{label}] repeat: {s:?}"))
            .into_inner();
        assert_eq!(again, first, "[{label}]");
        assert_eq!(suite.get(&id).await.history.len(), 2, "[{label}]");
    }
}
