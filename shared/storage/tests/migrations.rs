//! Migrations when replicas start together: four replicas' stores migrate one fresh
//! PostgreSQL schema at once and each finds it whole, every migration applied once. (Embedded
//! SQLite belongs to one process, so only PostgreSQL meets this.)

use vipcare_storage::Database;
use vipcare_storage::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use vipcare_storage::sea_orm_migration::prelude::*;
use vipcare_testkit::TestEnv;

/// A migration that fails when run twice (no IF NOT EXISTS) and records each run, and holds
/// its transaction open a while, as a long one on a real table would.
struct Counted;

impl MigrationName for Counted {
    fn name(&self) -> &str {
        "m0001_counted"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Counted {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared("CREATE TABLE runs (n INTEGER NOT NULL)")
            .await?;
        conn.execute_unprepared("INSERT INTO runs (n) VALUES (1)")
            .await?;
        conn.execute_unprepared("SELECT pg_sleep(0.3)").await?;
        Ok(())
    }
}

struct CountedMigrator;
impl MigratorTrait for CountedMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Counted)]
    }
}

#[tokio::test]
async fn four_replicas_migrating_one_fresh_database_each_find_it_whole() {
    for env in TestEnv::all().await {
        if env.database_url().is_none() {
            continue;
        }
        let mut replicas = Vec::new();
        for _ in 0..4 {
            replicas.push(
                Database::connect(env.database_settings(), env.data_dir(), "migratetest")
                    .await
                    .unwrap(),
            );
        }
        let results =
            futures::future::join_all(replicas.iter().map(|db| db.migrate::<CountedMigrator>()))
                .await;
        for (i, result) in results.iter().enumerate() {
            assert!(
                result.is_ok(),
                "{}: replica {i} failed to migrate: {result:?}",
                env.label
            );
        }
        for db in &replicas {
            let row = db
                .conn()
                .query_one_raw(vipcare_storage::statement(
                    db.conn(),
                    "SELECT COUNT(*) AS runs FROM runs",
                    [],
                ))
                .await
                .unwrap()
                .expect("a count");
            let runs: i64 = row.try_get("", "runs").unwrap();
            assert_eq!(runs, 1, "{}: the migration ran {runs} times", env.label);
        }
        // A replica started later finds nothing to do.
        replicas[0].migrate::<CountedMigrator>().await.unwrap();
    }
}

/// A table whose key is then set to compare byte by byte.
struct KeyedTable;

impl MigrationName for KeyedTable {
    fn name(&self) -> &str {
        "m0001_keyed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for KeyedTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("CREATE TABLE keyed (id VARCHAR PRIMARY KEY, n INTEGER NOT NULL)")
            .await?;
        vipcare_storage::schema::keys_in_byte_order(manager, "keyed", &["id"]).await
    }
}

struct KeyedMigrator;
impl MigratorTrait for KeyedMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(KeyedTable)]
    }
}

#[tokio::test]
async fn keys_set_to_byte_order_compare_as_rust_does() {
    for env in TestEnv::all().await {
        let label = env.label;
        let db = Database::connect(env.database_settings(), env.data_dir(), "bytekeystest")
            .await
            .unwrap();
        db.migrate::<KeyedMigrator>().await.unwrap();
        let conn = db.conn();
        let backend = conn.get_database_backend();
        conn.execute_unprepared(
            "INSERT INTO keyed (id, n) VALUES ('b', 1), ('B', 2), ('a-1', 3), ('a1', 4)",
        )
        .await
        .unwrap();
        let rows = conn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id FROM keyed ORDER BY id",
            ))
            .await
            .unwrap();
        let order: Vec<String> = rows.iter().map(|r| r.try_get("", "id").unwrap()).collect();
        let mut expected = order.clone();
        expected.sort();
        assert_eq!(
            order, expected,
            "[{label}] the database orders ids as Rust does"
        );
        if backend == DbBackend::Postgres {
            let row = conn
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT collation_name FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = 'keyed' \
                     AND column_name = 'id'",
                ))
                .await
                .unwrap()
                .unwrap();
            let collation: Option<String> = row.try_get("", "collation_name").unwrap();
            assert_eq!(collation.as_deref(), Some("C"), "[{label}]");
        }
    }
}
