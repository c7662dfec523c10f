//! Start-up: open the database (SQLite file or the PostgreSQL schema "reminder"), bring the
//! schema up to date, replay the view invalidations a stopped process left, seed the default
//! rules and templates (only what is missing), build the channel adapters, bind the listener
//! and assemble the server. While it serves, the dispatch workers claim due reminders and send
//! them, invalidations left behind are replayed, and expired request keys are pruned; on shutdown
//! the workers finish the batch in hand (or leave it to their leases) before the process ends.
//! The suite binary builds every service this way in one process, handing each the same cache.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use vipcare_cache::Cache;
use vipcare_domain::{Clock, SystemClock};
use vipcare_runtime::server::{self, GrpcServer, ServeError};
use vipcare_runtime::settings::SettingsError;
use vipcare_storage::idempotency::Idempotency;
use vipcare_storage::invalidation::Replayer;
use vipcare_storage::{Database, StorageError};

use crate::benefits::TierBenefits;
use crate::channel::Channels;
use crate::dispatch::{DispatchPolicy, Dispatcher};
use crate::error::Error;
use crate::grpc::ReminderApi;
use crate::ingest::Ingest;
use crate::settings::{ReminderSettings, Settings};
use crate::stale::StaleViews;
use crate::store::{self, Migrator};
use crate::upstream::{CustomerDirectory, ProfileDirectory};

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Setting(#[from] SettingsError),
    #[error("reminder database: {0}")]
    Storage(#[from] StorageError),
    #[error("reminder start-up: {0}")]
    Start(#[from] Error),
    #[error("services.profile or services.tiering: {0}")]
    PeerUrl(String),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A reminder service, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    server: GrpcServer,
    requests: Idempotency,
    dispatcher: Arc<Dispatcher>,
    invalidations: Replayer,
    workers: u32,
}

/// How long the workers may take to finish the batch in hand once the server stopped; what
/// they leave is claimed again when its lease runs out.
const STOP_GRACE: Duration = Duration::from_secs(5);

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("local_addr", &self.local_addr())
            .field("workers", &self.workers)
            .finish()
    }
}

impl App {
    pub async fn build(settings: &Settings, cache: Cache) -> Result<App, AppError> {
        App::build_with_clock(settings, cache, Arc::new(SystemClock)).await
    }

    /// As `build`, with the clock the service reads "now" from (tests stop and move it).
    pub async fn build_with_clock(
        settings: &Settings,
        cache: Cache,
        clock: Arc<dyn Clock>,
    ) -> Result<App, AppError> {
        let credential = settings.internal.credential()?;
        let policy = policy(&settings.reminder)?;
        let channels = Channels::from_settings(&settings.reminder.channels, clock.clone())
            .map_err(SettingsError::from)?;
        let db = Database::connect(&settings.database, &settings.data_dir, "reminder").await?;
        db.migrate::<Migrator>().await?;
        // Before anything serves from this cache (in the suite, the gateway too): views a killed
        // process moved reminders of but never bumped are bumped now, or held by the cache.
        let invalidations = Replayer::new(db.clone(), cache.invalidator());
        invalidations.replay_all().await?;
        let stale = StaleViews::new(cache.invalidator());
        store::seed::defaults(db.conn(), clock.now())
            .await
            .map_err(Error::from)?;
        let peers = &settings.services;
        let directory: Arc<dyn CustomerDirectory> = Arc::new(
            ProfileDirectory::connect_lazy(&peers.profile, &peers.tiering, &credential)
                .map_err(|e| AppError::PeerUrl(e.to_string()))?,
        );
        let benefits = TierBenefits::connect_lazy(&peers.tiering, &credential)
            .map_err(|e| AppError::PeerUrl(e.to_string()))?;
        let listener = server::bind(&settings.reminder.listen).await?;
        let requests = Idempotency::new(&db, settings.database.idempotency_retention());
        let dispatcher = Arc::new(
            Dispatcher::new(
                db.clone(),
                Arc::new(channels),
                directory.clone(),
                clock.clone(),
                policy,
            )
            .with_stale_views(stale.clone()),
        );
        let ingest = Ingest::new(db.clone(), clock.clone()).with_stale_views(stale.clone());
        let api = ReminderApi::new(
            db,
            requests.clone(),
            clock,
            directory,
            Arc::new(benefits),
            dispatcher.clone(),
            ingest,
        )
        .with_stale_views(stale);
        let server = GrpcServer::internal(&settings.server, credential)
            .add_service(api.into_server(settings.server.max_message_bytes));
        Ok(App {
            listener,
            server,
            requests,
            dispatcher,
            invalidations,
            workers: settings.reminder.workers,
        })
    }

    /// The dispatcher the workers run: tests that move the clock call its `tick` directly.
    pub fn dispatcher(&self) -> Arc<Dispatcher> {
        self.dispatcher.clone()
    }

    /// The address actually bound (the port is chosen by the OS when the setting says 0).
    pub fn local_addr(&self) -> SocketAddr {
        server::local_addr(&self.listener)
    }

    /// Serves until `shutdown` resolves, then drains in-flight calls and stops the workers.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let pruner = tokio::spawn(self.requests.keep_pruned());
        let replayer = tokio::spawn(self.invalidations.run());
        let (stop, stopping) = watch::channel(false);
        let workers: Vec<_> = (0..self.workers)
            .map(|_| tokio::spawn(self.dispatcher.clone().run(stopping.clone())))
            .collect();
        if self.workers == 0 {
            tracing::info!(
                "no dispatch workers: this replica serves calls and leaves sending to others"
            );
        } else {
            tracing::info!(workers = self.workers, "dispatch workers started");
        }
        let served = self.server.serve(self.listener, shutdown).await;
        pruner.abort();
        replayer.abort();
        let _ = stop.send(true);
        for mut worker in workers {
            if tokio::time::timeout(STOP_GRACE, &mut worker).await.is_err() {
                worker.abort();
            }
        }
        served?;
        Ok(())
    }
}

/// The dispatch knobs of `[reminder]`, checked when the settings were loaded.
fn policy(settings: &ReminderSettings) -> Result<DispatchPolicy, SettingsError> {
    Ok(DispatchPolicy {
        merge_window: settings.merge_window(),
        daily_cap: settings.daily_caps()?,
        receipt_timeout: settings.receipt_timeout(),
        lease: settings.lease(),
        batch_size: settings.batch_size,
        ..DispatchPolicy::default()
    })
}
