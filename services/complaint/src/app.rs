//! Start-up: open the database (SQLite file or the PostgreSQL schema "complaint"), bring the
//! schema up to date, connect lazily to the profile and tiering (who the customer is) and to
//! the reminder service (where the outbox relay sends notices) and the survey service (where a
//! second relay sends resolved complaints' survey invitations), bind the listener and assemble
//! the server. While it serves, the background pass escalates clocks, closes resolved
//! complaints left unanswered, and sends progress notices; the relay delivers the outbox; expired
//! request keys are pruned. The suite binary builds every service this way in one process.
//!
//! The gateway caches each customer's view (their open complaints in it) and caller look-up
//! under the customer's tag, which every complaint write records in its transaction (see
//! `store::complaints`). Calls bump it after their commit, before they answer (the request_id
//! flow settles it); the background pass's writes are bumped by the replayer within a second
//! or two; a process killed between commit and bump leaves its record, replayed at start-up.

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
use vipcare_storage::outbox::OutboxRelay;
use vipcare_storage::{Database, StorageError};

use crate::grpc::ComplaintApi;
use crate::notices;
use crate::settings::Settings;
use crate::store::Migrator;
use crate::sweep::Sweep;
use crate::upstream::{Directory, Peers};

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Setting(#[from] SettingsError),
    #[error("complaint database: {0}")]
    Storage(#[from] StorageError),
    #[error("services.profile, services.tiering, services.reminder or services.survey: {0}")]
    PeerUrl(String),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A complaint service, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    server: GrpcServer,
    requests: Idempotency,
    sweep: Arc<Sweep>,
    sweep_every: Option<Duration>,
    relay: OutboxRelay,
    /// Survey invitations, to the survey service.
    invitations: OutboxRelay,
    invalidations: Replayer,
}

/// How long background work may take to finish what it holds once the server stopped; what
/// it leaves is safe to redo (transactions roll back, outbox leases run out).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How soon the replayer bumps what the background pass recorded (an automatic close, an
/// escalation): nobody waits on an answer for those, but an agent looking at the customer's
/// view should not see the old state for long. A call's own record is settled before it
/// answers; one of another replica's calls is bumped twice at worst, which is harmless.
const PASS_CHANGES_SHOWN_AFTER: Duration = Duration::from_secs(1);

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
        let rules = Arc::new(settings.complaint.rules()?);
        let db = Database::connect(&settings.database, &settings.data_dir, "complaint").await?;
        db.migrate::<Migrator>().await?;
        // Before anything serves from this cache (in the suite, the gateway too): views a killed
        // process changed complaints of but never bumped are bumped now, or held by the cache.
        let invalidations = Replayer::new(db.clone(), cache.invalidator())
            .left_after(PASS_CHANGES_SHOWN_AFTER)
            .every(PASS_CHANGES_SHOWN_AFTER);
        invalidations.replay_all().await?;
        let peers = &settings.services;
        let directory: Arc<dyn Directory> = Arc::new(
            Peers::connect_lazy(&peers.profile, &peers.tiering, &credential)
                .map_err(|e| AppError::PeerUrl(e.to_string()))?,
        );
        let reminder = crate::relay::connect_lazy(&peers.reminder, &credential)
            .map_err(|e| AppError::PeerUrl(e.to_string()))?;
        let relay =
            OutboxRelay::new(db.clone(), Arc::new(reminder)).only_to(&[notices::DESTINATION]);
        let survey = crate::relay::connect_survey_lazy(&peers.survey, &credential)
            .map_err(|e| AppError::PeerUrl(e.to_string()))?;
        // Invitations wait for the next poll (half a second), not a wake-up: nobody waits on
        // them, and the reminder relay's rows are never held behind them.
        let invitations =
            OutboxRelay::new(db.clone(), Arc::new(survey)).only_to(&[notices::SURVEY_DESTINATION]);
        let listener = server::bind(&settings.complaint.listen).await?;
        let requests = Idempotency::new(&db, settings.database.idempotency_retention())
            .settling(StaleViews::new(cache.invalidator()));
        let sweep = Arc::new(Sweep::new(
            db.clone(),
            clock.clone(),
            relay.waker(),
            rules.clone(),
            settings.complaint.sweep_batch,
        ));
        let api = ComplaintApi::new(db, requests.clone(), clock, directory, relay.waker(), rules);
        let server = GrpcServer::internal(&settings.server, credential)
            .add_service(api.into_server(settings.server.max_message_bytes));
        Ok(App {
            listener,
            server,
            requests,
            sweep,
            sweep_every: settings.complaint.sweep_every(),
            relay,
            invitations,
            invalidations,
        })
    }

    /// The background pass: it runs on its own while the service runs; tests that move the
    /// clock call its `pass` directly.
    pub fn sweep(&self) -> Arc<Sweep> {
        self.sweep.clone()
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
        let mut tasks = vec![
            tokio::spawn(self.relay.run(until_stopped())),
            tokio::spawn(self.invitations.run(until_stopped())),
        ];
        match self.sweep_every {
            Some(every) => tasks.push(tokio::spawn(self.sweep.run(every, until_stopped()))),
            None => {
                tracing::info!("complaint pass off on this replica (complaint.sweep_seconds = 0)")
            }
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
