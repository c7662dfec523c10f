use crate::settings::ClientSettings;
use http::HeaderValue;
use sha2::{Digest, Sha256};

use super::*;

fn settings(name: &str, key: &str, scopes: &[&str]) -> ClientSettings {
    ClientSettings {
        name: name.into(),
        channel: "hotline".into(),
        api_key_sha256: hex::encode(Sha256::digest(key.as_bytes())),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        rate_per_second: 10.0,
        burst: 10,
    }
}

fn with_authorization(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
    headers
}

#[test]
fn a_bearer_key_finds_its_client() {
    let clients = Clients::from_settings(&[
        settings("hotline-1", "key-one", &["customer:read"]),
        settings("hall-1", "key-two", &["customer:read", "pii:read"]),
    ])
    .unwrap();
    let client = clients
        .authenticate(&with_authorization("Bearer key-two"))
        .unwrap();
    assert_eq!(client.caller.client, "hall-1");
    assert!(client.reads_pii());
    let lower = clients
        .authenticate(&with_authorization("bearer key-one"))
        .unwrap();
    assert_eq!(lower.caller.client, "hotline-1");
}

#[test]
fn missing_and_unknown_keys_are_told_apart() {
    let clients = Clients::from_settings(&[settings("hall-1", "key-one", &[])]).unwrap();
    assert_eq!(
        clients.authenticate(&HeaderMap::new()).unwrap_err(),
        Unauthenticated::Missing
    );
    assert_eq!(
        clients
            .authenticate(&with_authorization("Basic a2V5LW9uZQ=="))
            .unwrap_err(),
        Unauthenticated::Missing
    );
    assert_eq!(
        clients
            .authenticate(&with_authorization("Bearer "))
            .unwrap_err(),
        Unauthenticated::Missing
    );
    assert_eq!(
        clients
            .authenticate(&with_authorization("Bearer key-two"))
            .unwrap_err(),
        Unauthenticated::Unknown
    );
}

#[test]
fn the_masked_identity_drops_only_pii_read() {
    let client = Client::new(
        Caller::new("hall-1", "hall", &["customer:read", "pii:read"]),
        1.0,
        1,
    );
    let scopes = |headers: &HeaderMap| headers["x-vipcare-scopes"].to_str().unwrap().to_owned();
    assert_eq!(scopes(client.caller_headers()), "customer:read pii:read");
    assert_eq!(scopes(client.masked_caller_headers()), "customer:read");
    assert_eq!(client.masked_caller_headers()["x-vipcare-client"], "hall-1");
}

#[test]
fn bad_client_settings_name_their_key() {
    let refused = |list: &[ClientSettings]| match Clients::from_settings(list) {
        Err(AppError::Setting { key, .. }) => key,
        other => panic!("expected a setting error, got {other:?}"),
    };
    assert_eq!(
        refused(&[settings("a", "k", &["customer:reed"])]),
        "gateway.clients[0].scopes"
    );
    assert_eq!(
        refused(&[settings("a", "k", &[]), settings("b", "k", &[])]),
        "gateway.clients[1].api_key_sha256"
    );
}
