//! CancelReminder: a waiting reminder is cancelled by id or by the customer's dedupe key, the
//! reason kept in its history; one that has already ended is FAILED_PRECONDITION naming the
//! state it is in, and stays as it was.

use tonic::Code;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::cancel_reminder_request::Reminder as Which;

use crate::harness::*;

fn cancel(which: Which, customer_id: &str) -> pb::CancelReminderRequest {
    pb::CancelReminderRequest {
        reminder: Some(which),
        customer_id: customer_id.into(),
        reason: "客户已来电确认".into(),
        request_id: String::new(),
    }
}

#[tokio::test]
async fn a_waiting_reminder_is_cancelled_by_id_once() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.send_at = Some(hours_from_now(3));
        let id = suite.schedule(request).await.reminder.unwrap().reminder_id;
        let cancelled = suite
            .reminder
            .cancel_reminder(cancel(Which::ReminderId(id.clone()), ""))
            .await
            .unwrap_or_else(|s| panic!("[{label}] cancel: {s:?}"))
            .into_inner()
            .reminder
            .unwrap();
        assert_eq!(state(&cancelled), pb::ReminderState::Cancelled, "[{label}]");
        let history = suite.get(&id).await.history;
        assert_eq!(history.len(), 2, "[{label}] {history:?}");
        assert_eq!(
            history[1].state,
            pb::ReminderState::Cancelled as i32,
            "[{label}]"
        );
        assert!(
            history[1].reason.contains("客户已来电确认"),
            "[{label}] {history:?}"
        );

        let again = suite
            .reminder
            .cancel_reminder(cancel(Which::ReminderId(id.clone()), ""))
            .await;
        assert_eq!(refusal(again), "REMINDER_CANCELLED", "[{label}]");
        assert_eq!(suite.get(&id).await.history.len(), 2, "[{label}] unchanged");
    }
}

#[tokio::test]
async fn a_reminder_is_cancelled_by_the_customers_dedupe_key() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let other = suite.customer().await;
        let mut request = plan_change(&customer);
        request.send_at = Some(hours_from_now(3));
        request.dedupe_key = "plan-order-9".into();
        let id = suite.schedule(request).await.reminder.unwrap().reminder_id;

        // Another customer's key of the same text names nothing of theirs.
        let wrong = suite
            .reminder
            .cancel_reminder(cancel(Which::DedupeKey("plan-order-9".into()), &other))
            .await;
        assert_eq!(code(wrong), Code::NotFound, "[{label}]");
        let no_customer = suite
            .reminder
            .cancel_reminder(cancel(Which::DedupeKey("plan-order-9".into()), ""))
            .await;
        assert_invalid(label, no_customer, "customer_id");

        let cancelled = suite
            .reminder
            .cancel_reminder(cancel(Which::DedupeKey("plan-order-9".into()), &customer))
            .await
            .unwrap()
            .into_inner()
            .reminder
            .unwrap();
        assert_eq!(cancelled.reminder_id, id, "[{label}]");
        assert_eq!(state(&cancelled), pb::ReminderState::Cancelled, "[{label}]");
    }
}

#[tokio::test]
async fn cancelling_nothing_is_refused() {
    for mut suite in suites().await {
        let label = suite.label;
        let unknown = suite
            .reminder
            .cancel_reminder(cancel(Which::ReminderId("no-such-reminder".into()), ""))
            .await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
        let neither = suite
            .reminder
            .cancel_reminder(pb::CancelReminderRequest::default())
            .await;
        assert_invalid(label, neither, "reminder_id");
        let missing = suite
            .reminder
            .get_reminder(pb::GetReminderRequest {
                reminder_id: "no-such-reminder".into(),
            })
            .await;
        assert_eq!(code(missing), Code::NotFound, "[{label}]");
    }
}
