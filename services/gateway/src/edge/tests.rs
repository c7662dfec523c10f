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
use crate::scopes;

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
        for name in [
            "x-vipcare-client",
            "x-vipcare-channel",
            "x-vipcare-scopes",
            "authorization",
        ] {
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

const INVITATION: &str = "/vipcare.survey.v1.SurveyService/GetInvitation";
const SUBMIT: &str = "/vipcare.survey.v1.SurveyService/SubmitResponse";
const INVITE: &str = "/vipcare.survey.v1.SurveyService/InviteToSurvey";

/// The test clients and the survey link open at `rate_per_second` (burst `burst`), on `clock`.
fn clients_with_link(clock: Arc<ManualClock>, rate_per_second: f64, burst: u32) -> Clients {
    clients_on(clock.clone()).with_survey_link(rate_per_second, burst, clock)
}

/// The edge's three layers around the echoing stub, so a call that passes them shows what a
/// service would be told (survey paths would otherwise go to the proxy).
fn layers(
    clients: Clients,
) -> impl Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible> {
    tower::ServiceBuilder::new()
        .layer(AuthenticateLayer::new(Arc::new(clients)))
        .layer(RateLimitLayer)
        .layer(AuthorizeLayer::new(Arc::default()))
        .service(stub_channel())
}

#[tokio::test]
async fn callers_without_a_known_key_are_unauthenticated() {
    let mut edge = stack(
        Arc::new(clients()),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down(), 4 << 20),
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
        Proxy::new(peers_down(), 4 << 20),
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
        Proxy::new(peers_down(), 4 << 20),
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
        Proxy::new(peers_down(), 4 << 20),
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
        Proxy::new(peers_down(), 4 << 20),
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

#[tokio::test]
async fn a_keyless_survey_link_call_passes_as_the_built_in_client() {
    let mut edge = layers(clients_with_link(Arc::default(), 50.0, 100));
    // Whatever identity the page claims, the service hears the link client's, and no more.
    let forged = [
        ("x-vipcare-client", "survey-desk"),
        ("x-vipcare-scopes", "survey:admin"),
    ];
    for path in [INVITATION, SUBMIT] {
        for headers in [&[][..], &forged[..]] {
            let response = call(&mut edge, path, headers).await;
            assert_eq!(code(&response), Code::Ok, "{path}");
            let seen = response.headers();
            assert_eq!(seen["seen-x-vipcare-client"], "survey-link", "{path}");
            assert_eq!(seen["seen-x-vipcare-channel"], "web", "{path}");
            assert_eq!(seen["seen-x-vipcare-scopes"], "survey:respond", "{path}");
            assert!(!seen.contains_key("seen-authorization"));
        }
    }
}

#[tokio::test]
async fn keyless_calls_to_every_other_method_stay_unauthenticated() {
    let mut edge = layers(clients_with_link(Arc::default(), 50.0, 100));
    for (path, _) in policy::POLICY {
        if [INVITATION, SUBMIT].contains(path) {
            continue;
        }
        let refused = status(&call(&mut edge, path, &[]).await).expect("a refusal");
        assert_eq!(refused.code(), Code::Unauthenticated, "{path}");
    }
    for path in [
        INVITE,
        "/vipcare.survey.v1.SurveyService/GetInvitations",
        "/vipcare.survey.v2.SurveyService/GetInvitation",
        "/grpc.health.v1.Health/Check",
    ] {
        assert_eq!(
            code(&call(&mut edge, path, &[]).await),
            Code::Unauthenticated,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_wrong_or_malformed_key_is_never_downgraded_to_the_link() {
    let mut edge = layers(clients_with_link(Arc::default(), 50.0, 100));
    for authorization in [
        "Bearer guessed",
        "Bearer ",
        "Basic cmVhZGVyLWtleQ==",
        "reader-key",
    ] {
        let refused = call(&mut edge, INVITATION, &[("authorization", authorization)]).await;
        assert_eq!(code(&refused), Code::Unauthenticated, "{authorization}");
    }
    // A known key is judged as its own client: without survey:respond it is denied, not let in
    // as the link.
    let reader = [("authorization", "Bearer reader-key")];
    let denied = status(&call(&mut edge, INVITATION, &reader).await).expect("a refusal");
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert!(denied.message().contains("survey:respond"), "{denied:?}");
}

#[tokio::test]
async fn with_the_link_off_its_methods_need_a_key() {
    for clients in [
        clients_with_link(Arc::default(), 0.0, 100),
        clients_on(Arc::new(ManualClock::default())),
    ] {
        let mut edge = layers(clients);
        for path in [INVITATION, SUBMIT] {
            assert_eq!(
                code(&call(&mut edge, path, &[]).await),
                Code::Unauthenticated,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn the_link_spends_its_own_budget_and_nobody_else_s() {
    let clock = Arc::new(ManualClock::default());
    let mut edge = layers(clients_with_link(clock.clone(), 0.5, 2));
    for path in [INVITATION, SUBMIT] {
        assert_eq!(code(&call(&mut edge, path, &[]).await), Code::Ok, "{path}");
    }
    let throttled = status(&call(&mut edge, INVITATION, &[]).await).expect("a refusal");
    assert_eq!(throttled.code(), Code::ResourceExhausted);
    let delay = throttled.get_details_retry_info().unwrap().retry_delay;
    assert_eq!(delay, Some(Duration::from_secs(2)), "one call per 2 s");

    // The clients' buckets are whole: the one-call partner still has its call.
    let slow = [("authorization", "Bearer slow-key")];
    assert_eq!(code(&call(&mut edge, VIEW, &slow).await), Code::Ok);
    assert_eq!(
        code(&call(&mut edge, VIEW, &slow).await),
        Code::ResourceExhausted
    );
    // And spending theirs leaves the link's as it was: refilled when its time comes.
    clock.advance(Duration::from_secs(2));
    assert_eq!(code(&call(&mut edge, SUBMIT, &[]).await), Code::Ok);
}

#[tokio::test]
async fn each_survey_method_needs_its_scope_and_names_it_when_missing() {
    let survey_scopes = [
        scopes::SURVEY_READ,
        scopes::SURVEY_WRITE,
        scopes::SURVEY_ADMIN,
        scopes::SURVEY_RESPOND,
    ];
    let settings: Vec<ClientSettings> = survey_scopes
        .iter()
        .map(|scope| ClientSettings {
            name: format!("holder-of-{scope}"),
            channel: "admin".into(),
            api_key_sha256: hex::encode(Sha256::digest(scope.as_bytes())),
            scopes: vec![(*scope).into()],
            rate_per_second: 1000.0,
            burst: 1000,
        })
        .collect();
    let clients = Clients::from_settings(&settings).unwrap();
    let mut edge = layers(clients);
    let survey = policy::POLICY
        .iter()
        .filter(|(path, _)| path.starts_with("/vipcare.survey.v1."));
    for (path, required) in survey {
        for holder in survey_scopes {
            let key = format!("Bearer {holder}");
            let response = call(&mut edge, path, &[("authorization", key.as_str())]).await;
            if holder == *required {
                assert_eq!(code(&response), Code::Ok, "{path} with {holder}");
            } else {
                let denied = status(&response).expect("a refusal");
                assert_eq!(
                    denied.code(),
                    Code::PermissionDenied,
                    "{path} with {holder}"
                );
                assert!(
                    denied.message().contains(required),
                    "{path}: {}",
                    denied.message()
                );
            }
        }
    }
}

#[tokio::test]
async fn a_keyless_link_call_is_routed_to_the_survey_service() {
    let clients = clients_with_link(Arc::default(), 50.0, 100);
    let mut edge = stack(
        Arc::new(clients),
        Arc::default(),
        stub_channel(),
        Proxy::new(peers_down(), 4 << 20),
    );
    let grpc = [("content-type", "application/grpc"), ("te", "trailers")];
    // Past the edge to the proxy: the survey peer is down, so UNAVAILABLE names it.
    let down = status(&call(&mut edge, INVITATION, &grpc).await).expect("a refusal");
    assert_eq!(down.code(), Code::Unavailable);
    assert!(down.message().contains("survey"), "{down:?}");
    assert_eq!(
        code(&call(&mut edge, INVITE, &grpc).await),
        Code::Unauthenticated
    );
}
