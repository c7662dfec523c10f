//! Starting and stopping the suite: port 0 everywhere, clear errors when a member cannot start,
//! and nothing left listening after shutdown.

use vipcare_runtime::settings::ClientSettings;
use vipcare_suite::demo::keys::sha256_hex;
use vipcare_suite::{Suite, SuiteError};
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn shutdown_stops_every_member_and_frees_the_ports() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(env.settings().clone()).await.expect(label);
        let (gateway, profile) = (suite.gateway_addr(), suite.profile_addr());
        assert_ne!(gateway.port(), 0, "{label}");
        assert_ne!(profile.port(), 0, "{label}");
        tokio::net::TcpStream::connect(gateway).await.expect(label);
        suite.shutdown().await.expect(label);
        for addr in [gateway, profile] {
            assert!(
                tokio::net::TcpStream::connect(addr).await.is_err(),
                "{label}: {addr} still accepts connections"
            );
        }
    }
}

#[tokio::test]
async fn a_taken_gateway_port_fails_the_start_naming_the_gateway() {
    let env = TestEnv::embedded().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut settings = env.settings().clone();
    settings.gateway.listen = taken.local_addr().unwrap().to_string();
    let err = Suite::start(settings).await.unwrap_err();
    assert!(
        matches!(
            err,
            SuiteError::Start {
                service: "gateway",
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_setting());
}

#[tokio::test]
async fn a_client_with_an_unknown_scope_is_a_setting_error() {
    let env = TestEnv::embedded().await;
    let mut settings = env.settings().clone();
    settings.gateway.clients.push(ClientSettings {
        name: "hall-1".into(),
        channel: "hall".into(),
        api_key_sha256: sha256_hex("k"),
        scopes: vec!["customer:everything".into()],
        rate_per_second: 10.0,
        burst: 10,
    });
    let err = Suite::start(settings).await.unwrap_err();
    assert!(err.is_setting(), "{err}");
    assert!(
        err.to_string()
            .starts_with("invalid setting gateway.clients[0].scopes:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_bad_listen_address_is_refused_before_anything_starts() {
    let env = TestEnv::embedded().await;
    let mut settings = env.settings().clone();
    settings.profile.listen = "localhost".into();
    let err = Suite::start(settings).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid setting profile.listen:"),
        "{err}"
    );
}
