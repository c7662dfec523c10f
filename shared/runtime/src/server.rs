//! One gRPC server builder for every vipcare binary, so the stack is built once: health and
//! reflection on every server, the internal credential check on every service, the tower layers
//! below, optional gRPC-Web with CORS for named origins, graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::{Routes, RoutesBuilder};
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tower::{Service, ServiceBuilder, ServiceExt};

use crate::internal::{InternalCredential, RequireCredentialLayer};
use crate::settings::ServerSettings;

mod layers;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {listen}: {reason}")]
    Bind { listen: String, reason: String },
    #[error("server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Binds `listen` (port 0 picks a free port) and logs the address actually bound.
pub async fn bind(listen: &str) -> Result<TcpListener, ServeError> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|err| ServeError::Bind {
            listen: listen.to_owned(),
            reason: err.to_string(),
        })?;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }
    Ok(listener)
}

/// How much request data one call may have in flight that its handler has not read: gRPC's
/// usual initial window (grpc-go, grpc-core) instead of hyper's 1 MiB. Within a cluster's round
/// trips that still carries far more than a handler can store.
///
/// h2 closes the whole connection (GOAWAY `ENHANCE_YOUR_CALM`, "too_many_data_frames") once
/// the DATA frames it holds unread cost more than a budget of half the connection window, a
/// frame under 256 bytes costing 256 minus its length. grpcurl and grpcio send one frame per
/// message, so a billing feed of ~70-byte rows outrunning its handler (a batch being written)
/// filled hyper's 1 MiB stream window with ~15,000 frames against a budget of ~2,800. With
/// 64 KiB per stream and `CONNECTION_WINDOW` below, a stalled stream of even the smallest gRPC
/// messages (5-byte frames: 13,107 × 251 B ≈ 3.3 MB) fits, so flow control slows the client
/// down before h2 would cut it off.
const STREAM_WINDOW: u32 = 64 * 1024;

/// All calls of one connection together; the gateway sends every call for a service over one.
/// Half of it, 4 MiB, is h2's small-frame budget: one stalled stream of empty messages, or about
/// twenty stalled feeds of one-row frames at once. It also bounds what one connection can make
/// a server hold: 8 MiB of data and 4 MiB of per-frame bookkeeping.
const CONNECTION_WINDOW: u32 = 8 * 1024 * 1024;

type Fallback = Box<dyn FnOnce(axum::Router) -> axum::Router + Send>;

/// Collects the services of one listener and serves them.
pub struct GrpcServer {
    settings: ServerSettings,
    routes: RoutesBuilder,
    names: Vec<&'static str>,
    fallback: Option<Fallback>,
    grpc_web: bool,
    cors_origins: Vec<http::HeaderValue>,
    /// Set on every service; only the gateway's public port has none.
    credential: Option<InternalCredential>,
}

impl GrpcServer {
    /// A server anyone who reaches the port may call: the gateway's public door only.
    pub fn new(settings: &ServerSettings) -> Self {
        GrpcServer {
            settings: settings.clone(),
            routes: RoutesBuilder::default(),
            names: Vec::new(),
            fallback: None,
            grpc_web: false,
            cors_origins: Vec::new(),
            credential: None,
        }
    }

    /// A service's server: every call but health and reflection must carry a valid internal
    /// credential, or it is answered UNAUTHENTICATED.
    pub fn internal(settings: &ServerSettings, credential: InternalCredential) -> Self {
        GrpcServer {
            credential: Some(credential),
            ..GrpcServer::new(settings)
        }
    }

    /// Routes a generated service by its name and reports it SERVING in health.
    pub fn add_service<S>(mut self, svc: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        self.names.push(S::NAME);
        self.routes.add_service(svc);
        self
    }

    /// Every request no added service claims goes to `svc` (the gateway's edge).
    pub fn fallback<S>(mut self, svc: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        let svc = svc.map_request(|req: http::Request<axum::body::Body>| req.map(Body::new));
        self.fallback = Some(Box::new(move |router| router.fallback_service(svc)));
        self
    }

    /// Reports `name` SERVING in health without routing it here (a service behind the fallback).
    pub fn serving(mut self, name: &'static str) -> Self {
        self.names.push(name);
        self
    }

    /// Accepts HTTP/1.1 and gRPC-Web (with CORS) on the same port, for browser pages.
    pub fn grpc_web(mut self, enabled: bool) -> Self {
        self.grpc_web = enabled;
        self
    }

    /// The page origins whose gRPC-Web calls browsers may read (`gateway.cors_origins`); others
    /// get no CORS grant. Origins that are no header value are skipped (settings refuse them).
    pub fn cors_origins(mut self, origins: &[String]) -> Self {
        self.cors_origins = origins
            .iter()
            .filter_map(|origin| http::HeaderValue::try_from(origin.as_str()).ok())
            .collect();
        self
    }

    /// Serves until `shutdown` resolves, then reports NOT_SERVING while it still answers for
    /// `server.drain_ms`, closes, and gives in-flight calls `server.shutdown_grace_ms` to end.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let (reporter, health) = tonic_health::server::health_reporter();
        for name in self.names.iter().copied().chain([""]) {
            reporter
                .set_service_status(name, ServingStatus::Serving)
                .await;
        }
        let mut routes = self.routes;
        routes
            .add_service(health)
            .add_service(reflection_v1())
            .add_service(reflection_v1alpha());
        let mut routes: Routes = routes.routes();
        if let Some(apply) = self.fallback {
            let router = std::mem::take(routes.axum_router_mut());
            *routes.axum_router_mut() = apply(router);
        }
        let names = self.names;
        let drain = Duration::from_millis(self.settings.drain_ms);
        let (closing, closed) = tokio::sync::oneshot::channel();
        let shutdown = async move {
            shutdown.await;
            for name in names.into_iter().chain([""]) {
                reporter
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
            // Still answering while whoever routes here (readiness probes, load balancers)
            // sees NOT_SERVING and stops sending: closing first would fail their calls.
            tokio::time::sleep(drain).await;
            let _ = closing.send(());
        };
        let grace = Duration::from_millis(self.settings.shutdown_grace_ms);
        // Nagle's algorithm would hold small gRPC frames back by up to 40 ms.
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let listener = match self.credential {
            Some(_) => "service",
            None => "gateway",
        };
        let stack = ServiceBuilder::new()
            // Outermost, so refused and shed calls count too.
            .layer(crate::metrics::RpcMetricsLayer::new(listener))
            // Services believe caller headers only from signed callers; refusing first costs an
            // unsigned caller no concurrency slot.
            .option_layer(self.credential.map(RequireCredentialLayer::new))
            // Shed instead of queueing when the server is saturated: callers retry elsewhere.
            .load_shed()
            // One limit for the whole server, not per connection, so one busy client can't starve it.
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                self.settings.max_concurrent_requests,
            ))
            // Requests without a deadline get one, so nothing waits forever on a stuck dependency.
            .layer(layers::DefaultDeadlineLayer::new(Duration::from_millis(
                self.settings.default_deadline_ms,
            )))
            .into_inner();
        let builder = tonic::transport::Server::builder()
            .http2_keepalive_interval(Some(Duration::from_secs(30)))
            // A client stream of small messages must meet flow control before h2's budget for
            // small DATA frames (see `STREAM_WINDOW`).
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .trace_fn(layers::request_span(listener));
        if self.grpc_web {
            let served = builder
                .accept_http1(true)
                // Browsers call from other origins; answer preflights and expose grpc-status.
                .layer(layers::grpc_web_cors(self.cors_origins))
                .layer(tonic_web::GrpcWebLayer::new())
                .layer(stack)
                .add_routes(routes)
                .serve_with_incoming_shutdown(incoming, shutdown);
            within_grace(served, closed, grace).await
        } else {
            let served = builder
                .layer(stack)
                .add_routes(routes)
                .serve_with_incoming_shutdown(incoming, shutdown);
            within_grace(served, closed, grace).await
        }
    }
}

/// `served` to its end, or cut `grace` after the server closed: a call that never ends (a
/// watch stream, a stuck dependency) must not keep the process from stopping.
async fn within_grace(
    served: impl Future<Output = Result<(), tonic::transport::Error>>,
    closed: tokio::sync::oneshot::Receiver<()>,
    grace: Duration,
) -> Result<(), ServeError> {
    let cut = async {
        match closed.await {
            Ok(()) => tokio::time::sleep(grace).await,
            // The server ended on its own: nothing to cut.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = served => Ok(served?),
        () = cut => {
            tracing::warn!(?grace, "calls still in flight when server.shutdown_grace_ms ran out; cutting them");
            Ok(())
        }
    }
}

fn reflection_v1() -> tonic_reflection::server::v1::ServerReflectionServer<
    impl tonic_reflection::server::v1::ServerReflection,
> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(vipcare_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .expect("the compiled descriptor sets are valid")
}

fn reflection_v1alpha() -> tonic_reflection::server::v1alpha::ServerReflectionServer<
    impl tonic_reflection::server::v1alpha::ServerReflection,
> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(vipcare_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()
        .expect("the compiled descriptor sets are valid")
}

/// The address a listener is bound to, for logs and tests.
pub fn local_addr(listener: &TcpListener) -> SocketAddr {
    listener
        .local_addr()
        .expect("a bound listener has an address")
}
