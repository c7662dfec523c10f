//! Wiring: clients, policy, peer channels, views and the edge, bound to `gateway.listen` and
//! served by the shared GrpcServer (health, reflection, global concurrency limit, default
//! deadline and gRPC-Web come from there).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use vipcare_cache::Cache;
use vipcare_proto::service_names;
use vipcare_runtime::server::{self, GrpcServer};
use vipcare_runtime::settings::ServerSettings;

use crate::edge::{self, Clients, Edge, MonotonicClock, Policy, RateClock};
use crate::error::AppError;
use crate::grpc::{ChannelHandlers, ChannelServer};
use crate::proxy::{Peers, Proxy};
use crate::route::Peer;
use crate::settings::Settings;
use crate::view::{
    ComplaintReader, ProfileReader, Readers, ReminderReader, SurveyReader, TieringReader, Views,
};

/// A gateway bound to its port, ready to run.
pub struct App {
    listener: TcpListener,
    local_addr: SocketAddr,
    server: ServerSettings,
    grpc_web: bool,
    cors_origins: Vec<String>,
    edge: Edge<ChannelServer>,
}

impl App {
    /// Checks the client settings, prepares one lazy channel per peer and binds the listener.
    /// Nothing connects to a peer yet: the gateway starts even when the services are not up.
    pub async fn build(settings: &Settings, cache: Cache) -> Result<App, AppError> {
        App::build_with_rate_clock(settings, cache, Arc::new(MonotonicClock::default())).await
    }

    /// [`App::build`] with the clients' rate limits refilling by `clock` (tests move it by hand).
    pub async fn build_with_rate_clock(
        settings: &Settings,
        cache: Cache,
        clock: Arc<dyn RateClock>,
    ) -> Result<App, AppError> {
        let clients = Clients::from_settings_with_clock(&settings.gateway.clients, clock.clone())?
            .with_survey_link(
                settings.gateway.survey_link_per_second,
                settings.gateway.survey_link_burst,
                clock,
            );
        let credential = settings.internal.credential()?;
        let peers = Peers::connect_lazy(&settings.services, credential)?;
        let max_message_bytes = settings.server.max_message_bytes;
        let readers = Readers {
            profile: ProfileReader::new(peers.signed(Peer::Profile), max_message_bytes),
            tiering: TieringReader::new(peers.signed(Peer::Tiering), max_message_bytes),
            reminders: ReminderReader::new(peers.signed(Peer::Reminder), max_message_bytes),
            complaints: ComplaintReader::new(peers.signed(Peer::Complaint), max_message_bytes),
            surveys: SurveyReader::new(peers.signed(Peer::Survey), max_message_bytes),
        };
        let ttl = Duration::from_secs(settings.gateway.view_ttl_seconds);
        let views = Views::new(readers, cache, ttl);
        let handlers = ChannelHandlers::new(views);
        let channel = ChannelServer::new(handlers, max_message_bytes);
        let edge = edge::stack(
            Arc::new(clients),
            Arc::new(Policy::default()),
            channel,
            Proxy::new(peers, max_message_bytes),
        );
        let listener = server::bind(&settings.gateway.listen).await?;
        Ok(App {
            local_addr: server::local_addr(&listener),
            listener,
            server: settings.server.clone(),
            grpc_web: settings.gateway.grpc_web,
            cors_origins: settings.gateway.cors_origins.clone(),
            edge,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` resolves, then drains in-flight calls.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        GrpcServer::new(&self.server)
            // ChannelService sits behind the edge, but health reports it like any service.
            .serving(service_names::CHANNEL)
            .fallback(self.edge)
            .grpc_web(self.grpc_web)
            .cors_origins(&self.cors_origins)
            .serve(self.listener, shutdown)
            .await?;
        Ok(())
    }
}
