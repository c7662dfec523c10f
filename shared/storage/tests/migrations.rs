//! Migrations when replicas start together: four replicas' stores migrate one fresh
//! PostgreSQL schema at once and each finds it whole, every migration applied once. (Embedded
//! SQLite belongs to one process, so only PostgreSQL meets this.)

use vipcare_storage::Database;
use vipcare_storage::sea_orm::{ConnectionTrait, DbErr};
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
