//! Start-up: open the database (SQLite file or the PostgreSQL schema "survey"), bring the
//! schema up to date, store the seeded scenarios that are missing, connect lazily to the
//! profile and tiering (who the customer is) and to the reminder and complaint services (where
//! the outbox relays send invitations and follow-ups), bind the listener and assemble the
//! server. While it serves, the roller folds new responses into the daily roll-ups, the relays
//! deliver the outbox, views left stale by a stopped process are bumped and expired request
//! keys are pruned. The suite binary builds every service this way in one process.

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
use vipcare_storage::invalidation::{Replayer, StaleViews};
use vipcare_storage::{Database, StorageError};

use crate::grpc::{SurveyApi, Wiring};
use crate::relay::Relays;
use crate::roller::Roller;
use crate::settings::Settings;
use crate::store::{Migrator, StoreError, scenarios};
use crate::upstream::{Directory, Peers};

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Setting(#[from] SettingsError),
    #[error("survey database: {0}")]
    Storage(#[from] StorageError),
    #[error("survey database: {0}")]
    Store(#[from] StoreError),
    #[error("services.profile, services.tiering, services.reminder or services.complaint: {0}")]
    PeerUrl(String),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A survey service, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    server: GrpcServer,
    requests: Idempotency,
    roller: Roller,
    roll_every: Option<Duration>,
    relays: Relays,
    invalidations: Replayer,
}

/// How long background work may take to finish what it holds once the server stopped; what
/// it leaves is safe to redo (transactions roll back, outbox leases run out).
const STOP_GRACE: Duration = Duration::from_secs(5);

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

    /// As `build`, with the clock the service reads "now" from (tests stop and move it).
    pub async fn build_with_clock(
        settings: &Settings,
        cache: Cache,
        clock: Arc<dyn Clock>,
    ) -> Result<App, AppError> {
        let credential = settings.internal.credential()?;
        let starting = Arc::new(settings.survey.starting_policy()?);
        let db = Database::connect(&settings.database, &settings.data_dir, "survey").await?;
        db.migrate::<Migrator>().await?;
        // Before anything serves from this cache (in the suite, the gateway too): views whose
        // satisfaction a killed process changed but never bumped are bumped now.
        let invalidations = Replayer::new(db.clone(), cache.invalidator());
        invalidations.replay_all().await?;
        let seeded = scenarios::ensure_seeded(db.conn(), clock.now()).await?;
        if seeded > 0 {
            tracing::info!(scenarios = seeded, "seeded scenarios stored");
        }
        let peers = &settings.services;
        let directory: Arc<dyn Directory> = Arc::new(
            Peers::connect_lazy(&peers.profile, &peers.tiering, &credential)
                .map_err(|e| AppError::PeerUrl(e.to_string()))?,
        );
        let relays = Relays::connect_lazy(&db, &peers.reminder, &peers.complaint, &credential)
            .map_err(|e| AppError::PeerUrl(e.to_string()))?;
        let listener = server::bind(&settings.survey.listen).await?;
        let stale = StaleViews::new(cache.invalidator());
        let requests = Idempotency::new(&db, settings.database.idempotency_retention())
            .settling(stale.clone());
        let roller = Roller::new(db.clone(), settings.survey.roll_batch);
        let api = SurveyApi::new(
            db,
            Wiring {
                requests: requests.clone(),
                stale,
                clock,
                directory,
                invitations: relays.invitations.waker(),
                follow_ups: relays.follow_ups.waker(),
                settings: Arc::new(settings.survey.clone()),
                starting,
            },
        );
        let server = GrpcServer::internal(&settings.server, credential)
            .add_service(api.into_server(settings.server.max_message_bytes));
        Ok(App {
            listener,
            server,
            requests,
            roller,
            roll_every: settings.survey.roll_every(),
            relays,
            invalidations,
        })
    }

    /// The roller: it runs on its own while the service runs (unless `roll_seconds` is 0);
    /// tests call its `roll_all` directly.
    pub fn roller(&self) -> Roller {
        self.roller.clone()
    }

    /// The address actually bound (the port is chosen by the OS when the setting says 0).
    pub fn local_addr(&self) -> SocketAddr {
        server::local_addr(&self.listener)
    }

    /// Serves until `shutdown` resolves, then drains in-flight calls and stops the background
    /// work.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let pruner = tokio::spawn(self.requests.keep_pruned());
        let replayer = tokio::spawn(self.invalidations.run());
        let (stop, stopping) = watch::channel(false);
        let until_stopped = || {
            let mut stopping = stopping.clone();
            async move {
                // Err: the sender is gone, which also means stop.
                let _ = stopping.wait_for(|stop| *stop).await;
            }
        };
        let Relays {
            invitations,
            follow_ups,
        } = self.relays;
        let mut tasks = vec![
            tokio::spawn(invitations.run(until_stopped())),
            tokio::spawn(follow_ups.run(until_stopped())),
        ];
        match self.roll_every {
            Some(every) => tasks.push(tokio::spawn(self.roller.run(every, until_stopped()))),
            None => tracing::info!("survey roller off on this replica (survey.roll_seconds = 0)"),
        }
        let served = self.server.serve(self.listener, shutdown).await;
        pruner.abort();
        replayer.abort();
        let _ = stop.send(true);
        for mut task in tasks {
            if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
                task.abort();
            }
        }
        served?;
        Ok(())
    }
}
