//! Connecting by URL. Unset: an embedded SQLite file per service under `data_dir`.
//! `postgres://…`: one database shared by the services, one schema each.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::nodelay;
use sea_orm::sqlx::{self, Postgres, pool::PoolOptions};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::migrations::WithSharedTables;
use crate::{DatabaseSettings, StorageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A pooled connection to one service's schema. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Database {
    conn: DatabaseConnection,
    backend: Backend,
    pool_size: u32,
    /// The service whose store this is (its schema, its file): what its metrics are labelled by.
    service: String,
}

impl Database {
    /// Opens the service's store (its schema on PostgreSQL, `<data_dir>/<service>.db`
    /// embedded), waiting up to `database.connect_timeout_ms` for a server that is still
    /// starting (pods often start before their database).
    pub async fn connect(
        settings: &DatabaseSettings,
        data_dir: &Path,
        service: &str,
    ) -> Result<Database, StorageError> {
        let deadline = Instant::now() + Duration::from_millis(settings.connect_timeout_ms);
        loop {
            match Self::try_connect(settings, data_dir, service).await {
                Ok(db) => return Ok(db),
                Err(StorageError::Unavailable(reason)) if Instant::now() < deadline => {
                    tracing::warn!(%reason, service, "database not reachable yet; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn try_connect(
        settings: &DatabaseSettings,
        data_dir: &Path,
        service: &str,
    ) -> Result<Database, StorageError> {
        match &settings.url {
            Some(url) => {
                create_schema(url, service).await?;
                let mut options = ConnectOptions::new(url.clone());
                options
                    .max_connections(settings.max_connections)
                    .min_connections(1)
                    .connect_timeout(Duration::from_secs(5))
                    // A down database must answer UNAVAILABLE quickly, not hang the caller.
                    .acquire_timeout(Duration::from_secs(5))
                    .sqlx_logging(false)
                    .map_sqlx_postgres_pool_opts(on_connect(service));
                let conn = sea_orm::Database::connect(options).await?;
                Ok(Database {
                    conn,
                    backend: Backend::Postgres,
                    pool_size: settings.max_connections,
                    service: service.to_owned(),
                })
            }
            None => {
                std::fs::create_dir_all(data_dir).map_err(|err| {
                    StorageError::Unavailable(format!(
                        "cannot create data_dir {}: {err}",
                        data_dir.display()
                    ))
                })?;
                let path = data_dir.join(format!("{service}.db"));
                let mut options =
                    ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
                options
                    // One connection: SQLite allows one writer, and a deferred transaction that
                    // upgrades to a write while another connection writes fails at once with
                    // SQLITE_BUSY. Serialising keeps every write correct; reads take microseconds.
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .sqlx_logging(false)
                    .map_sqlx_sqlite_opts(|o| {
                        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                        o.journal_mode(SqliteJournalMode::Wal)
                            .synchronous(SqliteSynchronous::Normal)
                            .busy_timeout(Duration::from_secs(5))
                            .foreign_keys(true)
                    });
                let conn = sea_orm::Database::connect(options).await?;
                Ok(Database {
                    conn,
                    backend: Backend::Sqlite,
                    pool_size: 1,
                    service: service.to_owned(),
                })
            }
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connections the pool may open: how much work can hold one at once.
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// The service whose store this is.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Connections the pool holds now, and how many of them are idle.
    pub fn pool_in_use(&self) -> (u32, usize) {
        match self.backend {
            Backend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            Backend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        }
    }

    /// Brings the schema up to date: the shared tables (outbox, idempotency keys) and then the
    /// service's own migrations.
    ///
    /// On PostgreSQL replicas start together (a rollout, a scale-up), so every pending
    /// migration runs in one transaction that first takes a lock on the service's schema: the
    /// first replica migrates, the others wait and then find nothing pending. Unlocked, two
    /// replicas both read the same pending list and the second fails on the tables the first
    /// created. One transaction also means a failed start leaves the schema as it was.
    /// Embedded SQLite belongs to one process.
    pub async fn migrate<M: MigratorTrait>(&self) -> Result<(), StorageError> {
        if self.backend == Backend::Sqlite {
            WithSharedTables::<M>::up(&self.conn, None).await?;
            return Ok(());
        }
        let txn = self.conn.begin().await?;
        // Keyed by schema: the services sharing the database migrate side by side.
        txn.execute_unprepared(
            "SELECT pg_advisory_xact_lock(hashtext('vipcare.migrate.' || current_schema()))",
        )
        .await?;
        WithSharedTables::<M>::up(&txn, None).await?;
        txn.commit().await?;
        Ok(())
    }

    /// A round trip to the server, for readiness checks.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.conn.ping().await?;
        Ok(())
    }
}

/// What the pool does with each connection it opens: TCP_NODELAY (see `nodelay`) and the
/// service's schema as its search_path (in one callback: the pool keeps one).
fn on_connect(
    service: &str,
) -> impl Fn(PoolOptions<Postgres>) -> PoolOptions<Postgres> + Send + Sync + 'static {
    let sql = format!("SET search_path = \"{}\"", service.replace('"', ""));
    move |pool| {
        let sql = sql.clone();
        pool.after_connect(move |conn, _| {
            let sql = sql.clone();
            Box::pin(async move {
                nodelay::on_every_tcp_socket();
                sqlx::Executor::execute(conn, sqlx::AssertSqlSafe(sql))
                    .await
                    .map(|_| ())
            })
        })
    }
}

/// Creates the service's schema before the pool pins its search_path to it.
async fn create_schema(url: &str, schema: &str) -> Result<(), StorageError> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let conn = sea_orm::Database::connect(options).await?;
    let sql = format!(
        "CREATE SCHEMA IF NOT EXISTS \"{}\"",
        schema.replace('"', "")
    );
    let result = conn
        .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await;
    let _ = conn.close().await;
    match result.map_err(StorageError::from) {
        // Two services creating their schemas at once can race on the catalog; either won.
        Ok(_) | Err(StorageError::UniqueViolation(_)) => Ok(()),
        Err(err) => Err(err),
    }
}
