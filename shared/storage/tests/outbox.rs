//! The outbox against real databases: rows written with a commit are delivered, rows of a
//! rolled-back transaction never are, failures are retried later, and two relays never deliver
//! the same row twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use vipcare_storage::Database;
use vipcare_storage::outbox::{self, Deliver, DeliveryError, OutboxMessage, OutboxRelay};
use vipcare_storage::sea_orm::TransactionTrait;
use vipcare_storage::sea_orm_migration::{MigrationTrait, MigratorTrait};
use vipcare_testkit::TestEnv;

struct NoOwnTables;
impl MigratorTrait for NoOwnTables {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }
}

/// Records what it delivered; refuses payloads listed in `fail_once` the first time.
#[derive(Default)]
struct Recorder {
    delivered: Mutex<HashMap<Vec<u8>, usize>>,
    order: Mutex<Vec<Vec<u8>>>,
    fail_once: Mutex<Vec<Vec<u8>>>,
}

impl Deliver for Recorder {
    fn deliver<'a>(&'a self, msg: &'a OutboxMessage) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut fail = self.fail_once.lock().unwrap();
            if let Some(i) = fail.iter().position(|p| *p == msg.payload) {
                fail.remove(i);
                return Err(DeliveryError::Retry("receiver unavailable".into()));
            }
            self.order.lock().unwrap().push(msg.payload.clone());
            *self
                .delivered
                .lock()
                .unwrap()
                .entry(msg.payload.clone())
                .or_default() += 1;
            Ok(())
        })
    }
}

async fn open(env: &TestEnv) -> Database {
    let db = Database::connect(env.database_settings(), env.data_dir(), "outboxtest")
        .await
        .unwrap();
    db.migrate::<NoOwnTables>().await.unwrap();
    db
}

async fn enqueue(db: &Database, payload: &[u8], commit: bool) {
    let txn = db.conn().begin().await.unwrap();
    outbox::enqueue(
        &txn,
        "reminder",
        "/vipcare.reminder.v1.ReminderService/X",
        payload.to_vec(),
    )
    .await
    .unwrap();
    if commit {
        txn.commit().await.unwrap();
    } else {
        txn.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn committed_rows_are_delivered_and_failures_wait_for_their_backoff() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        enqueue(&db, b"a", true).await;
        enqueue(&db, b"rolled-back", false).await;
        enqueue(&db, b"b", true).await;
        let recorder = Arc::new(Recorder::default());
        recorder.fail_once.lock().unwrap().push(b"b".to_vec());
        let relay = OutboxRelay::new(db.clone(), recorder.clone());

        assert_eq!(relay.run_once().await.unwrap(), 2, "{}", env.label);
        let delivered = recorder.delivered.lock().unwrap().clone();
        assert_eq!(delivered.get(b"a".as_slice()), Some(&1), "{}", env.label);
        assert!(
            !delivered.contains_key(b"rolled-back".as_slice()),
            "{}",
            env.label
        );
        assert!(!delivered.contains_key(b"b".as_slice()), "{}", env.label);

        // The failed row is due again only after its backoff; the delivered one never again.
        assert_eq!(relay.run_once().await.unwrap(), 0, "{}", env.label);
    }
}

#[tokio::test]
async fn a_batch_enqueued_at_once_is_delivered_in_order_and_a_rolled_back_one_never() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        // More rows than one SQLite statement binds, so the chunks must keep their order too.
        let payloads: Vec<Vec<u8>> = (0..4_000u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let txn = db.conn().begin().await.unwrap();
        let written = outbox::enqueue_many(&txn, "reminder", "/x.v1.X/Y", payloads.clone())
            .await
            .unwrap();
        assert_eq!(written, 4_000, "{}", env.label);
        txn.commit().await.unwrap();
        let txn = db.conn().begin().await.unwrap();
        outbox::enqueue_many(&txn, "reminder", "/x.v1.X/Y", [b"rolled-back".to_vec()])
            .await
            .unwrap();
        txn.rollback().await.unwrap();

        let recorder = Arc::new(Recorder::default());
        let relay = OutboxRelay::new(db.clone(), recorder.clone());
        while relay.run_once().await.unwrap() > 0 {}
        assert_eq!(
            *recorder.order.lock().unwrap(),
            payloads,
            "{}: every row once, in the order written",
            env.label
        );
    }
}

#[tokio::test]
async fn two_relays_never_deliver_a_row_twice() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        for i in 0..200u32 {
            enqueue(&db, &i.to_be_bytes(), true).await;
        }
        let recorder = Arc::new(Recorder::default());
        let one = OutboxRelay::new(db.clone(), recorder.clone());
        let two = OutboxRelay::new(db.clone(), recorder.clone());
        let (mut left, mut right) = (1, 1);
        while left + right > 0 {
            let (l, r) = tokio::join!(one.run_once(), two.run_once());
            (left, right) = (l.unwrap(), r.unwrap());
        }
        let delivered = recorder.delivered.lock().unwrap();
        assert_eq!(delivered.len(), 200, "{}", env.label);
        assert!(
            delivered.values().all(|n| *n == 1),
            "{}: a row went out twice",
            env.label
        );
    }
}

/// A receiver that is down: every delivery is to be retried.
#[derive(Default)]
struct Down {
    calls: Mutex<usize>,
}

impl Deliver for Down {
    fn deliver<'a>(&'a self, _: &'a OutboxMessage) -> BoxFuture<'a, Result<(), DeliveryError>> {
        *self.calls.lock().unwrap() += 1;
        Box::pin(async { Err(DeliveryError::Retry("connection refused".into())) })
    }
}

#[tokio::test]
async fn a_receiver_that_is_down_costs_one_attempt_per_batch_and_loses_nothing() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        for payload in [b"a", b"b", b"c", b"d"] {
            enqueue(&db, payload, true).await;
        }
        let down = Arc::new(Down::default());
        let relay = OutboxRelay::new(db.clone(), down.clone());
        assert_eq!(relay.run_once().await.unwrap(), 1, "{}", env.label);
        assert_eq!(
            *down.calls.lock().unwrap(),
            1,
            "{}: one try, not four",
            env.label
        );
        // The untried rows are due again at once, with no attempt counted; the tried one waits.
        let recorder = Arc::new(Recorder::default());
        let back_up = OutboxRelay::new(db.clone(), recorder.clone());
        assert_eq!(back_up.run_once().await.unwrap(), 3, "{}", env.label);
        assert_eq!(
            *recorder.order.lock().unwrap(),
            [b"b".to_vec(), b"c".to_vec(), b"d".to_vec()],
            "{}",
            env.label
        );
    }
}

/// A receiver that takes one row, then waits for the test before taking each next one.
struct Gated {
    recorder: Recorder,
    took_one: tokio::sync::Notify,
    open: tokio::sync::Semaphore,
}

impl Deliver for Gated {
    fn deliver<'a>(&'a self, msg: &'a OutboxMessage) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let delivered = self.recorder.deliver(msg).await;
            self.took_one.notify_one();
            // Held here until the test lets the next row through.
            self.open.acquire().await.expect("open").forget();
            delivered
        })
    }
}

#[tokio::test]
async fn a_stopping_relay_hands_back_what_it_claimed_and_did_not_try() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        for i in 0..10u32 {
            enqueue(&db, &i.to_be_bytes(), true).await;
        }
        let gated = Arc::new(Gated {
            recorder: Recorder::default(),
            took_one: tokio::sync::Notify::new(),
            open: tokio::sync::Semaphore::new(0),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stopping = OutboxRelay::new(db.clone(), gated.clone());
        let running = tokio::spawn(stopping.run(async move {
            let _ = stopped.await;
        }));
        // It claimed all ten and is delivering the first when told to stop.
        gated.took_one.notified().await;
        stop.send(()).unwrap();
        gated.open.add_permits(1);
        tokio::time::timeout(std::time::Duration::from_secs(10), running)
            .await
            .unwrap_or_else(|_| panic!("{label}: the relay went on past the stop"))
            .unwrap();
        assert_eq!(gated.recorder.delivered.lock().unwrap().len(), 1, "{label}");
        // Another replica takes the other nine now, not after the stopped one's lease.
        let recorder = Arc::new(Recorder::default());
        let other = OutboxRelay::new(db.clone(), recorder.clone());
        assert_eq!(other.run_once().await.unwrap(), 9, "{label}");
        let mut all: Vec<Vec<u8>> = recorder.order.lock().unwrap().clone();
        all.extend(gated.recorder.order.lock().unwrap().iter().cloned());
        all.sort();
        let expected: Vec<Vec<u8>> = (0..10u32).map(|i| i.to_be_bytes().to_vec()).collect();
        assert_eq!(all, expected, "{label}: each row delivered once");
    }
}
