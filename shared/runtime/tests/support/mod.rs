//! A server stack whose every call waits until the test releases it, for tests about what the
//! stack does with calls in flight (shedding, draining).
// Each test binary that includes this uses only part of it.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use http::uri::PathAndQuery;
use tokio::sync::Notify;
use tonic::Status;
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use vipcare_runtime::server::{GrpcServer, ServeError, bind};
use vipcare_runtime::settings::ServerSettings;

/// The running server: where it listens, a connection to it, the signal that a call came in,
/// the release of every waiting call, and its end.
pub struct Held {
    pub channel: Channel,
    pub addr: std::net::SocketAddr,
    pub entered: Arc<Notify>,
    pub release: Arc<Notify>,
    pub served: tokio::task::JoinHandle<Result<(), ServeError>>,
}

/// Serves with `settings` until `shutdown`; each call answers ABORTED "released" once let go.
pub async fn serve(
    settings: &ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Held {
    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let hold = {
        let (entered, release) = (entered.clone(), release.clone());
        tower::service_fn(move |_req: http::Request<Body>| {
            let (entered, release) = (entered.clone(), release.clone());
            async move {
                entered.notify_one();
                release.notified().await;
                Ok::<_, Infallible>(Status::aborted("released").into_http::<Body>())
            }
        })
    };
    let listener = bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = tokio::spawn(
        GrpcServer::new(settings)
            .fallback(hold)
            .serve(listener, shutdown),
    );
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    Held {
        channel,
        addr,
        entered,
        release,
        served,
    }
}

/// One call that waits in the server until released.
pub async fn call_hold(channel: Channel) -> Result<(), Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    grpc.unary(
        tonic::Request::new(()),
        PathAndQuery::from_static("/test.Slow/Hold"),
        codec,
    )
    .await
    .map(|_| ())
}
