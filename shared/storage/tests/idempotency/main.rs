//! The request_id flow against real databases: a repeat answers the first response and acts
//! once; keys are scoped by client and method; a key reused with another request is refused
//! and nothing happens; two concurrent calls with one key act once; a failed effect frees its
//! key; expired keys act again and are pruned. The same for gathered calls in [`many`].

mod many;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use vipcare_storage::idempotency::{Idempotency, KeyReused, Outcome, RequestKey};
use vipcare_storage::sea_orm::{ConnectionTrait, DatabaseTransaction};
use vipcare_storage::sea_orm_migration::{MigrationTrait, MigratorTrait};
use vipcare_storage::{Backend, Database, StorageError, statement};
use vipcare_testkit::TestEnv;

const DAY: Duration = Duration::from_secs(24 * 3600);
const METHOD: &str = "vipcare.test.v1.TestService/Pay";

struct NoOwnTables;
impl MigratorTrait for NoOwnTables {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }
}

#[derive(Debug, PartialEq)]
enum Failure {
    Storage(String),
    Reused,
    Refused,
}

impl From<StorageError> for Failure {
    fn from(err: StorageError) -> Self {
        Failure::Storage(err.to_string())
    }
}

impl From<KeyReused> for Failure {
    fn from(_: KeyReused) -> Self {
        Failure::Reused
    }
}

async fn open(env: &TestEnv) -> Database {
    let db = Database::connect(env.database_settings(), env.data_dir(), "idemtest")
        .await
        .unwrap();
    db.migrate::<NoOwnTables>().await.unwrap();
    db.conn()
        .execute_unprepared("CREATE TABLE IF NOT EXISTS payments (payer TEXT NOT NULL)")
        .await
        .unwrap();
    db
}

fn key(client: &str, method: &str, request_id: &str, request: &str) -> RequestKey {
    RequestKey::new(client, method, request_id, request.as_bytes())
        .unwrap()
        .expect("a non-empty request_id makes a key")
}

/// The effect under test: one payment row, answered with the payer's name.
async fn pay(txn: &DatabaseTransaction, payer: &str) -> Result<(String, Vec<u8>), Failure> {
    txn.execute_raw(statement(
        txn,
        "INSERT INTO payments (payer) VALUES ($1)",
        [payer.into()],
    ))
    .await
    .map_err(StorageError::from)?;
    Ok((payer.to_owned(), payer.as_bytes().to_vec()))
}

async fn payments(db: &Database) -> Vec<String> {
    let rows = db
        .conn()
        .query_all_raw(statement(
            db.conn(),
            "SELECT payer FROM payments ORDER BY payer",
            [],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "payer").unwrap())
        .collect()
}

#[tokio::test]
async fn a_repeat_answers_the_first_response_and_acts_once() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let k = key("hall", METHOD, "r-1", "pay alice");
        let first = flow.run(Some(&k), async |t| pay(t, "alice").await).await;
        assert_eq!(
            first,
            Ok(Outcome::Done("alice".to_owned())),
            "{}",
            env.label
        );
        let again = flow.run(Some(&k), async |t| pay(t, "alice").await).await;
        assert_eq!(
            again,
            Ok(Outcome::Replayed(b"alice".to_vec())),
            "{}",
            env.label
        );
        assert_eq!(payments(&db).await, ["alice"], "{}", env.label);
        // Without a key nothing is remembered: every call acts.
        for _ in 0..2 {
            flow.run(None, async |t| pay(t, "bob").await).await.unwrap();
        }
        assert_eq!(
            payments(&db).await,
            ["alice", "bob", "bob"],
            "{}",
            env.label
        );
    }
}

#[tokio::test]
async fn keys_are_scoped_by_client_and_method() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        for (client, method, payer) in [
            ("lounge-a", METHOD, "a"),
            ("lounge-b", METHOD, "b"),
            ("lounge-a", "vipcare.test.v1.TestService/Refund", "c"),
        ] {
            let k = key(client, method, "visit-1", payer);
            let outcome = flow.run(Some(&k), async |t| pay(t, payer).await).await;
            assert_eq!(
                outcome,
                Ok(Outcome::Done(payer.to_owned())),
                "{}",
                env.label
            );
        }
        assert_eq!(payments(&db).await, ["a", "b", "c"], "{}", env.label);
    }
}

#[tokio::test]
async fn a_key_reused_with_another_request_is_refused_and_nothing_happens() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let first = key("hall", METHOD, "r-1", "pay alice");
        flow.run(Some(&first), async |t| pay(t, "alice").await)
            .await
            .unwrap();
        let other = key("hall", METHOD, "r-1", "pay mallory");
        let refused = flow
            .run(Some(&other), async |t| pay(t, "mallory").await)
            .await;
        assert_eq!(refused, Err(Failure::Reused), "{}", env.label);
        assert_eq!(payments(&db).await, ["alice"], "{}", env.label);
    }
}

#[tokio::test]
async fn a_failed_effect_frees_its_key() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let k = key("hall", METHOD, "r-1", "pay alice");
        let failed = flow
            .run(Some(&k), async |t| {
                pay(t, "alice").await?;
                Err::<(String, Vec<u8>), _>(Failure::Refused)
            })
            .await;
        assert_eq!(failed, Err(Failure::Refused), "{}", env.label);
        assert!(payments(&db).await.is_empty(), "{}: rolled back", env.label);
        let retried = flow.run(Some(&k), async |t| pay(t, "alice").await).await;
        assert_eq!(
            retried,
            Ok(Outcome::Done("alice".to_owned())),
            "{}",
            env.label
        );
    }
}

#[tokio::test]
async fn two_concurrent_calls_with_one_key_act_once() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Arc::new(Idempotency::new(&db, DAY));
        let k = Arc::new(key("hall", METHOD, "r-1", "pay alice"));
        let inside = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let first = tokio::spawn({
            let (flow, k, inside, release) =
                (flow.clone(), k.clone(), inside.clone(), release.clone());
            async move {
                flow.run::<_, Failure, _>(Some(&k), async |t| {
                    let paid = pay(t, "alice").await?;
                    // Hold the claim until the second call is known to be waiting on it.
                    inside.notify_one();
                    release.notified().await;
                    Ok(paid)
                })
                .await
            }
        });
        inside.notified().await;
        let second = tokio::spawn({
            let (flow, k) = (flow.clone(), k.clone());
            async move { flow.run(Some(&k), async |t| pay(t, "alice").await).await }
        });
        wait_until_blocked(&env, &db).await;
        release.notify_one();
        let (first, second) = (first.await.unwrap(), second.await.unwrap());
        assert_eq!(
            first,
            Ok(Outcome::Done("alice".to_owned())),
            "{}",
            env.label
        );
        assert_eq!(
            second,
            Ok(Outcome::Replayed(b"alice".to_vec())),
            "{}",
            env.label
        );
        assert_eq!(payments(&db).await, ["alice"], "{}", env.label);
    }
}

/// Waits until another session waits on a row lock (PostgreSQL). SQLite has one connection, so
/// the second call cannot even look its key up before the first commits: nothing to wait for.
async fn wait_until_blocked(env: &TestEnv, db: &Database) {
    if db.backend() == Backend::Sqlite {
        return;
    }
    let admin = Database::connect(env.database_settings(), env.data_dir(), "idemtest")
        .await
        .unwrap();
    loop {
        let row = admin
            .conn()
            .query_one_raw(statement(
                admin.conn(),
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE wait_event_type = 'Lock' AND datname = current_database()",
                [],
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() > 0 {
            return;
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn expired_keys_act_again_and_are_pruned() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let k = key("hall", METHOD, "r-1", "pay alice");
        flow.run(Some(&k), async |t| pay(t, "alice").await)
            .await
            .unwrap();
        // Age the key past the retention period.
        let aged_ms = i64::try_from((DAY + Duration::from_secs(60)).as_millis()).unwrap();
        db.conn()
            .execute_raw(statement(
                db.conn(),
                "UPDATE request_keys SET created_ms = created_ms - $1",
                [aged_ms.into()],
            ))
            .await
            .unwrap();
        let again = flow.run(Some(&k), async |t| pay(t, "alice").await).await;
        assert_eq!(
            again,
            Ok(Outcome::Done("alice".to_owned())),
            "{}",
            env.label
        );
        // A second expired key (another request_id) is what pruning removes; the fresh one stays.
        let old = key("hall", METHOD, "r-2", "pay bob");
        flow.run(Some(&old), async |t| pay(t, "bob").await)
            .await
            .unwrap();
        db.conn()
            .execute_raw(statement(
                db.conn(),
                "UPDATE request_keys SET created_ms = created_ms - $1 WHERE request_id = 'r-2'",
                [aged_ms.into()],
            ))
            .await
            .unwrap();
        assert_eq!(flow.prune(100).await.unwrap(), 1, "{}", env.label);
        let replay = flow.run(Some(&k), async |t| pay(t, "alice").await).await;
        assert_eq!(
            replay,
            Ok(Outcome::Replayed(b"alice".to_vec())),
            "{}",
            env.label
        );
    }
}

#[test]
fn request_ids_are_bounded_and_printable() {
    assert_eq!(RequestKey::new("c", METHOD, "", b"x"), Ok(None));
    assert!(RequestKey::new("c", METHOD, &"r".repeat(129), b"x").is_err());
    assert!(RequestKey::new("c", METHOD, "r 1", b"x").is_err());
    assert!(RequestKey::new("c", METHOD, "r\u{202e}1", b"x").is_err());
    assert!(
        RequestKey::new("c", METHOD, &"r".repeat(128), b"x")
            .unwrap()
            .is_some()
    );
}
