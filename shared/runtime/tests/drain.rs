//! Stopping as Kubernetes stops a pod: after the stop signal the server reports NOT_SERVING but
//! still answers for `server.drain_ms` (callers routed here meanwhile are not failed), lets
//! calls in flight finish, and does not let a call that never ends keep it from stopping.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::uri::PathAndQuery;
use tokio::sync::{Notify, oneshot};
use tonic::Status;
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use vipcare_runtime::server::{GrpcServer, ServeError, bind};
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

/// A server whose every call waits for `release`, stopped when `stop` is sent.
struct Held {
    channel: Channel,
    addr: std::net::SocketAddr,
    entered: Arc<Notify>,
    release: Arc<Notify>,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<Result<(), ServeError>>,
}

async fn serve(drain_ms: u64, shutdown_grace_ms: u64) -> Held {
    let settings = ServerSettings {
        drain_ms,
        shutdown_grace_ms,
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
                Ok::<_, Infallible>(Status::aborted("released").into_http::<Body>())
            }
        })
    };
    let listener = bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(GrpcServer::new(&settings).fallback(hold).serve(
        listener,
        async move {
            let _ = stopped.await;
        },
    ));
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
        stop,
        served,
    }
}

#[tokio::test]
async fn while_draining_it_answers_not_serving_and_finishes_what_is_in_flight() {
    let held = serve(800, 5_000).await;
    let in_flight = tokio::spawn(call_hold(held.channel.clone()));
    held.entered.notified().await;
    held.stop.send(()).unwrap();
    let mut health = HealthClient::new(held.channel.clone());
    let check = || HealthCheckRequest {
        service: String::new(),
    };
    // Answered (not refused) while draining, and the answer says not to send more.
    let reported = loop {
        let status = health
            .check(check())
            .await
            .expect("a call made while draining is answered")
            .into_inner()
            .status;
        if status != ServingStatus::Serving as i32 {
            break status;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(reported, ServingStatus::NotServing as i32);
    // A caller routed here before the news reached its balancer opens a new connection well
    // inside the drain window (a third of it in): it is still accepted and answered.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = Endpoint::from_shared(format!("http://{}", held.addr))
        .unwrap()
        .connect()
        .await
        .expect("a new connection while draining is accepted");
    tokio::time::timeout(
        Duration::from_secs(2),
        HealthClient::new(late).check(check()),
    )
    .await
    .expect("a call on a new connection while draining is answered at once")
    .expect("a call on a new connection while draining is answered");
    held.release.notify_one();
    let answered = in_flight.await.unwrap().unwrap_err();
    assert_eq!(
        answered.message(),
        "released",
        "the call in flight ran to its end"
    );
    tokio::time::timeout(Duration::from_secs(10), held.served)
        .await
        .expect("the server stops once drained")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_call_that_never_ends_is_cut_after_the_grace_period() {
    let held = serve(0, 300).await;
    let _never = tokio::spawn(call_hold(held.channel.clone()));
    held.entered.notified().await;
    let asked = Instant::now();
    held.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), held.served)
        .await
        .expect("the server stops although a call is still held")
        .unwrap()
        .unwrap();
    assert!(
        asked.elapsed() >= Duration::from_millis(300),
        "the held call got its grace period first"
    );
}
