//! The invalidation journal against real databases: a write's tags are kept exactly when the
//! write commits, until a bump reached the cache; settling deletes only rows its bump covers;
//! a replay hands every row to the cache and keeps what it refused; a settling request flow
//! bumps what its effect recorded before the call answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use vipcare_storage::idempotency::{Idempotency, KeyReused};
use vipcare_storage::invalidation::{self, Replayed, Replayer, StaleViews};
use vipcare_storage::sea_orm::{DatabaseConnection, TransactionTrait};
use vipcare_storage::sea_orm_migration::{MigrationTrait, MigratorTrait};
use vipcare_storage::{Database, StorageError};
use vipcare_testkit::TestEnv;

struct NoOwnTables;
impl MigratorTrait for NoOwnTables {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }
}

async fn open(env: &TestEnv) -> Database {
    let db = Database::connect(env.database_settings(), env.data_dir(), "invalidationtest")
        .await
        .unwrap();
    db.migrate::<NoOwnTables>().await.unwrap();
    db
}

/// A cache stand-in: records every bump and answers whether it was "written".
#[derive(Clone, Default)]
struct FakeCache {
    bumps: Arc<Mutex<Vec<Vec<String>>>>,
    down: Arc<Mutex<bool>>,
}

impl FakeCache {
    fn bump(&self) -> impl Fn(Vec<String>) -> BoxFuture<'static, bool> + Send + Sync + 'static {
        let cache = self.clone();
        move |tags| {
            cache.bumps.lock().unwrap().push(tags);
            let written = !*cache.down.lock().unwrap();
            Box::pin(async move { written })
        }
    }

    fn set_down(&self, down: bool) {
        *self.down.lock().unwrap() = down;
    }

    /// Every tag bumped so far, sorted, with repeats.
    fn bumped(&self) -> Vec<String> {
        let mut all: Vec<String> = self.bumps.lock().unwrap().concat();
        all.sort();
        all
    }
}

fn tags(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

async fn write(conn: &DatabaseConnection, names: &[&str]) -> invalidation::Recorded {
    let txn = conn.begin().await.unwrap();
    let recorded = invalidation::record(&txn, &tags(names)).await.unwrap();
    txn.commit().await.unwrap();
    recorded
}

async fn left(db: &Database) -> Vec<String> {
    invalidation::tags_left(db.conn()).await.unwrap()
}

#[tokio::test]
async fn a_write_keeps_its_tags_exactly_when_it_commits_until_a_bump_is_written() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        let txn = db.conn().begin().await.unwrap();
        invalidation::record(&txn, &tags(&["customer:rolled-back"]))
            .await
            .unwrap();
        txn.rollback().await.unwrap();
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");

        let recorded = write(db.conn(), &["customer:1", "msisdn:138", "customer:1"]).await;
        assert_eq!(
            recorded.tags(),
            tags(&["customer:1", "msisdn:138"]),
            "[{label}]"
        );
        assert_eq!(
            left(&db).await,
            tags(&["customer:1", "msisdn:138"]),
            "[{label}]"
        );

        let cache = FakeCache::default();
        cache.set_down(true);
        invalidation::settle(db.conn(), recorded.clone(), &cache.bump()).await;
        assert_eq!(
            left(&db).await,
            tags(&["customer:1", "msisdn:138"]),
            "[{label}] a bump that was not written keeps the rows"
        );
        cache.set_down(false);
        invalidation::settle(db.conn(), recorded, &cache.bump()).await;
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");
    }
}

#[tokio::test]
async fn settling_by_tag_keeps_a_write_that_committed_during_the_bump() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        write(db.conn(), &["customer:1"]).await;
        // Another write to the same customer commits while this bump is on its way to the
        // cache: the bump may have overtaken it, so its row must stay for the replay.
        let conn = db.conn().clone();
        let bumps = Arc::new(Mutex::new(Vec::new()));
        let seen = bumps.clone();
        let racing_bump = move |tags: Vec<String>| -> BoxFuture<'static, bool> {
            seen.lock().unwrap().push(tags);
            let conn = conn.clone();
            Box::pin(async move {
                write(&conn, &["customer:1"]).await;
                true
            })
        };
        invalidation::settle_tags(db.conn(), tags(&["customer:1"]), &racing_bump).await;
        assert_eq!(
            *bumps.lock().unwrap(),
            vec![tags(&["customer:1"])],
            "[{label}]"
        );
        assert_eq!(
            left(&db).await,
            tags(&["customer:1"]),
            "[{label}] the later write's row is kept"
        );

        let cache = FakeCache::default();
        invalidation::settle_tags(db.conn(), tags(&["customer:1"]), &cache.bump()).await;
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");
    }
}

#[tokio::test]
async fn a_replay_hands_every_row_to_the_cache_and_keeps_what_it_refused() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        // More than two pages of rows in small writes (a row per tag), a batch's write (its
        // 5,000 tags packed into 31 rows of up to 1,800 bytes), and a write repeating a tag.
        let many: Vec<String> = (0..12_000).map(|i| format!("customer:{i:05}")).collect();
        let batch: Vec<String> = (0..5_000).map(|i| format!("tier:{i:05}")).collect();
        let txn = db.conn().begin().await.unwrap();
        for small in many.chunks(30) {
            invalidation::record(&txn, small).await.unwrap();
        }
        invalidation::record(&txn, &batch).await.unwrap();
        txn.commit().await.unwrap();
        write(db.conn(), &["customer:00001", "msisdn:138"]).await;
        let mut expected: Vec<String> = many.clone();
        expected.extend(batch.iter().cloned());
        expected.extend(tags(&["customer:00001", "msisdn:138"]));
        expected.sort();

        let cache = FakeCache::default();
        cache.set_down(true);
        let replayer = Replayer::new(db.clone(), cache.bump());
        let kept = replayer.replay_all().await.unwrap();
        assert_eq!(
            kept,
            Replayed {
                written: 0,
                kept: 12_033
            },
            "[{label}]"
        );
        let mut distinct = expected.clone();
        distinct.dedup();
        let mut handed = cache.bumped();
        handed.dedup();
        assert_eq!(
            handed, distinct,
            "[{label}] the cache was handed every tag, to hold until written"
        );
        assert_eq!(left(&db).await.len(), 17_001, "[{label}] nothing deleted");

        let cache = FakeCache::default();
        let replayer = Replayer::new(db.clone(), cache.bump());
        let written = replayer.replay_all().await.unwrap();
        assert_eq!(written.written, 12_033, "[{label}]");
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");
        let mut bumped = cache.bumped();
        bumped.dedup();
        assert_eq!(bumped, distinct, "[{label}] every tag bumped");
    }
}

#[tokio::test]
async fn while_running_only_rows_left_behind_are_replayed() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        write(db.conn(), &["customer:1"]).await;
        let cache = FakeCache::default();

        // A writer bumps and deletes its rows within milliseconds: a fresh row is still its own.
        let replayer = Replayer::new(db.clone(), cache.bump());
        assert_eq!(
            replayer.replay_left_behind().await.unwrap(),
            Replayed::default(),
            "[{label}]"
        );
        assert_eq!(left(&db).await, tags(&["customer:1"]), "[{label}]");

        let replayer = Replayer::new(db.clone(), cache.bump()).left_after(Duration::ZERO);
        cache.set_down(true);
        let refused = replayer.replay_left_behind().await.unwrap();
        assert_eq!(refused.kept, 1, "[{label}]");
        assert_eq!(left(&db).await, tags(&["customer:1"]), "[{label}]");
        cache.set_down(false);
        let replayed = replayer.replay_left_behind().await.unwrap();
        assert_eq!(replayed.written, 1, "[{label}]");
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");
    }
}

#[tokio::test]
async fn rows_packed_by_an_earlier_version_are_replayed_whole() {
    use vipcare_storage::sea_orm::{ConnectionTrait, Statement};
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        // Before the `packed` column, a batch's tags were joined in `tag` itself.
        let conn = db.conn();
        let backend = conn.get_database_backend();
        let line_break = match backend {
            vipcare_storage::sea_orm::DbBackend::Sqlite => "CHAR(10)",
            _ => "CHR(10)",
        };
        conn.execute_raw(Statement::from_string(
            backend,
            format!(
                "INSERT INTO cache_invalidations (write_id, tag, created_ms) \
                 VALUES (7, 'customer:a' || {line_break} || 'customer:b', 0)"
            ),
        ))
        .await
        .unwrap();
        assert_eq!(
            left(&db).await,
            tags(&["customer:a", "customer:b"]),
            "[{label}]"
        );
        let cache = FakeCache::default();
        let replayed = Replayer::new(db.clone(), cache.bump())
            .replay_all()
            .await
            .unwrap();
        assert_eq!(replayed.written, 1, "[{label}]");
        assert_eq!(
            cache.bumped(),
            tags(&["customer:a", "customer:b"]),
            "[{label}]"
        );
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");
    }
}

/// What a keyed call fails with here.
#[derive(Debug, PartialEq)]
enum CallFailed {
    Storage(String),
    Refused,
}

impl From<StorageError> for CallFailed {
    fn from(err: StorageError) -> Self {
        CallFailed::Storage(err.to_string())
    }
}

impl From<KeyReused> for CallFailed {
    fn from(_: KeyReused) -> Self {
        CallFailed::Storage("key reused".into())
    }
}

/// A call whose effect records `names` deep inside, as a store function does.
async fn call_recording(flow: &Idempotency, names: &[&str], fail: bool) -> Result<(), CallFailed> {
    let names: Vec<String> = tags(names);
    flow.run::<(), CallFailed, _>(None, async |txn| {
        invalidation::record(txn, &names).await?;
        if fail {
            return Err(CallFailed::Refused);
        }
        Ok(((), Vec::new()))
    })
    .await
    .map(drop)
}

#[tokio::test]
async fn a_settling_request_flow_bumps_what_its_effect_recorded_before_it_answers() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = open(&env).await;
        let cache = FakeCache::default();
        let flow = Idempotency::new(&db, Duration::from_secs(3600))
            .settling(StaleViews::new(cache.bump()));

        call_recording(&flow, &["customer:1"], false).await.unwrap();
        assert_eq!(cache.bumped(), tags(&["customer:1"]), "[{label}] bumped");
        assert_eq!(
            left(&db).await,
            Vec::<String>::new(),
            "[{label}] and forgotten"
        );

        // A failed effect rolls back its record: nothing to bump.
        let refused = call_recording(&flow, &["customer:2"], true).await;
        assert!(matches!(refused, Err(CallFailed::Refused)), "[{label}]");
        assert_eq!(cache.bumped(), tags(&["customer:1"]), "[{label}]");
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");

        // The cache down: the call still answers, its record stays for the replayer.
        cache.set_down(true);
        call_recording(&flow, &["customer:3"], false).await.unwrap();
        assert_eq!(left(&db).await, tags(&["customer:3"]), "[{label}] kept");
        cache.set_down(false);
        // The next call's settling takes what an earlier one left, its own with it.
        call_recording(&flow, &["customer:4"], false).await.unwrap();
        assert_eq!(left(&db).await, Vec::<String>::new(), "[{label}]");
        let mut bumped = cache.bumped();
        bumped.dedup();
        assert_eq!(
            bumped,
            tags(&["customer:1", "customer:3", "customer:4"]),
            "[{label}]"
        );

        // A flow that does not settle leaves the record to the replayer, as before.
        let plain = Idempotency::new(&db, Duration::from_secs(3600));
        call_recording(&plain, &["customer:5"], false)
            .await
            .unwrap();
        assert_eq!(left(&db).await, tags(&["customer:5"]), "[{label}]");
    }
}
