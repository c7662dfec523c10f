//! When a message does not arrive: the provider down, the phone off, no receipt in time. The
//! same channel again after a backoff, then the next channel; an important reminder of a
//! PLATINUM customer that reached no channel becomes a task for the account manager.

use vipcare_reminder::dispatch::{DispatchError, DispatchPolicy};
use vipcare_reminder::domain::{
    ContactChannel, DeliveryOutcome, Reason, ReminderState, Touchpoint,
};
use vipcare_reminder::store::listing::{self, ReminderFilter};
use vipcare_testkit::webhook_sink::Reply;

use crate::harness::{Ask, World, carried, minutes, text, worlds};

/// Moves the clock to the reminder's planned time and runs a round.
async fn when_due(w: &World, d: &vipcare_reminder::dispatch::Dispatcher, id: &str) {
    let planned = w.record(id).await.reminder.planned_send_at;
    if planned > w.now() {
        w.clock.set(planned);
    }
    d.tick().await.unwrap();
}

#[tokio::test]
async fn a_provider_that_is_down_is_retried_then_the_next_channel_is_used() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        w.sms.reply(Reply::Status(503));
        let d = w.dispatcher();
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        d.tick().await.unwrap();
        let after_one = w.record(&r.id).await;
        assert_eq!(
            after_one.reminder.state,
            ReminderState::Scheduled,
            "{label}"
        );
        assert_eq!(w.last(&r.id).await.reason, Reason::ProviderUnavailable);
        // About a minute of backoff (half of it jitter), never sooner than half.
        let wait = after_one.reminder.planned_send_at - w.now();
        assert!(
            wait >= minutes(1) / 2 && wait <= minutes(1),
            "{label}: {wait}"
        );
        // Not before its time.
        d.tick().await.unwrap();
        assert_eq!(w.sms.count(), 1, "{label}");
        when_due(&w, &d, &r.id).await;
        when_due(&w, &d, &r.id).await;
        // Three SMS attempts failed: on to push at once.
        assert_eq!(w.sms.count(), 3, "{label}");
        assert_eq!(w.last(&r.id).await.reason, Reason::NextChannel, "{label}");
        d.tick().await.unwrap();
        let record = w.record(&r.id).await;
        assert_eq!(record.reminder.state, ReminderState::Sent, "{label}");
        assert_eq!(record.reminder.channel, Some(ContactChannel::AppPush));
        let channels: Vec<_> = record.attempts.iter().map(|a| a.channel).collect();
        use ContactChannel::{AppPush, Sms};
        assert_eq!(channels, [Sms, Sms, Sms, AppPush], "{label}");
        let pushed = w.push.received();
        assert_eq!(pushed.len(), 1);
        assert_eq!(text(&pushed[0]), "您的套餐已变更");
        // Each attempt its own key, each key sent once.
        let mut keys: Vec<_> = record
            .attempts
            .iter()
            .map(|a| a.idempotency_key.clone())
            .collect();
        keys.dedup();
        assert_eq!(keys.len(), 4, "{label}");
    }
}

#[tokio::test]
async fn an_unreachable_phone_is_tried_again_and_a_missing_receipt_counts_as_unreachable() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let d = w.dispatcher();
        let r = w
            .schedule(Ask::new(
                "c-1",
                Touchpoint::VasSubscription,
                "您已订购视频彩铃",
            ))
            .await;
        d.tick().await.unwrap();
        let first = w.record(&r.id).await.attempts[0].clone();
        // Phone off.
        let moved = d
            .report_delivery(
                &r.id,
                &first.attempt_id,
                DeliveryOutcome::FailedUnreachable,
                Some("phone off"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(moved.state, ReminderState::Scheduled, "{label}");
        assert_eq!(w.last(&r.id).await.reason, Reason::Retry);
        // The same receipt again changes nothing.
        let again = d
            .report_delivery(
                &r.id,
                &first.attempt_id,
                DeliveryOutcome::FailedUnreachable,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(again.changes, moved.changes, "{label}");
        when_due(&w, &d, &r.id).await;
        assert_eq!(w.sms.count(), 2, "{label}");
        // No receipt for the second attempt within the timeout: unreachable again.
        w.clock.advance(DispatchPolicy::default().receipt_timeout);
        d.tick().await.unwrap();
        let record = w.record(&r.id).await;
        assert_eq!(record.reminder.state, ReminderState::Scheduled, "{label}");
        assert_eq!(
            record.attempts[1].outcome,
            Some(DeliveryOutcome::NoReceipt),
            "{label}"
        );
        // The late receipt of the first attempt: the customer has it, the retry must not go.
        let late = d
            .report_delivery(
                &r.id,
                &first.attempt_id,
                DeliveryOutcome::Delivered,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            late.state,
            ReminderState::Scheduled,
            "{label}: the first attempt was settled"
        );
        let second = record.attempts[1].clone();
        let late = d
            .report_delivery(
                &r.id,
                &second.attempt_id,
                DeliveryOutcome::Delivered,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(late.state, ReminderState::Delivered, "{label}");
        when_due(&w, &d, &r.id).await;
        assert_eq!(w.sms.count(), 2, "{label}: nothing more was sent");
    }
}

#[tokio::test]
async fn receipts_that_name_nothing_or_no_outcome_are_refused() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let d = w.dispatcher();
        let r = w.schedule(Ask::new("c-1", Touchpoint::Care, "问候")).await;
        d.tick().await.unwrap();
        let unknown = d
            .report_delivery(
                "no-such-reminder",
                "a",
                DeliveryOutcome::Delivered,
                None,
                None,
            )
            .await;
        assert!(
            matches!(
                unknown,
                Err(DispatchError::NotFound {
                    kind: "reminder",
                    ..
                })
            ),
            "{label}"
        );
        let wrong = d
            .report_delivery(&r.id, "m-nothing", DeliveryOutcome::Delivered, None, None)
            .await;
        assert!(
            matches!(
                wrong,
                Err(DispatchError::NotFound {
                    kind: "attempt",
                    ..
                })
            ),
            "{label}"
        );
        let attempt = w.record(&r.id).await.attempts[0].attempt_id.clone();
        let refused = d
            .report_delivery(&r.id, &attempt, DeliveryOutcome::NoReceipt, None, None)
            .await;
        assert!(
            matches!(refused, Err(DispatchError::Invalid(v)) if v.field == "outcome"),
            "{label}"
        );
        assert_eq!(w.state(&r.id).await, ReminderState::Sent, "{label}");
    }
}

#[tokio::test]
async fn an_important_reminder_that_reached_no_channel_goes_to_the_account_manager() {
    for w in worlds().await {
        let label = w.label;
        for (id, tier) in [("c-plat", "PLATINUM"), ("c-gold", "GOLD")] {
            let mut contact = w.customer(id, tier);
            contact.channels = vec![ContactChannel::Sms];
            w.directory.put(contact);
        }
        // The SMS gateway refuses the number outright.
        w.sms.reply(Reply::Status(400));
        let d = w.dispatcher();
        let plan = w
            .schedule(Ask::new("c-plat", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        let care = w
            .schedule(Ask::new("c-plat", Touchpoint::Care, "问候"))
            .await;
        let gold = w
            .schedule(Ask::new("c-gold", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        d.tick().await.unwrap();
        for r in [&plan, &care, &gold] {
            assert_eq!(w.state(&r.id).await, ReminderState::Failed, "{label}");
            assert_eq!(w.last(&r.id).await.reason, Reason::AllChannelsFailed);
        }
        let tasks = listing::list(
            w.db.conn(),
            &ReminderFilter {
                staff_assignee: Some("am-9".into()),
                ..ReminderFilter::default()
            },
            "",
            10,
        )
        .await
        .unwrap()
        .reminders;
        // Only the PLATINUM customer's important one: not the greeting, not the GOLD customer's.
        assert_eq!(tasks.len(), 1, "{label}: {tasks:?}");
        let task = &tasks[0];
        assert_eq!(task.touchpoint, Touchpoint::StaffTask);
        assert_eq!(task.customer_id, "c-plat");
        assert_eq!(
            task.dedupe_key.as_deref(),
            Some(format!("escalation:{}", plan.id).as_str())
        );
        assert!(
            task.text.contains("套餐变更") && task.text.contains("c-plat"),
            "{}",
            task.text
        );
        // The task reaches the account manager's app.
        d.tick().await.unwrap();
        let posts = w.manager.received();
        assert_eq!(posts.len(), 1, "{label}");
        assert_eq!(carried(&posts[0]), [task.id.as_str()]);
        assert_eq!(
            posts[0]
                .json
                .as_ref()
                .and_then(|j| j.get("address"))
                .and_then(|a| a.as_str()),
            Some("am-9")
        );
    }
}
