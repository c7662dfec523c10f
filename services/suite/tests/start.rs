//! Starting and stopping the suite: port 0 everywhere, clear errors when a member cannot start,
//! settings refused before anything starts, members that trust only each other, and nothing
//! left listening after shutdown.

use tonic::Code;
use vipcare_gateway::settings::ClientSettings;
use vipcare_proto::profile::v1::ListCustomersRequest;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_suite::demo::keys::sha256_hex;
use vipcare_suite::{Suite, SuiteError};
use vipcare_testkit::{TestEnv, plain_channel};

#[tokio::test]
async fn shutdown_stops_every_member_and_frees_the_ports() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(env.settings()).await.expect(label);
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
    let mut settings: vipcare_suite::Settings = env.settings();
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
    let mut settings: vipcare_suite::Settings = env.settings();
    settings.gateway.clients.push(ClientSettings {
        name: "hall-1".into(),
        channel: "hall".into(),
        api_key_sha256: sha256_hex("k"),
        scopes: vec!["customer:everything".into()],
        rate_per_second: 10.0,
        burst: 10,
    });
    let data_dir = settings.data_dir.clone();
    let err = Suite::start(settings).await.unwrap_err();
    assert!(err.is_setting(), "{err}");
    assert!(
        err.to_string()
            .starts_with("invalid setting gateway.clients[0].scopes:"),
        "{err}"
    );
    // The gateway is built last: the profile service must not have created its database yet.
    let created: Vec<_> = std::fs::read_dir(&data_dir).unwrap().flatten().collect();
    assert!(created.is_empty(), "started before refusing: {created:?}");
}

#[tokio::test]
async fn without_a_secret_the_members_share_one_nobody_else_knows() {
    let env = TestEnv::embedded().await;
    let mut settings: vipcare_suite::Settings = env.settings();
    settings.internal.secret = None;
    let suite = Suite::start(settings)
        .await
        .expect("a suite makes its own secret");
    let list = || ListCustomersRequest {
        page_size: 1,
        ..ListCustomersRequest::default()
    };

    let channel = suite
        .internal_credential()
        .channel(plain_channel(suite.profile_addr()));
    let signed = ProfileServiceClient::new(channel)
        .list_customers(list())
        .await;
    assert!(signed.is_ok(), "{signed:?}");
    // The test environment's fixed secret is not the one the suite made.
    let other = ProfileServiceClient::new(env.internal_channel(suite.profile_addr()))
        .list_customers(list())
        .await
        .unwrap_err();
    assert_eq!(other.code(), Code::Unauthenticated, "{other:?}");
    let unsigned = ProfileServiceClient::new(plain_channel(suite.profile_addr()))
        .list_customers(list())
        .await
        .unwrap_err();
    assert_eq!(unsigned.code(), Code::Unauthenticated, "{unsigned:?}");
    suite.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_listen_address_is_refused_before_anything_starts() {
    let env = TestEnv::embedded().await;
    let mut settings: vipcare_suite::Settings = env.settings();
    settings.profile.listen = "localhost".into();
    let err = Suite::start(settings).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid setting profile.listen:"),
        "{err}"
    );
}
