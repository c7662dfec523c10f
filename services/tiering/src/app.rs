//! Start-up: open the database (SQLite file or the PostgreSQL schema "tiering"), bring the
//! schema up to date, replay the cache invalidations a stopped process left (and, while it
//! serves, those another replica left), seed the default policy and benefit catalogue on first
//! start, bind the listener and assemble the server. While it serves, background work runs beside it:
//! the monthly evaluation run starts on its schedule (one replica each time), evaluation runs
//! left half-done by a stopped process are picked up again, overrides that ran
//! out are closed and told (`expiry`), and the outbox relay delivers tier-change notices to the
//! reminder service (`reminder`). The suite binary builds every service this way in one
//! process, handing each the same cache.

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
use vipcare_storage::schedule::Scheduler;
use vipcare_storage::{Database, StorageError};

use crate::batch::Runner;
use crate::domain::{Clock, SystemClock};
use crate::error::Error;
use crate::expiry::OverrideExpiry;
use crate::grpc::{Peers, TieringApi};
use crate::schedule;
use crate::service_history::ServiceHistory;
use crate::settings::Settings;
use crate::store::{self, Migrator};
use crate::survey::Survey;
use crate::upstream::Profile;

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Setting(#[from] SettingsError),
    #[error("tiering database: {0}")]
    Storage(#[from] StorageError),
    #[error("tiering start-up: {0}")]
    Start(#[from] Error),
    #[error("services.profile: {0}")]
    ProfileUrl(String),
    #[error("services.reminder: {0}")]
    ReminderUrl(String),
    #[error("services.complaint: {0}")]
    ComplaintUrl(String),
    #[error("services.survey: {0}")]
    SurveyUrl(String),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A tiering service, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    server: GrpcServer,
    runner: Arc<Runner>,
    requests: Idempotency,
    expiry: Arc<OverrideExpiry>,
    relay: OutboxRelay,
    invalidations: Replayer,
    /// Starts the evaluation run on its schedule (none when runs are manual only).
    evaluations: Option<Arc<Scheduler>>,
}

/// How long background work may take to finish what it is doing once the server stopped;
/// what it leaves is safe to redo (transactions roll back, outbox leases run out).
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

    /// As `build`, with the clock the service reads "now" from (tests stop it).
    pub async fn build_with_clock(
        settings: &Settings,
        cache: Cache,
        clock: Arc<dyn Clock>,
    ) -> Result<App, AppError> {
        let credential = settings.internal.credential()?;
        let db = Database::connect(&settings.database, &settings.data_dir, "tiering").await?;
        db.migrate::<Migrator>().await?;
        // Before anything serves from this cache (in the suite, the gateway too): invalidations
        // a killed process committed but never bumped are bumped now, or, with Redis down, held
        // by the cache, which then reads nothing from Redis until they are written.
        let invalidations = Replayer::new(db.clone(), cache.invalidator());
        invalidations.replay_all().await?;
        store::seed::defaults(db.conn(), clock.now()).await?;
        let profile = Profile::connect_lazy(&settings.services.profile, &credential)
            .map_err(|e| AppError::ProfileUrl(e.to_string()))?;
        let history = ServiceHistory::connect_lazy(
            &settings.services.complaint,
            &settings.services.profile,
            &credential,
        )
        .map_err(|e| AppError::ComplaintUrl(e.to_string()))?;
        let survey = Survey::connect_lazy(&settings.services.survey, &credential)
            .map_err(|e| AppError::SurveyUrl(e.to_string()))?;
        let reminder = crate::reminder::connect_lazy(&settings.services.reminder, &credential)
            .map_err(|e| AppError::ReminderUrl(e.to_string()))?;
        let listener = server::bind(&settings.tiering.listen).await?;
        let runner = Arc::new(Runner::new(
            db.clone(),
            cache.clone(),
            profile.clone(),
            survey.clone(),
            clock.clone(),
        ));
        let evaluations = settings.tiering.evaluation_schedule()?.map(|on| {
            Arc::new(schedule::evaluation_runs(
                db.clone(),
                on,
                clock.clone(),
                runner.clone(),
            ))
        });
        let requests = Idempotency::new(&db, settings.database.idempotency_retention());
        let expiry = Arc::new(OverrideExpiry::new(
            db.clone(),
            cache.clone(),
            clock.clone(),
        ));
        let relay = OutboxRelay::new(db.clone(), Arc::new(reminder));
        let api = TieringApi::new(
            db,
            requests.clone(),
            cache,
            clock,
            Peers {
                profile,
                history,
                survey,
            },
            runner.clone(),
        );
        let server = GrpcServer::internal(&settings.server, credential)
            .add_service(api.into_server(settings.server.max_message_bytes));
        Ok(App {
            listener,
            server,
            runner,
            requests,
            expiry,
            relay,
            invalidations,
            evaluations,
        })
    }

    /// The pass that closes overrides that ran out: it runs on its own while the service
    /// runs; tests that move the clock call it directly.
    pub fn override_expiry(&self) -> Arc<OverrideExpiry> {
        self.expiry.clone()
    }

    /// What starts the evaluation run on its schedule (none when runs are manual only): it
    /// looks on its own while the service runs; tests that move the clock call it directly.
    pub fn scheduled_runs(&self) -> Option<Arc<Scheduler>> {
        self.evaluations.clone()
    }

    /// The address actually bound (the port is chosen by the OS when the setting says 0).
    pub fn local_addr(&self) -> SocketAddr {
        server::local_addr(&self.listener)
    }

    /// Serves until `shutdown` resolves, then drains in-flight calls and stops the background
    /// work. Runs a stopped process left behind are resumed meanwhile.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let resumer = tokio::spawn(self.runner.clone().resume_abandoned());
        let pruner = tokio::spawn(self.requests.keep_pruned());
        let replayer = tokio::spawn(self.invalidations.run());
        let scheduled = self.evaluations.map(|s| tokio::spawn(s.run()));
        let (stop, stopping) = watch::channel(false);
        let until_stopped = || {
            let mut stopping = stopping.clone();
            async move {
                // Err: the sender is gone, which also means stop.
                let _ = stopping.wait_for(|stop| *stop).await;
            }
        };
        let expiry = tokio::spawn(self.expiry.run(until_stopped()));
        let relay = tokio::spawn(self.relay.run(until_stopped()));
        let served = self.server.serve(self.listener, shutdown).await;
        resumer.abort();
        // Runs under way hand their leases back for a replica that is still up.
        if tokio::time::timeout(STOP_GRACE, self.runner.stop())
            .await
            .is_err()
        {
            tracing::warn!(
                "evaluation runs still writing at the stop; their leases run out instead"
            );
        }
        pruner.abort();
        replayer.abort();
        if let Some(scheduled) = scheduled {
            scheduled.abort();
        }
        let _ = stop.send(true);
        for mut task in [expiry, relay] {
            if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
                task.abort();
            }
        }
        served?;
        Ok(())
    }
}
