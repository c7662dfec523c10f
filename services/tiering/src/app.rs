//! Start-up: open the database (SQLite file or the PostgreSQL schema "tiering"), bring the
//! schema up to date, seed the default policy and benefit catalogue on first start, bind the
//! listener and assemble the server. Evaluation runs left half-done by a stopped process are
//! picked up again once the service runs. The suite binary builds every service this way in
//! one process, handing each the same cache.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use vipcare_cache::Cache;
use vipcare_runtime::Settings;
use vipcare_runtime::server::{self, GrpcServer, ServeError};
use vipcare_storage::{Database, StorageError};

use crate::batch::Runner;
use crate::domain::{Clock, SystemClock};
use crate::error::Error;
use crate::grpc::TieringApi;
use crate::store::{self, Migrator};
use crate::upstream::Profile;

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("tiering database: {0}")]
    Storage(#[from] StorageError),
    #[error("tiering start-up: {0}")]
    Start(#[from] Error),
    #[error("services.profile: {0}")]
    ProfileUrl(String),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A tiering service, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    server: GrpcServer,
    runner: Arc<Runner>,
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

    /// As `build`, with the clock the service reads "now" from (tests stop it).
    pub async fn build_with_clock(
        settings: &Settings,
        cache: Cache,
        clock: Arc<dyn Clock>,
    ) -> Result<App, AppError> {
        let db = Database::connect(settings, "tiering").await?;
        db.migrate::<Migrator>().await?;
        store::seed::defaults(db.conn(), clock.now()).await?;
        let profile = Profile::connect_lazy(&settings.services.profile)
            .map_err(|e| AppError::ProfileUrl(e.to_string()))?;
        let listener = server::bind(&settings.tiering.listen).await?;
        let runner = Arc::new(Runner::new(
            db.clone(),
            cache.clone(),
            profile.clone(),
            clock.clone(),
        ));
        let api = TieringApi::new(db, cache, clock, profile, runner.clone());
        let server = GrpcServer::new(&settings.server)
            .add_service(api.into_server(settings.server.max_message_bytes));
        Ok(App {
            listener,
            server,
            runner,
        })
    }

    /// The address actually bound (the port is chosen by the OS when the setting says 0).
    pub fn local_addr(&self) -> SocketAddr {
        server::local_addr(&self.listener)
    }

    /// Serves until `shutdown` resolves, then drains in-flight calls. Runs a stopped process
    /// left behind are resumed in the background meanwhile.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let resumer = tokio::spawn(self.runner.clone().resume_abandoned());
        let served = self.server.serve(self.listener, shutdown).await;
        resumer.abort();
        served?;
        Ok(())
    }
}
