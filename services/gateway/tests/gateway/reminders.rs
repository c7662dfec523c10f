//! The reminder service behind the gateway: clients with the reminder scopes schedule, read
//! and cancel through it; a client without them, and anyone at all for the service-to-service
//! NotifyTierChange, is turned away before the service sees the call.

use std::collections::BTreeMap;

use tonic::Code;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1::{
    CancelReminderRequest, GetReminderRequest, ListTouchpointRulesRequest, NotifyTierChangeRequest,
    ReminderState, ScheduleReminderRequest, cancel_reminder_request,
};
use vipcare_testkit::TestEnv;

use crate::support::{ADMIN, AGENT, HOTLINE, Suite};

fn birthday(customer_id: &str) -> ScheduleReminderRequest {
    ScheduleReminderRequest {
        customer_id: customer_id.to_owned(),
        touchpoint: Touchpoint::Care as i32,
        variables: BTreeMap::from([("CUSTOMER_NAME".to_owned(), "张先生".to_owned())]),
        // A week ahead: nothing dispatches it while the test looks.
        send_at: Some(prost_types::Timestamp {
            seconds: chrono::Utc::now().timestamp() + 7 * 86_400,
            nanos: 0,
        }),
        ..ScheduleReminderRequest::default()
    }
}

#[tokio::test]
async fn reminders_are_scheduled_read_and_cancelled_through_the_gateway() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let mut reminders = suite.reminder(AGENT);

        let scheduled = reminders
            .schedule_reminder(birthday(&customer.customer_id))
            .await
            .unwrap_or_else(|s| panic!("[{label}] ScheduleReminder: {s:?}"))
            .into_inner()
            .reminder
            .expect("the reminder");
        assert_eq!(scheduled.state(), ReminderState::Scheduled, "[{label}]");
        assert!(
            scheduled.text.contains("张先生"),
            "[{label}] rendered: {}",
            scheduled.text
        );

        let read = reminders
            .get_reminder(GetReminderRequest {
                reminder_id: scheduled.reminder_id.clone(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] GetReminder: {s:?}"))
            .into_inner();
        assert_eq!(
            read.reminder.map(|r| r.reminder_id),
            Some(scheduled.reminder_id.clone()),
            "[{label}]"
        );

        let cancelled = reminders
            .cancel_reminder(CancelReminderRequest {
                reminder: Some(cancel_reminder_request::Reminder::ReminderId(
                    scheduled.reminder_id.clone(),
                )),
                ..CancelReminderRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] CancelReminder: {s:?}"))
            .into_inner();
        assert_eq!(
            cancelled.reminder.map(|r| r.state()),
            Some(ReminderState::Cancelled),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn reminder_calls_need_their_scopes_and_notify_tier_change_is_closed() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let rules = suite
            .reminder(AGENT)
            .list_touchpoint_rules(ListTouchpointRulesRequest::default())
            .await
            .unwrap_or_else(|s| panic!("[{label}] ListTouchpointRules: {s:?}"))
            .into_inner();
        assert_eq!(rules.rules.len(), 15, "[{label}] every touchpoint's rule");

        let refused = suite
            .reminder(HOTLINE)
            .schedule_reminder(birthday("0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f"))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::PermissionDenied, "[{label}]");

        let closed = suite
            .reminder(ADMIN)
            .notify_tier_change(NotifyTierChangeRequest::default())
            .await
            .unwrap_err();
        assert_eq!(
            closed.code(),
            Code::PermissionDenied,
            "[{label}] only tiering tells tier changes, service to service"
        );
    }
}
