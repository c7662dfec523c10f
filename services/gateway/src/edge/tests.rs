//! The edge stack end to end, with a stub in place of ChannelService and peers that are down.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use crate::settings::ClientSettings;
use sha2::{Digest, Sha256};
use tonic::{Code, Status};
use tonic_types::StatusExt;
use tower::{Service, ServiceExt};
use vipcare_runtime::settings::PeerSettings;

use super::*;
use crate::proxy::Peers;

const VIEW: &str = "/vipcare.gateway.v1.ChannelService/GetCustomerView";

/// Answers OK and echoes the caller headers it received.
fn stub_channel() -> impl Service<
    http::Request<Body>,
    Response = http::Response<Body>,
    Error = Infallible,
    Future = impl Send,
> + Clone {
    tower::service_fn(|req: http::Request<Body>| async move {
        let mut response = http::Response::new(Body::empty());
        for name in ["x-vipcare-client", "x-vipcare-scopes", "authorization"] {
            if let Some(value) = req.headers().get(name) {
                response.headers_mut().insert(
                    format!("seen-{name}").parse::<http::HeaderName>().unwrap(),
                    value.clone(),
                );
            }
        }
        Ok::<_, Infallible>(response)
    })
}

/// The clients on a clock that never moves, so no budget refills behind a test's back.
fn clients() -> Clients {
    clients_on(Arc::new(ManualClock::default()))
}

fn clients_on(clock: Arc<dyn RateClock>) -> Clients {
    let client = |name: &str, key: &str, scope: &str, burst: u32| ClientSettings {
        name: name.into(),
        channel: "hall".into(),
        api_key_sha256: hex::encode(Sha256::digest(key)),
        scopes: vec![scope.into()],
        rate_per_second: 0.5,
        burst,
    };
    let settings = [
        client("hall-1", "reader-key", "customer:read", 100),
        client("batch-1", "writer-key", "customer:write", 100),
        client("partner-1", "slow-key", "customer:read", 1),
    ];
    Clients::from_settings_with_clock(&settings, clock).unwrap()
}

fn peers_down() -> Peers {
    let closed = "http://127.0.0.1:1".to_owned();
    let peers = PeerSettings {
        profile: closed.clone(),
        tiering: closed.clone(),
        reminder: closed.clone(),
        complaint: closed.clone(),
        survey: closed,
    };
    let secret = vipcare_runtime::internal::InternalSecret::generate();
    Peers::connect_lazy(&peers, vipcare_runtime::InternalCredential::new(&secret)).unwrap()
}

async fn call(
    edge: &mut impl Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>,
    path: &str,
    headers: &[(&str, &str)],
) -> http::Response<Body> {
    let mut req = http::Request::post(path).body(Body::empty()).unwrap();
    for (name, value) in headers {
        req.headers_mut().append(
            name.parse::<http::HeaderName>().unwrap(),
            value.parse().unwrap(),
        );
    }
    edge.ready().await.unwrap().call(req).await.unwrap()
}

fn status(response: &http::Response<Body>) -> Option<Status> {
    Status::from_header_map(response.headers())
}

fn code(response: &http::Response<Body>) -> Code {
    status(response).map_or(Code::Ok, |s| s.code())
}

#[tokio::test]
async fn callers_without_a_known_key_are_unauthenticated() {
    let mut edge = stack(
        Arc::new(clients()),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down()),
    );
    assert_eq!(
        code(&call(&mut edge, VIEW, &[]).await),
        Code::Unauthenticated
    );
    let forged = [
        ("authorization", "Bearer guessed"),
        ("x-vipcare-scopes", "customer:read"),
    ];
    assert_eq!(
        code(&call(&mut edge, VIEW, &forged).await),
        Code::Unauthenticated
    );
}

#[tokio::test]
async fn scopes_and_the_table_decide_what_gets_through() {
    let mut edge = stack(
        Arc::new(clients()),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down()),
    );
    let writer = [("authorization", "Bearer writer-key")];
    assert_eq!(
        code(&call(&mut edge, VIEW, &writer).await),
        Code::PermissionDenied
    );
    let unlisted = "/vipcare.tiering.v1.TieringService/EvaluateTier";
    assert_eq!(
        code(&call(&mut edge, unlisted, &writer).await),
        Code::PermissionDenied
    );
    let unknown = "/vipcare.billing.v1.BillingService/Charge";
    assert_eq!(
        code(&call(&mut edge, unknown, &writer).await),
        Code::Unimplemented
    );
}

#[tokio::test]
async fn the_services_see_the_gateway_identity_not_what_the_client_claimed() {
    let mut edge = stack(
        Arc::new(clients()),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down()),
    );
    let headers = [
        ("authorization", "Bearer reader-key"),
        ("x-vipcare-scopes", "pii:read customer:erase"),
        ("x-vipcare-client", "admin"),
    ];
    let response = call(&mut edge, VIEW, &headers).await;
    assert_eq!(code(&response), Code::Ok);
    assert_eq!(response.headers()["seen-x-vipcare-scopes"], "customer:read");
    assert_eq!(response.headers()["seen-x-vipcare-client"], "hall-1");
    assert!(
        !response.headers().contains_key("seen-authorization"),
        "the key is not passed on"
    );
}

#[tokio::test]
async fn a_client_over_its_budget_is_told_when_to_retry() {
    let clock = Arc::new(ManualClock::default());
    let mut edge = stack(
        Arc::new(clients_on(clock.clone())),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down()),
    );
    let slow = [("authorization", "Bearer slow-key")];
    assert_eq!(code(&call(&mut edge, VIEW, &slow).await), Code::Ok);
    let throttled = status(&call(&mut edge, VIEW, &slow).await).unwrap();
    assert_eq!(throttled.code(), Code::ResourceExhausted);
    let delay = throttled
        .get_details_retry_info()
        .unwrap()
        .retry_delay
        .unwrap();
    assert_eq!(delay, Duration::from_secs(2), "one call per 2 s, none left");
    // Other clients keep their own budget.
    let reader = [("authorization", "Bearer reader-key")];
    assert_eq!(code(&call(&mut edge, VIEW, &reader).await), Code::Ok);

    // A retry a moment early is still refused; one as late as it was told gets through.
    clock.advance(delay - Duration::from_millis(1));
    let early = status(&call(&mut edge, VIEW, &slow).await).unwrap();
    assert_eq!(early.code(), Code::ResourceExhausted);
    clock.advance(Duration::from_millis(1));
    assert_eq!(code(&call(&mut edge, VIEW, &slow).await), Code::Ok);
}

#[tokio::test]
async fn a_peer_that_is_down_is_unavailable() {
    let mut edge = stack(
        Arc::new(clients()),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down()),
    );
    let reader = [
        ("authorization", "Bearer reader-key"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
    ];
    let path = "/vipcare.profile.v1.ProfileService/GetCustomer";
    assert_eq!(
        code(&call(&mut edge, path, &reader).await),
        Code::Unavailable
    );
}
