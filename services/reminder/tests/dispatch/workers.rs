//! Workers side by side and workers that die: a killed worker's claim is taken over once its
//! lease runs out and the message goes again under the same idempotency key; two workers on one
//! backlog send each reminder once; a directory that is down holds reminders back, never drops
//! them.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use vipcare_reminder::dispatch::{DispatchPolicy, Dispatcher};
use vipcare_reminder::domain::{Reason, ReminderState, Touchpoint};
use vipcare_testkit::webhook_sink::Reply;

use crate::harness::{Ask, carried, minutes, worlds};

#[tokio::test]
async fn a_killed_workers_claim_is_taken_over_and_sent_under_the_same_key() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        // The provider takes the message but never answers: the worker is killed mid-send.
        w.sms.reply(Reply::Hang);
        let a = Arc::new(w.dispatcher());
        let killed = tokio::spawn({
            let a = a.clone();
            async move { a.tick().await }
        });
        assert!(
            w.sms.wait_for_posts(1, Duration::from_secs(10)).await,
            "{label}"
        );
        killed.abort();
        let _ = killed.await;
        w.sms.reply(Reply::Accept);

        let b = w.dispatcher();
        assert_ne!(a.worker_id(), b.worker_id());
        // Still under the dead worker's lease: not handed to another.
        assert_eq!(b.tick().await.unwrap(), 0, "{label}");
        assert_eq!(w.state(&r.id).await, ReminderState::Dispatching);
        w.clock
            .advance(DispatchPolicy::default().lease + TimeDelta::seconds(1));
        assert_eq!(b.tick().await.unwrap(), 1, "{label}");

        let record = w.record(&r.id).await;
        assert_eq!(record.reminder.state, ReminderState::Sent, "{label}");
        assert_eq!(record.attempts.len(), 1, "{label}");
        assert_eq!(
            w.reasons(&r.id).await,
            [
                Reason::Created,
                Reason::Due,
                Reason::LeaseTakenOver,
                Reason::ProviderAccepted
            ],
            "{label}"
        );
        // Both hand-overs carried one key: a provider delivers the message once.
        let posts = w.sms.received();
        assert_eq!(posts.len(), 2, "{label}");
        let keys: HashSet<_> = posts.iter().map(|p| p.idempotency_key.clone()).collect();
        assert_eq!(keys.len(), 1, "{label}: {keys:?}");
        assert_eq!(
            keys.into_iter().next().flatten().as_deref(),
            Some(record.attempts[0].idempotency_key.as_str())
        );
        assert!(posts.iter().all(|p| carried(p) == [r.id.clone()]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_backlog_send_each_reminder_once() {
    const CUSTOMERS: usize = 120;
    for w in worlds().await {
        let label = w.label;
        let mut ids = Vec::new();
        for n in 0..CUSTOMERS {
            let customer = format!("c-{n}");
            w.customer(&customer, "GOLD");
            ids.push(
                w.schedule(Ask::new(&customer, Touchpoint::Care, "节日快乐"))
                    .await
                    .id,
            );
        }
        let policy = DispatchPolicy {
            batch_size: 10,
            ..DispatchPolicy::default()
        };
        let drain = |d: Arc<Dispatcher>| {
            tokio::spawn(async move {
                let mut took = 0;
                loop {
                    match d.tick().await.expect("a round") {
                        0 => return took,
                        n => took += n,
                    }
                }
            })
        };
        let a = drain(Arc::new(w.dispatcher_with(policy.clone())));
        let b = drain(Arc::new(w.dispatcher_with(policy)));
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert_eq!(a + b, CUSTOMERS, "{label}: {a} + {b}");
        assert_eq!(w.sms.count(), CUSTOMERS as u64, "{label}");
        assert!(w.sms.duplicates().is_empty(), "{label}");
        assert_eq!(w.sms.distinct_keys(), CUSTOMERS, "{label}");
        for id in &ids {
            let record = w.record(id).await;
            assert_eq!(record.reminder.state, ReminderState::Sent, "{label}");
            assert_eq!(record.attempts.len(), 1, "{label}");
        }
    }
}

#[tokio::test]
async fn reminders_wait_while_the_directory_is_down_and_unknown_customers_fail() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let d = w.dispatcher();
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        let ghost = w
            .schedule(Ask::new(
                "c-ghost",
                Touchpoint::PlanChange,
                "您的套餐已变更",
            ))
            .await;
        w.directory.set_down(true);
        d.tick().await.unwrap();
        let record = w.record(&r.id).await;
        assert_eq!(record.reminder.state, ReminderState::Scheduled, "{label}");
        assert_eq!(w.last(&r.id).await.reason, Reason::ProviderUnavailable);
        assert_eq!(record.reminder.planned_send_at, w.now() + minutes(1));
        assert_eq!(w.sms.count(), 0, "{label}");

        w.directory.set_down(false);
        w.clock.advance(minutes(1));
        d.tick().await.unwrap();
        assert_eq!(w.state(&r.id).await, ReminderState::Sent, "{label}");
        assert_eq!(w.state(&ghost.id).await, ReminderState::Failed, "{label}");
        assert_eq!(w.last(&ghost.id).await.reason, Reason::NoChannel);
        assert_eq!(w.sms.count(), 1, "{label}");
    }
}

#[tokio::test]
async fn a_running_worker_sends_what_falls_due_and_stops_when_told() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let policy = DispatchPolicy {
            idle_pause: Duration::from_millis(10),
            ..DispatchPolicy::default()
        };
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(Arc::new(w.dispatcher_with(policy)).run(stopping));
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        assert!(
            w.sms.wait_for_posts(1, Duration::from_secs(10)).await,
            "{label}: the running worker sent it"
        );
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("the worker stops when told")
            .unwrap();
        // Written back before the worker went on: nothing is left half-done.
        assert_eq!(w.state(&r.id).await, ReminderState::Sent, "{label}");
    }
}

#[tokio::test]
async fn an_idle_worker_told_of_a_reminder_due_now_sends_it_without_waiting_out_its_pause() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        // A pause no test would wait out: only the call's word can make the worker look.
        let worker = Arc::new(w.dispatcher_with(DispatchPolicy {
            idle_pause: Duration::from_secs(3600),
            ..DispatchPolicy::default()
        }));
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(worker.clone().run(stopping));
        // Let it find nothing due and go idle.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(w.sms.received().is_empty(), "{label}");

        // Planned for tomorrow: no reason to look.
        let later = w
            .schedule(Ask {
                at: Some(w.now() + TimeDelta::days(1)),
                ..Ask::new("c-1", Touchpoint::Care, "明日关怀")
            })
            .await;
        worker.stored_for(later.planned_send_at);
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        worker.stored_for(r.planned_send_at);
        assert!(
            w.sms.wait_for_posts(1, Duration::from_secs(20)).await,
            "{label}: the woken worker sent it"
        );
        assert!(carried(&w.sms.received()[0]) == [r.id.clone()], "{label}");
        assert_eq!(
            w.state(&later.id).await,
            ReminderState::Scheduled,
            "{label}"
        );
        let _ = stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), running).await;
    }
}
