//! A reminder's whole story through the service: sent when due, its attempt and every change
//! of state shown by GetReminder, confirmed by the provider's receipt (ReportDelivery, whose
//! repeats change nothing), and counted by GetDeliveryStats.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::reminder::v1 as pb;

use crate::harness::*;

fn receipt(
    r: &pb::Reminder,
    attempt_id: &str,
    outcome: pb::DeliveryOutcome,
) -> pb::ReportDeliveryRequest {
    pb::ReportDeliveryRequest {
        reminder_id: r.reminder_id.clone(),
        attempt_id: attempt_id.into(),
        outcome: outcome as i32,
        detail: "DELIVRD".into(),
        report_time: None,
    }
}

#[tokio::test]
async fn a_due_reminder_is_sent_and_its_receipt_ends_it_delivered() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let mut request = plan_change(&customer);
        request.send_at = Some(hours_from_now(1));
        let r = suite.schedule(request).await.reminder.unwrap();
        suite.dispatch().await;
        assert_eq!(
            suite.sms.count(),
            0,
            "[{label}] nothing goes before its time"
        );

        suite.advance_and_dispatch(TimeDelta::hours(1)).await;
        assert_eq!(
            suite.sms.count(),
            1,
            "[{label}] the provider got the message"
        );
        let sent = suite.get(&r.reminder_id).await;
        let reminder = sent.reminder.unwrap();
        assert_eq!(state(&reminder), pb::ReminderState::Sent, "[{label}]");
        assert_eq!(sent.attempts.len(), 1, "[{label}]");
        let attempt = &sent.attempts[0];
        assert_eq!(attempt.number, 1, "[{label}]");
        assert_eq!(attempt.outcome, 0, "[{label}] waiting for the receipt");
        let posted = suite.sms.received()[0].json.clone().unwrap_or_default();
        assert_eq!(
            posted["text"].as_str(),
            Some(reminder.text.as_str()),
            "[{label}] the provider got the text"
        );
        assert_eq!(
            posted["attempt_id"].as_str(),
            Some(attempt.attempt_id.as_str()),
            "[{label}]"
        );

        let delivered = suite
            .reminder
            .report_delivery(receipt(
                &reminder,
                &attempt.attempt_id,
                pb::DeliveryOutcome::Delivered,
            ))
            .await
            .unwrap_or_else(|s| panic!("[{label}] receipt: {s:?}"))
            .into_inner()
            .reminder
            .unwrap();
        assert_eq!(state(&delivered), pb::ReminderState::Delivered, "[{label}]");
        let repeat = suite
            .reminder
            .report_delivery(receipt(
                &reminder,
                &attempt.attempt_id,
                pb::DeliveryOutcome::Delivered,
            ))
            .await
            .unwrap()
            .into_inner()
            .reminder
            .unwrap();
        assert_eq!(
            repeat, delivered,
            "[{label}] a repeated receipt changes nothing"
        );

        let story = suite.get(&r.reminder_id).await;
        let states: Vec<i32> = story.history.iter().map(|h| h.state).collect();
        assert_eq!(
            states,
            [
                pb::ReminderState::Scheduled as i32,
                pb::ReminderState::Dispatching as i32,
                pb::ReminderState::Sent as i32,
                pb::ReminderState::Delivered as i32,
            ],
            "[{label}] {:?}",
            story.history
        );
        assert_eq!(
            story.attempts[0].outcome,
            pb::DeliveryOutcome::Delivered as i32,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn receipts_without_their_facts_are_refused() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let r = suite
            .schedule(plan_change(&customer))
            .await
            .reminder
            .unwrap();
        let unspecified = suite
            .reminder
            .report_delivery(receipt(&r, "a-1", pb::DeliveryOutcome::Unspecified))
            .await;
        assert_invalid(label, unspecified, "outcome");
        let no_attempt = suite
            .reminder
            .report_delivery(receipt(&r, "", pb::DeliveryOutcome::Delivered))
            .await;
        assert_invalid(label, no_attempt, "attempt_id");
        let unknown = suite
            .reminder
            .report_delivery(receipt(
                &r,
                "no-such-attempt",
                pb::DeliveryOutcome::Delivered,
            ))
            .await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn statistics_count_what_was_due_and_what_arrived() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let delivered = suite
            .schedule(plan_change(&customer))
            .await
            .reminder
            .unwrap();
        let mut waiting = plan_change(&customer);
        waiting.send_at = Some(hours_from_now(2));
        suite.schedule(waiting).await;
        suite.dispatch().await;
        let attempt = suite.get(&delivered.reminder_id).await.attempts[0].clone();
        suite.clock.advance(TimeDelta::seconds(90));
        suite
            .reminder
            .report_delivery(receipt(
                &delivered,
                &attempt.attempt_id,
                pb::DeliveryOutcome::Delivered,
            ))
            .await
            .unwrap();

        let stats = suite
            .reminder
            .get_delivery_stats(pb::GetDeliveryStatsRequest {
                start_time: Some(hours_from_now(-1)),
                end_time: Some(hours_from_now(24)),
                group_by: pb::StatsGrouping::Channel as i32,
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] stats: {s:?}"))
            .into_inner();
        let total = stats.total.unwrap();
        assert_eq!(
            (total.scheduled, total.sent, total.delivered),
            (2, 1, 1),
            "[{label}]"
        );
        assert!(
            (total.arrival_rate - 0.5).abs() < 1e-9,
            "[{label}] {total:?}"
        );
        assert_eq!(total.timeliness_p50.unwrap().seconds, 90, "[{label}]");
        let channels: Vec<(i32, i64)> = stats
            .groups
            .iter()
            .map(|g| (g.channel, g.scheduled))
            .collect();
        assert_eq!(
            channels,
            [(0, 1), (1, 1)],
            "[{label}] never attempted, then SMS"
        );

        let backwards = suite
            .reminder
            .get_delivery_stats(pb::GetDeliveryStatsRequest {
                start_time: Some(hours_from_now(1)),
                end_time: Some(hours_from_now(0)),
                group_by: 0,
            })
            .await;
        assert_invalid(label, backwards, "end_time");
        let open = suite
            .reminder
            .get_delivery_stats(pb::GetDeliveryStatsRequest::default())
            .await;
        assert_eq!(code(open), Code::InvalidArgument, "[{label}]");
    }
}
