//! Start-up: open the database (SQLite file or the PostgreSQL schema "profile"), bring the
//! schema up to date, replay the cache invalidations a stopped process left, bind the listener
//! and assemble the server. The suite binary builds every service this way in one process,
//! handing each the same cache.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use vipcare_cache::Cache;
use vipcare_runtime::server::{self, GrpcServer, ServeError};
use vipcare_runtime::settings::SettingsError;
use vipcare_storage::idempotency::Idempotency;
use vipcare_storage::invalidation::Replayer;
use vipcare_storage::outbox::OutboxRelay;
use vipcare_storage::{Database, StorageError};

use crate::domain::{Clock, SystemClock};
use crate::grpc::ProfileApi;
use crate::reminder;
use crate::settings::Settings;
use crate::store::Migrator;

/// How long the relay may finish a delivery in flight once the service stops.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Setting(#[from] SettingsError),
    #[error("profile database: {0}")]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A profile service, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    server: GrpcServer,
    requests: Idempotency,
    invalidations: Replayer,
    /// Delivers sensitive-query notices to the reminder service.
    relay: OutboxRelay,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("local_addr", &self.local_addr())
            .finish()
    }
}

impl App {
    pub async fn build(settings: &Settings, cache: Cache) -> Result<App, AppError> {
        App::build_with_clock(settings, cache, Arc::new(SystemClock)).await
    }

    /// As `build`, with the clock the service reads "now" and "today" from (tests stop it).
    pub async fn build_with_clock(
        settings: &Settings,
        cache: Cache,
        clock: Arc<dyn Clock>,
    ) -> Result<App, AppError> {
        let credential = settings.internal.credential()?;
        let db = Database::connect(&settings.database, &settings.data_dir, "profile").await?;
        db.migrate::<Migrator>().await?;
        // Before anything serves from this cache (in the suite, the gateway too): invalidations
        // a killed process committed but never bumped are bumped now, or, with Redis down, held
        // by the cache, which then reads nothing from Redis until they are written.
        let invalidations = Replayer::new(db.clone(), cache.invalidator());
        invalidations.replay_all().await?;
        let listener = server::bind(&settings.profile.listen).await?;
        let requests = Idempotency::new(&db, settings.database.idempotency_retention());
        let notices =
            reminder::connect_lazy(&settings.services.reminder, &credential).map_err(|e| {
                SettingsError::Invalid {
                    key: "services.reminder".into(),
                    reason: e.to_string(),
                }
            })?;
        let relay = OutboxRelay::new(db.clone(), Arc::new(notices));
        let api = ProfileApi::new(db, requests.clone(), cache, clock);
        let server = GrpcServer::internal(&settings.server, credential)
            .add_service(api.into_server(settings.server.max_message_bytes));
        Ok(App {
            listener,
            server,
            requests,
            invalidations,
            relay,
        })
    }

    /// The address actually bound (the port is chosen by the OS when the setting says 0).
    pub fn local_addr(&self) -> SocketAddr {
        server::local_addr(&self.listener)
    }

    /// Serves until `shutdown` resolves, then drains in-flight calls.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let pruner = tokio::spawn(self.requests.keep_pruned());
        let replayer = tokio::spawn(self.invalidations.run());
        let (stop, stopping) = watch::channel(false);
        let mut relay = tokio::spawn(self.relay.run(async move {
            let mut stopping = stopping;
            // Err: the sender is gone, which also means stop.
            let _ = stopping.wait_for(|stop| *stop).await;
        }));
        let served = self.server.serve(self.listener, shutdown).await;
        pruner.abort();
        replayer.abort();
        let _ = stop.send(true);
        // A delivery in flight finishes (its row is acknowledged) unless it hangs.
        if tokio::time::timeout(STOP_GRACE, &mut relay).await.is_err() {
            relay.abort();
        }
        served?;
        Ok(())
    }
}
