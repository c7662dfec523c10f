//! What the bench drives: a running gateway given with `--target` and `--api-key`, or a suite of
//! its own started in-process on port 0 with a fresh store (a temporary SQLite directory, or a
//! new PostgreSQL database and a Redis key prefix of its own when the environment names them)
//! and one bench client whose rate limit never throttles the run. A subcommand that must fill
//! the store before any service works on it (`reminders`: a backlog the dispatcher would start
//! on while it loads) prepares the in-process suite, loads, then starts it.

use std::time::Duration;

use anyhow::Context;
use rand::RngCore;
use tempfile::TempDir;
use tonic::transport::{Channel, Endpoint};
use vipcare_gateway::settings::ClientSettings;
use vipcare_runtime::telemetry::TelemetryGuard;
use vipcare_suite::Settings;
use vipcare_suite::Suite;
use vipcare_suite::demo::keys::sha256_hex;

use crate::cli::TargetArgs;
use crate::fresh::{BenchDatabase, BenchKeys};

/// The bench client's scopes: everything the subcommands call takes, nothing more.
const BENCH_SCOPES: &[&str] = &[
    "customer:read",
    "customer:write",
    "consumption:write",
    "note:write",
    "caller:lookup",
    "batch:read",
    "tier:read",
    "tier:admin",
    "reminder:read",
    "reminder:write",
    "event:ingest",
    "complaint:read",
    "survey:read",
    "survey:write",
    "survey:respond",
];

pub(crate) struct Target {
    /// host:port of the gateway.
    pub addr: String,
    pub api_key: String,
    /// "remote", or the in-process suite's store and cache, e.g. "postgres+redis".
    pub backend: String,
    own: Option<OwnSuite>,
}

struct OwnSuite {
    suite: Suite,
    settings: Settings,
    database: Option<BenchDatabase>,
    keys: Option<BenchKeys>,
    _data_dir: TempDir,
    _telemetry: TelemetryGuard,
}

/// An in-process suite's settings and fresh store, not started yet.
pub(crate) struct Prepared {
    /// The suite's settings: the store to load, and what may still be adjusted before start.
    pub settings: Settings,
    api_key: String,
    backend: String,
    database: Option<BenchDatabase>,
    keys: Option<BenchKeys>,
    data_dir: TempDir,
    telemetry: TelemetryGuard,
}

impl Target {
    pub async fn open(args: &TargetArgs) -> anyhow::Result<Target> {
        match Target::remote(args) {
            Some(target) => Ok(target),
            None => Prepared::new().await?.start().await,
        }
    }

    /// The running gateway `--target` names, if it names one.
    pub fn remote(args: &TargetArgs) -> Option<Target> {
        match (&args.target, &args.api_key) {
            (Some(addr), Some(key)) => Some(Target {
                addr: addr.clone(),
                api_key: key.clone(),
                backend: "remote".into(),
                own: None,
            }),
            _ => None,
        }
    }

    /// The in-process suite's settings (its store), None for a remote target.
    pub fn settings(&self) -> Option<&Settings> {
        self.own.as_ref().map(|own| &own.settings)
    }

    /// "in-process" or "remote".
    pub fn kind(&self) -> &'static str {
        if self.own.is_some() {
            "in-process"
        } else {
            "remote"
        }
    }

    /// `count` separate HTTP/2 connections to the gateway.
    pub async fn connect(&self, count: usize) -> anyhow::Result<Vec<Channel>> {
        let endpoint = Endpoint::from_shared(format!("http://{}", self.addr))?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(5));
        let mut channels = Vec::with_capacity(count);
        for _ in 0..count {
            // Each connect() is its own connection; clones of a Channel share one.
            let channel = endpoint
                .connect()
                .await
                .with_context(|| format!("connecting to {}", self.addr))?;
            channels.push(channel);
        }
        Ok(channels)
    }

    /// Stops the in-process suite and removes its database and Redis keys.
    pub async fn close(self) {
        if let Some(own) = self.own {
            if let Err(err) = own.suite.shutdown().await {
                eprintln!("vipcare-bench: the suite stopped with an error: {err}");
            }
            if let Some(db) = own.database {
                db.remove().await;
            }
            if let Some(keys) = own.keys {
                keys.remove().await;
            }
        }
    }
}

impl Prepared {
    /// The environment's settings (VIPCARE__DATABASE__URL, VIPCARE__CACHE__REDIS_URL...), moved
    /// to free ports and a store nobody else uses, with the bench client.
    pub async fn new() -> anyhow::Result<Prepared> {
        let mut settings = Settings::load(None).context("settings")?;
        let data_dir = tempfile::tempdir().context("temporary data directory")?;
        settings.data_dir = data_dir.path().to_owned();
        for listen in [
            &mut settings.profile.listen,
            &mut settings.tiering.listen,
            &mut settings.reminder.listen,
            &mut settings.complaint.listen,
            &mut settings.survey.listen,
            &mut settings.gateway.listen,
        ] {
            *listen = "127.0.0.1:0".into();
        }
        if std::env::var_os("RUST_LOG").is_none() {
            settings.telemetry.log_level = "warn".into();
        }
        let database = match &settings.database.url {
            Some(url) => Some(BenchDatabase::create(url).await.context("bench database")?),
            None => None,
        };
        if let Some(db) = &database {
            settings.database.url = Some(db.url.clone());
        }
        settings.cache.key_prefix = format!("vipcare-bench-{}:", random_hex(6));
        let keys = settings.cache.redis_url.clone().map(|url| BenchKeys {
            url,
            prefix: settings.cache.key_prefix.clone(),
        });
        let api_key = random_hex(32);
        settings.gateway.clients = vec![ClientSettings {
            name: "bench".into(),
            channel: "admin".into(),
            api_key_sha256: sha256_hex(&api_key),
            scopes: BENCH_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            rate_per_second: 1e9,
            burst: u32::MAX,
        }];
        let backend = format!(
            "{}+{}",
            if database.is_some() {
                "postgres"
            } else {
                "sqlite"
            },
            if settings.cache.redis_url.is_some() {
                "redis"
            } else {
                "in-process-cache"
            },
        );
        let telemetry = vipcare_runtime::telemetry::init(&settings.telemetry, "vipcare-bench");
        Ok(Prepared {
            settings,
            api_key,
            backend,
            database,
            keys,
            data_dir,
            telemetry,
        })
    }

    /// "sqlite+in-process-cache", "postgres+redis"...
    pub fn backend(&self) -> &str {
        &self.backend
    }

    /// Starts the suite on the prepared store; on failure the store is removed.
    pub async fn start(self) -> anyhow::Result<Target> {
        let suite = match Suite::start(self.settings.clone()).await {
            Ok(suite) => suite,
            Err(err) => {
                self.discard().await;
                return Err(err).context("starting the suite");
            }
        };
        Ok(Target {
            addr: suite.gateway_addr().to_string(),
            api_key: self.api_key,
            backend: self.backend,
            own: Some(OwnSuite {
                suite,
                settings: self.settings,
                database: self.database,
                keys: self.keys,
                _data_dir: self.data_dir,
                _telemetry: self.telemetry,
            }),
        })
    }

    /// Removes the store without starting the suite (loading it failed).
    pub async fn discard(self) {
        if let Some(db) = self.database {
            db.remove().await;
        }
        if let Some(keys) = self.keys {
            keys.remove().await;
        }
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
