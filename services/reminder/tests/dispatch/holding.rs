//! What holds a reminder back: quiet hours (on the clock of the country the customer is in),
//! the deadline, the customer's opt-outs and the daily cap — and what breaks through them.

use std::sync::Arc;

use vipcare_reminder::dispatch::DispatchPolicy;
use vipcare_reminder::domain::{DailyCap, DeliveryOutcome, Reason, ReminderState, Touchpoint};

use crate::harness::{Ask, FixedZones, NIGHT, carried, minutes, t, text, worlds};

#[tokio::test]
async fn quiet_hours_defer_what_can_wait_and_expire_what_cannot() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        w.clock.set(t(NIGHT));
        let plan = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        let soon = w
            .schedule(
                Ask::new("c-1", Touchpoint::Care, "今晚的问候").deadline(t(NIGHT) + minutes(60)),
            )
            .await;
        let arrears = w
            .schedule(Ask::new(
                "c-1",
                Touchpoint::ArrearsSuspension,
                "您已欠费,明日停机",
            ))
            .await;
        let dispatcher = w.dispatcher();
        assert_eq!(dispatcher.tick().await.unwrap(), 3, "{label}");

        // Only the urgent one reached the phone at night.
        let posts = w.sms.received();
        assert_eq!(posts.len(), 1, "{label}");
        assert_eq!(carried(&posts[0]), [arrears.id.as_str()]);
        let record = w.record(&plan.id).await;
        assert_eq!(record.reminder.state, ReminderState::Deferred, "{label}");
        // 08:00 in Shanghai.
        assert_eq!(record.reminder.planned_send_at, t("2026-03-03T00:00:00Z"));
        assert_eq!(w.last(&plan.id).await.reason, Reason::QuietHours);
        assert_eq!(w.state(&soon.id).await, ReminderState::Expired, "{label}");
        assert_eq!(
            w.last(&soon.id).await.reason,
            Reason::QuietHoursPastDeadline
        );

        // The provider confirms the arrears notice arrived.
        let attempt = &w.record(&arrears.id).await.attempts[0];
        let delivered = dispatcher
            .report_delivery(
                &arrears.id,
                &attempt.attempt_id,
                DeliveryOutcome::Delivered,
                Some("ok"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(delivered.state, ReminderState::Delivered, "{label}");
        // A minute before the end of quiet hours nothing goes; at the end it does.
        w.clock.set(t("2026-03-02T23:59:00Z"));
        assert_eq!(dispatcher.tick().await.unwrap(), 0, "{label}");
        assert_eq!(w.sms.count(), 1);
        w.clock.set(t("2026-03-03T00:00:00Z"));
        assert_eq!(dispatcher.tick().await.unwrap(), 1, "{label}");
        let posts = w.sms.received();
        assert_eq!(posts.len(), 2, "{label}");
        assert_eq!(text(&posts[1]), "您的套餐已变更");
        assert_eq!(w.state(&plan.id).await, ReminderState::Sent, "{label}");
        assert_eq!(w.state(&soon.id).await, ReminderState::Expired);
    }
}

#[tokio::test]
async fn quiet_hours_follow_the_customer_abroad() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-home", "GOLD");
        w.customer("c-paris", "GOLD");
        let zones = FixedZones::default();
        zones
            .0
            .lock()
            .unwrap()
            .insert("c-paris".into(), "Europe/Paris".into());
        let dispatcher = w.dispatcher().with_roaming(Arc::new(zones));
        // 23:00 in Shanghai is 16:00 in Paris.
        w.clock.set(t(NIGHT));
        let home = w
            .schedule(Ask::new("c-home", Touchpoint::Care, "问候"))
            .await;
        let away = w
            .schedule(Ask::new(
                "c-paris",
                Touchpoint::InternationalRoaming,
                "欢迎来到法国",
            ))
            .await;
        dispatcher.tick().await.unwrap();
        assert_eq!(w.state(&home.id).await, ReminderState::Deferred, "{label}");
        assert_eq!(w.state(&away.id).await, ReminderState::Sent, "{label}");
        // 10:00 in Shanghai is 03:00 in Paris: now the traveller sleeps.
        w.clock.set(t("2026-03-03T02:00:00Z"));
        let later = w
            .schedule(Ask::new("c-paris", Touchpoint::Care, "问候"))
            .await;
        dispatcher.tick().await.unwrap();
        let record = w.record(&later.id).await;
        assert_eq!(record.reminder.state, ReminderState::Deferred, "{label}");
        // 08:00 in Paris.
        assert_eq!(record.reminder.planned_send_at, t("2026-03-03T07:00:00Z"));
        assert_eq!(w.state(&home.id).await, ReminderState::Sent, "{label}");
    }
}

#[tokio::test]
async fn a_reminder_past_its_deadline_is_never_sent() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let stale = w
            .schedule(
                Ask::new("c-1", Touchpoint::DataUsageAlert, "流量已用80%")
                    .deadline(t(crate::harness::MORNING) + minutes(30)),
            )
            .await;
        // The workers were down for an hour.
        w.clock.advance(minutes(60));
        w.dispatcher().tick().await.unwrap();
        assert_eq!(w.state(&stale.id).await, ReminderState::Expired, "{label}");
        assert_eq!(w.last(&stale.id).await.reason, Reason::DeadlinePassed);
        assert_eq!(w.sms.count() + w.push.count(), 0, "{label}");
    }
}

#[tokio::test]
async fn an_opt_out_suppresses_except_what_is_mandatory() {
    for w in worlds().await {
        let label = w.label;
        let mut contact = w.customer("c-1", "GOLD");
        contact.opted_out = vec![Touchpoint::PromotionExpiry, Touchpoint::SensitiveQuery];
        w.directory.put(contact);
        let promo = w
            .schedule(Ask::new("c-1", Touchpoint::PromotionExpiry, "优惠明日到期"))
            .await;
        let query = w
            .schedule(Ask::new(
                "c-1",
                Touchpoint::SensitiveQuery,
                "您的通话详单刚被查询",
            ))
            .await;
        w.dispatcher().tick().await.unwrap();
        assert_eq!(
            w.state(&promo.id).await,
            ReminderState::Suppressed,
            "{label}"
        );
        assert_eq!(w.last(&promo.id).await.reason, Reason::OptedOut);
        // A sensitive query is mandatory: the customer is told whatever they opted out of.
        assert_eq!(w.state(&query.id).await, ReminderState::Sent, "{label}");
        let posts = w.sms.received();
        assert_eq!(posts.len(), 1, "{label}");
        assert_eq!(carried(&posts[0]), [query.id.as_str()]);
    }
}

#[tokio::test]
async fn the_daily_cap_keeps_the_most_important_and_defers_or_suppresses_the_rest() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        w.customer("c-2", "DIAMOND");
        let policy = DispatchPolicy {
            daily_cap: DailyCap::new(2).unwrap().with_tier("DIAMOND", 3).unwrap(),
            // One message per reminder, so the cap has something to count.
            merge_window: minutes(0),
            // No receipts in this test: none is waited for.
            receipt_timeout: chrono::TimeDelta::days(1),
            ..DispatchPolicy::default()
        };
        let dispatcher = w.dispatcher_with(policy);
        // Two of them went out earlier today.
        for (n, tp) in [(0, Touchpoint::Care), (1, Touchpoint::Care)] {
            w.schedule(Ask::new("c-1", tp, "早安").at(t(crate::harness::MORNING) + minutes(n)))
                .await;
        }
        w.clock.advance(minutes(1));
        dispatcher.tick().await.unwrap();
        assert_eq!(w.sms.count(), 2, "{label}");

        w.clock.advance(minutes(60));
        let survey = w
            .schedule(Ask::new("c-1", Touchpoint::SurveyInvitation, "请评价"))
            .await;
        let expiring = w
            .schedule(
                Ask::new("c-1", Touchpoint::PromotionExpiry, "优惠今日到期")
                    .deadline(w.now() + minutes(120)),
            )
            .await;
        let arrears = w
            .schedule(Ask::new(
                "c-1",
                Touchpoint::ArrearsSuspension,
                "欠费停机提醒",
            ))
            .await;
        let diamond: Vec<_> = futures::future::join_all(
            // Progress notes go alone, one message each.
            (0..3).map(|_| w.schedule(Ask::new("c-2", Touchpoint::ComplaintProgress, "投诉进展"))),
        )
        .await;
        dispatcher.tick().await.unwrap();
        // Over the cap: the survey waits for tomorrow after quiet hours, the expiring
        // promotion would be stale by then; urgent arrears are neither capped nor counted.
        let record = w.record(&survey.id).await;
        assert_eq!(record.reminder.state, ReminderState::Deferred, "{label}");
        assert_eq!(w.last(&survey.id).await.reason, Reason::DailyCap);
        assert_eq!(record.reminder.planned_send_at, t("2026-03-03T00:00:00Z"));
        assert_eq!(
            w.state(&expiring.id).await,
            ReminderState::Suppressed,
            "{label}"
        );
        assert_eq!(
            w.last(&expiring.id).await.reason,
            Reason::DailyCapPastDeadline
        );
        assert_eq!(w.state(&arrears.id).await, ReminderState::Sent, "{label}");
        // A DIAMOND customer may receive three.
        for r in &diamond {
            assert_eq!(w.state(&r.id).await, ReminderState::Sent, "{label}");
        }
        assert_eq!(w.sms.count(), 2 + 1 + 3, "{label}");
    }
}
