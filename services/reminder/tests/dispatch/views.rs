//! What dispatch tells the cache: the gateway caches each customer's view (which lists the
//! customer's waiting reminders) under the customer's tag. A round that moved a customer's
//! reminders bumps that tag once its writes are done; a receipt that puts a reminder back to
//! wait bumps it too; customers the round did not touch keep their cached views. A record of
//! every bump stays until the bump was written, so one never made is replayed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use vipcare_cache::{Cache, tags};
use vipcare_reminder::dispatch::Dispatcher;
use vipcare_reminder::domain::{DeliveryOutcome, ReminderState, Touchpoint};
use vipcare_reminder::stale::StaleViews;
use vipcare_storage::invalidation;

use crate::harness::{Ask, World, minutes, worlds};

/// A stand-in for the gateway's cached view of `customer`: how many times it was composed.
struct Views {
    cache: Cache,
    composed: AtomicUsize,
}

impl Views {
    fn new() -> Arc<Views> {
        Arc::new(Views {
            cache: Cache::in_process(100),
            composed: AtomicUsize::new(0),
        })
    }

    /// Reads the view (through the cache, as the gateway does); true when it had to be composed.
    async fn composed_anew(&self, customer: &str) -> bool {
        let before = self.composed.load(Ordering::SeqCst);
        let key = format!("gateway:view:{customer}");
        let read = self
            .cache
            .get_or_load(&key, &tags::customer(customer), ttl(), || async {
                self.composed.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(b"view".to_vec())
            })
            .await;
        assert!(read.is_ok());
        self.composed.load(Ordering::SeqCst) > before
    }
}

fn ttl() -> std::time::Duration {
    std::time::Duration::from_secs(600)
}

fn dispatcher(w: &World, views: &Views) -> Dispatcher {
    w.dispatcher()
        .with_stale_views(StaleViews::new(views.cache.invalidator()))
}

async fn journal(w: &World) -> Vec<String> {
    invalidation::tags_left(w.db.conn())
        .await
        .expect("the journal reads")
}

#[tokio::test]
async fn a_round_makes_the_views_of_the_customers_it_sent_to_stale_and_no_others() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        w.customer("c-2", "GOLD");
        let views = Views::new();
        let d = dispatcher(&w, &views);
        let due = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        let later = w
            .schedule(Ask::new("c-2", Touchpoint::Care, "生日快乐").at(w.now() + minutes(90)))
            .await;
        for customer in ["c-1", "c-2"] {
            assert!(views.composed_anew(customer).await, "{label}: first read");
            assert!(!views.composed_anew(customer).await, "{label}: cached");
        }

        d.tick().await.unwrap();
        assert_eq!(w.state(&due.id).await, ReminderState::Sent, "{label}");
        assert!(
            views.composed_anew("c-1").await,
            "{label}: c-1's cached view still listed the reminder just sent"
        );
        assert!(
            !views.composed_anew("c-2").await,
            "{label}: c-2 had nothing due; its view stays cached"
        );
        assert!(
            journal(&w).await.is_empty(),
            "{label}: the bump was settled"
        );

        // Nothing due: a round bumps nothing.
        d.tick().await.unwrap();
        assert!(!views.composed_anew("c-1").await, "{label}");

        w.clock.set(later.planned_send_at);
        d.tick().await.unwrap();
        assert_eq!(w.state(&later.id).await, ReminderState::Sent, "{label}");
        assert!(views.composed_anew("c-2").await, "{label}");
    }
}

#[tokio::test]
async fn a_receipt_that_puts_the_reminder_back_to_wait_makes_the_view_stale() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let views = Views::new();
        let d = dispatcher(&w, &views);
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        d.tick().await.unwrap();
        let attempt = w.record(&r.id).await.attempts[0].attempt_id.clone();
        assert!(views.composed_anew("c-1").await, "{label}");

        let phone_off = DeliveryOutcome::FailedUnreachable;
        let moved = d
            .report_delivery(&r.id, &attempt, phone_off, Some("phone off"), None)
            .await
            .unwrap();
        assert_eq!(moved.state, ReminderState::Scheduled, "{label}: a retry");
        assert!(
            views.composed_anew("c-1").await,
            "{label}: the retry is listed again"
        );
        assert!(journal(&w).await.is_empty(), "{label}");
    }
}

#[tokio::test]
async fn a_delivered_receipt_changes_no_view() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        let views = Views::new();
        let d = dispatcher(&w, &views);
        let r = w
            .schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        d.tick().await.unwrap();
        let attempt = w.record(&r.id).await.attempts[0].attempt_id.clone();
        assert!(views.composed_anew("c-1").await, "{label}");
        let moved = d
            .report_delivery(&r.id, &attempt, DeliveryOutcome::Delivered, None, None)
            .await
            .unwrap();
        assert_eq!(moved.state, ReminderState::Delivered, "{label}");
        assert!(
            !views.composed_anew("c-1").await,
            "{label}: SENT and DELIVERED are both off the list: the cached view holds"
        );
    }
}

#[tokio::test]
async fn a_bump_that_was_never_made_stays_recorded_for_a_replay() {
    for w in worlds().await {
        let label = w.label;
        w.customer("c-1", "GOLD");
        // A dispatcher with nowhere to bump: as if the process died after its commit.
        let d = w.dispatcher();
        w.schedule(Ask::new("c-1", Touchpoint::PlanChange, "您的套餐已变更"))
            .await;
        d.tick().await.unwrap();
        assert_eq!(journal(&w).await, [tags::customer("c-1")], "{label}");
    }
}
