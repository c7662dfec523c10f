//! The shared server stack under saturation: beyond `server.max_concurrent_requests` a request is
//! refused at once with RESOURCE_EXHAUSTED (the caller can retry elsewhere) instead of queueing
//! behind work that may never finish, and capacity comes back when the work ends.

use std::convert::Infallible;
use std::sync::Arc;

use http::uri::PathAndQuery;
use tokio::sync::Notify;
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use vipcare_runtime::server::{GrpcServer, bind};
use vipcare_runtime::settings::ServerSettings;

async fn call_hold(channel: Channel) -> Result<(), Status> {
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

#[tokio::test]
async fn a_saturated_server_sheds_load_and_recovers() {
    let settings = ServerSettings {
        max_concurrent_requests: 1,
        ..ServerSettings::default()
    };
    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let hold = {
        let (entered, release) = (entered.clone(), release.clone());
        tower::service_fn(move |_req: http::Request<Body>| {
            let (entered, release) = (entered.clone(), release.clone());
            async move {
                entered.notify_one();
                release.notified().await;
                // Any answer will do: the test is about the slot, not the reply.
                Ok::<_, Infallible>(Status::aborted("released").into_http::<Body>())
            }
        })
    };
    let listener = bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        GrpcServer::new(&settings)
            .fallback(hold)
            .serve(listener, std::future::pending()),
    );
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();

    // The one slot is taken by a call that waits until released.
    let held = tokio::spawn(call_hold(channel.clone()));
    entered.notified().await;
    let mut health = HealthClient::new(channel);
    let check = || HealthCheckRequest {
        service: String::new(),
    };
    let refused = health.check(check()).await.unwrap_err();
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");

    release.notify_one();
    let finished = held.await.unwrap().unwrap_err();
    assert_eq!(
        finished.message(),
        "released",
        "the held call ran to its end"
    );
    assert!(
        health.check(check()).await.is_ok(),
        "capacity comes back when the work ends"
    );
}
