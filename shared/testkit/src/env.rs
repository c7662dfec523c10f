//! One isolated environment per test: a temporary data directory, and on PostgreSQL a database
//! created for the test and dropped after it, with a Redis key prefix nobody else uses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use tempfile::TempDir;
use tonic::transport::{Channel, Endpoint};
use vipcare_cache::{Cache, CacheSettings};
use vipcare_runtime::settings::{self, InternalSettings, Sections, SettingsError};
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::sea_orm::{self, ConnectionTrait, DbBackend, Statement};
use vipcare_storage::{Database, DatabaseSettings};

const DATABASE_VAR: &str = "VIPCARE_TEST_DATABASE_URL";
const REDIS_VAR: &str = "VIPCARE_TEST_REDIS_URL";
const REQUIRE_VAR: &str = "VIPCARE_TEST_REQUIRE_SERVICES";

/// Everything a test needs to start servers on one backend.
pub struct TestEnv {
    /// "sqlite" or "postgres+redis": put it in assertion messages.
    pub label: &'static str,
    base: String,
    shared: Shared,
    _dir: TempDir,
    database: Option<FreshDatabase>,
}

impl std::fmt::Debug for TestEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestEnv")
            .field("label", &self.label)
            .finish()
    }
}

impl TestEnv {
    /// Every backend this run is configured for. Without the variables only the embedded one;
    /// with `VIPCARE_TEST_REQUIRE_SERVICES=1` a missing or unreachable server fails the test.
    pub async fn all() -> Vec<TestEnv> {
        let mut envs = vec![TestEnv::embedded().await];
        let require = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
        match (std::env::var(DATABASE_VAR), std::env::var(REDIS_VAR)) {
            (Ok(db), Ok(redis)) => match TestEnv::external(&db, &redis).await {
                Ok(env) => envs.push(env),
                Err(reason) if require => panic!("{REQUIRE_VAR}=1 but {reason}"),
                Err(reason) => eprintln!("skipping PostgreSQL+Redis: {reason}"),
            },
            _ if require => panic!("{REQUIRE_VAR}=1 but {DATABASE_VAR} or {REDIS_VAR} is not set"),
            _ => {}
        }
        envs
    }

    /// Embedded SQLite in a fresh temporary directory and an in-process cache.
    pub async fn embedded() -> TestEnv {
        let dir = tempfile::tempdir().expect("temporary directory");
        let base = format!("data_dir = \"{}\"\n{}", dir.path().display(), LOCAL_BASE);
        TestEnv::new("sqlite", base, dir, None)
    }

    async fn external(db_url: &str, redis_url: &str) -> Result<TestEnv, String> {
        let database = FreshDatabase::create(db_url).await?;
        check_redis(redis_url).await?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let prefix = format!("test-{}:", uuid::Uuid::new_v4().simple());
        let base = format!(
            "data_dir = \"{}\"\n{LOCAL_BASE}\n[database]\nurl = \"{}\"\nconnect_timeout_ms = 5000\n\
             [cache]\nredis_url = \"{redis_url}\"\nkey_prefix = \"{prefix}\"\n",
            dir.path().display(),
            database.url
        );
        Ok(TestEnv::new("postgres+redis", base, dir, Some(database)))
    }

    fn new(
        label: &'static str,
        base: String,
        dir: TempDir,
        database: Option<FreshDatabase>,
    ) -> Self {
        let shared = settings::from_toml(&base).expect("test settings are valid");
        TestEnv {
            label,
            base,
            shared,
            _dir: dir,
            database,
        }
    }

    /// The environment's settings as the sections `S` (a service's, the suite's): every
    /// listener on 127.0.0.1:0.
    pub fn settings<S: Sections>(&self) -> S {
        settings::from_toml(&self.base).expect("test settings are valid")
    }

    /// The environment's settings with `extra` TOML layered on top (gateway clients, peers…).
    pub fn settings_with<S: Sections>(&self, extra: &str) -> S {
        settings::from_toml_layers(&[&self.base, extra]).expect("extra test settings are valid")
    }

    /// The environment's `[database]`.
    pub fn database_settings(&self) -> &DatabaseSettings {
        &self.shared.database
    }

    /// The environment's `[cache]`.
    pub fn cache_settings(&self) -> &CacheSettings {
        &self.shared.cache
    }

    /// Where the environment's embedded databases live.
    pub fn data_dir(&self) -> &Path {
        &self.shared.data_dir
    }

    /// The store of `service` on this environment's backend, as the service opens it.
    pub async fn database(&self, service: &str) -> Database {
        Database::connect(&self.shared.database, &self.shared.data_dir, service)
            .await
            .expect("the test database opens")
    }

    /// The environment's cache (Redis with the env's own prefix, or a new in-process one).
    pub async fn cache(&self) -> Cache {
        Cache::connect(&self.shared.cache)
            .await
            .expect("test cache settings are valid")
    }

    /// The credential of this env's services: what the gateway and sibling services sign with.
    pub fn internal_credential(&self) -> InternalCredential {
        self.shared
            .internal
            .credential()
            .expect("test settings carry an internal secret")
    }

    /// A channel to a service at `addr` whose calls carry the env's internal credential, as the
    /// gateway's do. Connects on first use.
    pub fn internal_channel(&self, addr: std::net::SocketAddr) -> InternalChannel {
        self.internal_credential().channel(plain_channel(addr))
    }

    /// Whether the env runs on PostgreSQL (for tests that must stop a real server, say).
    pub fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.url.as_str())
    }
}

/// The sections every test reads, whatever it starts.
#[derive(Debug, Deserialize)]
struct Shared {
    data_dir: PathBuf,
    database: DatabaseSettings,
    cache: CacheSettings,
    internal: InternalSettings,
}

impl Sections for Shared {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_storage::settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.database.check()?;
        self.cache.check()?;
        self.internal.check()
    }
}

/// Every listener on port 0, no evaluation run on a schedule (tests move their clocks across
/// months; one that tests the schedule sets it), and the internal secret every service of the
/// env shares (fixed: a test that must not hold it builds a plain channel instead).
const LOCAL_BASE: &str = "[profile]\nlisten = \"127.0.0.1:0\"\n[tiering]\nlisten = \"127.0.0.1:0\"\nevaluation_schedule = \"\"\n\
[reminder]\nlisten = \"127.0.0.1:0\"\n[complaint]\nlisten = \"127.0.0.1:0\"\n\
[survey]\nlisten = \"127.0.0.1:0\"\n[gateway]\nlisten = \"127.0.0.1:0\"\n\
[internal]\nsecret = \"vipcare-tests-internal-secret-0123456789\"\n";

/// A channel to `addr` without any credential: what a stray process on the network has.
pub fn plain_channel(addr: std::net::SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .expect("a socket address is a valid endpoint")
        .connect_lazy()
}

async fn check_redis(url: &str) -> Result<(), String> {
    let addr = url
        .trim_start_matches("redis://")
        .trim_start_matches("rediss://")
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    match tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        _ => Err(format!("Redis at {addr} is not reachable")),
    }
}

/// A database made for one test and dropped when the test ends.
struct FreshDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl FreshDatabase {
    async fn create(admin_url: &str) -> Result<FreshDatabase, String> {
        let name = format!("vipcare_t_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(admin_url)
            .await
            .map_err(|e| format!("PostgreSQL at {admin_url} is not reachable: {e}"))?;
        admin
            .execute_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .map_err(|e| format!("cannot create a test database: {e}"))?;
        let _ = admin.close().await;
        let url = match admin_url.rsplit_once('/') {
            Some((server, _db)) => format!("{server}/{name}"),
            None => return Err(format!("{admin_url} names no database")),
        };
        Ok(FreshDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a runtime of our own on a thread does the async work.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async {
                if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin
                        .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}
