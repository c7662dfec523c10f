//! What reaches the phone: merged messages in priority order (DOMAIN.md's account opening), one
//! idempotency key per message that the provider sees, and channels that give no receipts.

use std::sync::Arc;

use vipcare_reminder::channel::{Channels, IDEMPOTENCY_KEY};
use vipcare_reminder::dispatch::{DispatchPolicy, Dispatcher};
use vipcare_reminder::domain::{ContactChannel, Reason, ReminderState, Touchpoint};

use crate::harness::{Ask, carried, minutes, text, worlds};

#[tokio::test]
async fn the_account_opening_arrives_as_one_message_in_the_redesigned_order() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-new", "SILVER");
        w.customer("c-other", "SILVER");
        // The billing system's events arrive in any order, over a few minutes.
        let now = w.now();
        let survey = w
            .schedule(
                Ask::new(
                    "c-new",
                    Touchpoint::SurveyInvitation,
                    "请为开户服务打分:回复1-5",
                )
                .at(now),
            )
            .await;
        let topup = w
            .schedule(
                Ask::new("c-new", Touchpoint::LowBalance, "您已成功充值100元").at(now + minutes(1)),
            )
            .await;
        let tariff = w
            .schedule(
                Ask::new(
                    "c-new",
                    Touchpoint::AccountOpening,
                    "您的套餐是5G畅享套餐,月费128元",
                )
                .at(now + minutes(2)),
            )
            .await;
        let promo = w
            .schedule(
                Ask::new("c-new", Touchpoint::TopupRebate, "充100返50,分5个月返还")
                    .at(now + minutes(3)),
            )
            .await;
        let other = w
            .schedule(Ask::new("c-other", Touchpoint::Care, "生日快乐").at(now + minutes(3)))
            .await;
        w.clock.advance(minutes(3));
        assert_eq!(w.dispatcher().tick().await.unwrap(), 5, "{label}");

        let posts = w.sms.received();
        assert_eq!(posts.len(), 2, "{label}: one message per customer");
        let mine = posts
            .iter()
            .find(|p| carried(p).contains(&tariff.id))
            .expect("the new customer's message");
        assert_eq!(
            text(mine),
            "您的套餐是5G畅享套餐,月费128元\n充100返50,分5个月返还\n您已成功充值100元\n请为开户服务打分:回复1-5",
            "{label}: tariff, promotion, top-up, survey"
        );
        assert_eq!(
            carried(mine),
            [&tariff.id, &promo.id, &topup.id, &survey.id].map(String::clone),
            "{label}"
        );
        // The provider sees the message's key; all four reminders were sent under it.
        let key = mine.header(IDEMPOTENCY_KEY).expect("a key").to_owned();
        for r in [&tariff, &promo, &topup, &survey] {
            let record = w.record(&r.id).await;
            assert_eq!(record.reminder.state, ReminderState::Sent, "{label}");
            assert_eq!(record.reminder.message_id.as_deref(), Some(key.as_str()));
            assert_eq!(record.attempts.len(), 1);
            assert_eq!(record.attempts[0].idempotency_key, key, "{label}");
            assert_eq!(record.attempts[0].channel, ContactChannel::Sms);
        }
        assert_eq!(w.state(&other.id).await, ReminderState::Sent, "{label}");
        // A receipt quoting the message delivers the reminder it names.
        let done = w
            .dispatcher()
            .report_delivery(
                &promo.id,
                &key,
                vipcare_reminder::domain::DeliveryOutcome::Delivered,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(done.state, ReminderState::Delivered, "{label}");
        assert_eq!(w.state(&tariff.id).await, ReminderState::Sent);
    }
}

#[tokio::test]
async fn a_channel_without_receipts_delivers_at_once() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        // Every channel logs: the embedded default.
        let dispatcher = Dispatcher::new(
            w.db.clone(),
            Arc::new(Channels::default()),
            w.directory.clone(),
            w.clock.clone(),
            DispatchPolicy::default(),
        );
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        dispatcher.tick().await.unwrap();
        let record = w.record(&r.id).await;
        assert_eq!(record.reminder.state, ReminderState::Delivered, "{label}");
        let reasons: Vec<_> = record.history.iter().map(|h| h.reason).collect();
        assert_eq!(
            reasons,
            [
                Reason::Created,
                Reason::Due,
                Reason::ProviderAccepted,
                Reason::DeliveryReceipt
            ],
            "{label}"
        );
        assert_eq!(
            record.attempts[0].outcome,
            Some(vipcare_reminder::domain::DeliveryOutcome::Delivered)
        );
        // Nothing waits for a receipt, so nothing is retried later.
        w.clock.advance(minutes(30));
        assert_eq!(dispatcher.tick().await.unwrap(), 0, "{label}");
    }
}
