//! The shared server stack under saturation: beyond `server.max_concurrent_requests` a request is
//! refused at once with RESOURCE_EXHAUSTED (the caller can retry elsewhere) instead of queueing
//! behind work that may never finish, and capacity comes back when the work ends.

mod support;

use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use vipcare_runtime::settings::ServerSettings;

use support::call_hold;

#[tokio::test]
async fn a_saturated_server_sheds_load_and_recovers() {
    let settings = ServerSettings {
        max_concurrent_requests: 1,
        ..ServerSettings::default()
    };
    let server = support::serve(&settings, std::future::pending()).await;

    // The one slot is taken by a call that waits until released.
    let held = tokio::spawn(call_hold(server.channel.clone()));
    server.entered.notified().await;
    let mut health = HealthClient::new(server.channel.clone());
    let check = || HealthCheckRequest {
        service: String::new(),
    };
    let refused = health.check(check()).await.unwrap_err();
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");

    server.release.notify_one();
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
