use std::convert::Infallible;

use tower::{Layer, ServiceExt, service_fn};

use super::*;
use crate::Caller;
use crate::caller::HEADER_PREFIX;

const NOW: u64 = 1_780_000_000;

fn credential(secret: &str) -> InternalCredential {
    InternalCredential::new(&InternalSecret::new(secret).unwrap())
}

fn shared() -> InternalCredential {
    credential("0123456789abcdef0123456789abcdef-shared")
}

/// Caller headers of a web client without `pii:read`, signed at `at`.
fn signed_web_call(at: u64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    Caller::new("web-portal", "web", &["customer:read"]).write_to_headers(&mut headers);
    shared().stamp_at(&mut headers, at);
    headers
}

#[test]
fn a_signed_call_is_accepted_within_the_window() {
    let headers = signed_web_call(NOW);
    assert_eq!(shared().verify_at(&headers, NOW), Ok(()));
    let skew = MAX_AGE.as_secs();
    assert_eq!(shared().verify_at(&headers, NOW + skew), Ok(()));
    assert_eq!(shared().verify_at(&headers, NOW - skew), Ok(()));
}

#[test]
fn added_scopes_break_the_signature() {
    let mut headers = signed_web_call(NOW);
    headers.insert(SCOPES_HEADER, "customer:read pii:read".parse().unwrap());
    assert_eq!(shared().verify_at(&headers, NOW), Err(Refusal::Forged));
    let mut headers = signed_web_call(NOW);
    headers.insert(CLIENT_HEADER, "admin-console".parse().unwrap());
    assert_eq!(shared().verify_at(&headers, NOW), Err(Refusal::Forged));
}

#[test]
fn another_secret_is_refused() {
    let mut headers = HeaderMap::new();
    credential("another-secret-of-32-characters-or-more").stamp_at(&mut headers, NOW);
    assert_eq!(shared().verify_at(&headers, NOW), Err(Refusal::Forged));
}

#[test]
fn an_old_or_future_credential_is_refused() {
    let headers = signed_web_call(NOW);
    let past = NOW + MAX_AGE.as_secs() + 1;
    assert_eq!(shared().verify_at(&headers, past), Err(Refusal::Expired));
    let before = NOW - MAX_AGE.as_secs() - 1;
    assert_eq!(shared().verify_at(&headers, before), Err(Refusal::Expired));
}

#[test]
fn missing_and_malformed_credentials_are_refused() {
    assert_eq!(
        shared().verify_at(&HeaderMap::new(), NOW),
        Err(Refusal::Missing)
    );
    let good = signed_web_call(NOW)[HEADER].to_str().unwrap().to_owned();
    let tag = good.rsplit('.').next().unwrap();
    for bad in [
        "",
        "the-secret-itself-0123456789abcdef",
        &format!("v2.{NOW}.{tag}"),
        &format!("v1.soon.{tag}"),
        &format!("v1.{NOW}.{}", &tag[2..]),
        &format!("v1.{NOW}.{tag}.more"),
    ] {
        let mut headers = signed_web_call(NOW);
        headers.insert(HEADER, bad.parse().unwrap());
        assert_eq!(
            shared().verify_at(&headers, NOW),
            Err(Refusal::Malformed),
            "{bad:?}"
        );
    }
}

#[test]
fn stamping_replaces_a_credential_already_there() {
    let mut headers = HeaderMap::new();
    headers.insert(HEADER, "v1.1.00".parse().unwrap());
    shared().stamp_at(&mut headers, NOW);
    assert_eq!(headers.get_all(HEADER).iter().count(), 1);
    assert_eq!(shared().verify_at(&headers, NOW), Ok(()));
}

#[test]
fn the_gateway_drops_the_header_with_every_caller_header() {
    assert!(HEADER.starts_with(HEADER_PREFIX));
}

#[test]
fn short_secrets_are_refused_and_none_is_printed() {
    assert!(InternalSecret::new("too-short").is_err());
    assert!(InternalSecret::new(&format!("  {}  \n", "x".repeat(MIN_SECRET_LEN))).is_ok());
    let generated = InternalSecret::generate();
    assert_ne!(generated, InternalSecret::generate());
    assert!(!format!("{generated:?}").contains(generated.expose()));
}

async fn status_of(path: &str, headers: HeaderMap) -> Option<String> {
    let inner = service_fn(|_req: http::Request<()>| async {
        Ok::<_, Infallible>(http::Response::new(()))
    });
    let mut req = http::Request::post(path).body(()).unwrap();
    *req.headers_mut() = headers;
    let response = RequireCredentialLayer::new(shared())
        .layer(inner)
        .oneshot(req)
        .await
        .unwrap();
    response
        .headers()
        .get("grpc-status")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_door_refuses_unsigned_calls_but_not_probes() {
    let unauthenticated = Some("16".to_owned());
    let method = "/vipcare.profile.v1.ProfileService/GetCustomer";
    assert_eq!(status_of(method, HeaderMap::new()).await, unauthenticated);
    let mut forged = HeaderMap::new();
    forged.insert(SCOPES_HEADER, "pii:read".parse().unwrap());
    assert_eq!(status_of(method, forged).await, unauthenticated);

    let mut signed = HeaderMap::new();
    shared().stamp(&mut signed);
    assert_eq!(status_of(method, signed).await, None, "passed on");
    for open in [
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    ] {
        assert_eq!(status_of(open, HeaderMap::new()).await, None, "{open}");
    }
}
