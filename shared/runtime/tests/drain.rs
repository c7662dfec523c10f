//! Stopping as Kubernetes stops a pod: after the stop signal the server reports NOT_SERVING but
//! still answers for `server.drain_ms` (callers routed here meanwhile are not failed), lets
//! calls in flight finish, and does not let a call that never ends keep it from stopping.

mod support;

use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tonic::transport::Endpoint;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use vipcare_runtime::settings::ServerSettings;

use support::{Held, call_hold};

/// A held-call server stopped when the sender is used.
async fn serve(drain_ms: u64, shutdown_grace_ms: u64) -> (Held, oneshot::Sender<()>) {
    let settings = ServerSettings {
        drain_ms,
        shutdown_grace_ms,
        ..ServerSettings::default()
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let held = support::serve(&settings, async move {
        let _ = stopped.await;
    })
    .await;
    (held, stop)
}

#[tokio::test]
async fn while_draining_it_answers_not_serving_and_finishes_what_is_in_flight() {
    let (held, stop) = serve(800, 5_000).await;
    let in_flight = tokio::spawn(call_hold(held.channel.clone()));
    held.entered.notified().await;
    stop.send(()).unwrap();
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
    let (held, stop) = serve(0, 300).await;
    let _never = tokio::spawn(call_hold(held.channel.clone()));
    held.entered.notified().await;
    let asked = Instant::now();
    stop.send(()).unwrap();
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
