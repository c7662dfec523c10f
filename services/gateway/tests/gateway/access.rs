//! Who gets in: API keys, scopes, the policy table, and what the services are told about the
//! caller.

use http::uri::PathAndQuery;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use vipcare_proto::gateway::v1::get_customer_view_request;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, LookupCallerRequest};
use vipcare_proto::profile::v1::{
    GetCustomerRequest, GetCustomerResponse, ListAuditRecordsRequest, get_customer_request,
};
use vipcare_testkit::TestEnv;

use crate::support::{ADMIN, AGENT, ApiKey, HOTLINE, Suite};

fn by_id(id: &str) -> GetCustomerRequest {
    GetCustomerRequest {
        lookup: Some(get_customer_request::Lookup::CustomerId(id.to_owned())),
    }
}

fn view_of(id: &str) -> GetCustomerViewRequest {
    GetCustomerViewRequest {
        lookup: Some(get_customer_view_request::Lookup::CustomerId(id.to_owned())),
    }
}

/// Calls any path with a GetCustomerRequest body, as a client built from another proto could.
async fn call_path(channel: Channel, key: &str, path: &'static str) -> Code {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let mut request = tonic::Request::new(by_id("0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f"));
    let bearer = MetadataValue::try_from(format!("Bearer {key}")).unwrap();
    request.metadata_mut().insert("authorization", bearer);
    let codec = tonic_prost::ProstCodec::<GetCustomerRequest, GetCustomerResponse>::default();
    match grpc
        .unary(request, PathAndQuery::from_static(path), codec)
        .await
    {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

#[tokio::test]
async fn calls_without_a_known_key_are_unauthenticated() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let id = customer.customer_id.as_str();

        let mut anonymous =
            vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient::new(
                suite.channel(),
            );
        let status = anonymous.get_customer(by_id(id)).await.unwrap_err();
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "[{}] no key",
            env.label
        );

        let mut guesser = vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient::with_interceptor(
            suite.channel(),
            ApiKey::new("guessed-key"),
        );
        let status = guesser.get_customer_view(view_of(id)).await.unwrap_err();
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "[{}] unknown key",
            env.label
        );
    }
}

#[tokio::test]
async fn a_client_without_the_scope_is_denied() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let id = customer.customer_id.as_str();

        let denied = suite
            .profile(HOTLINE)
            .get_customer(by_id(id))
            .await
            .unwrap_err();
        assert_eq!(
            denied.code(),
            Code::PermissionDenied,
            "[{}] GetCustomer",
            env.label
        );
        let denied = suite
            .views(HOTLINE)
            .get_customer_view(view_of(id))
            .await
            .unwrap_err();
        assert_eq!(
            denied.code(),
            Code::PermissionDenied,
            "[{}] GetCustomerView",
            env.label
        );
        // The agent app holds audit:read, so this one passes: scopes are per method.
        let audit = suite
            .profile(AGENT)
            .list_audit_records(ListAuditRecordsRequest {
                customer_id: id.to_owned(),
                ..Default::default()
            })
            .await;
        assert!(
            audit.is_ok(),
            "[{}] ListAuditRecords with audit:read: {audit:?}",
            env.label
        );

        let allowed = suite
            .views(HOTLINE)
            .lookup_caller(LookupCallerRequest {
                msisdn: "13800138000".into(),
            })
            .await;
        assert!(
            allowed.is_ok(),
            "[{}] LookupCaller with caller:lookup: {allowed:?}",
            env.label
        );
    }
}

#[tokio::test]
async fn a_method_without_a_policy_entry_is_denied_to_every_client() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        for path in [
            "/vipcare.profile.v1.ProfileService/PurgeAllCustomers",
            "/vipcare.tiering.v1.TieringService/EvaluateTier",
        ] {
            let code = call_path(suite.channel(), ADMIN, path).await;
            assert_eq!(code, Code::PermissionDenied, "[{}] {path}", env.label);
        }
        let code = call_path(
            suite.channel(),
            ADMIN,
            "/vipcare.billing.v1.BillingService/Charge",
        )
        .await;
        assert_eq!(code, Code::Unimplemented, "[{}] unknown service", env.label);
        // The same path with a listed method goes through.
        let code = call_path(
            suite.channel(),
            ADMIN,
            "/vipcare.profile.v1.ProfileService/GetCustomer",
        )
        .await;
        assert_eq!(code, Code::NotFound, "[{}] listed method", env.label);
    }
}

#[tokio::test]
async fn health_is_open_without_a_key() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let mut health = HealthClient::new(suite.channel());
        let request = HealthCheckRequest {
            service: "vipcare.gateway.v1.ChannelService".into(),
        };
        let answer = health.check(request).await;
        assert!(answer.is_ok(), "[{}] {answer:?}", env.label);
    }
}

#[tokio::test]
async fn claiming_pii_read_in_headers_unmasks_nothing() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let id = customer.customer_id.as_str();

        let mut request = tonic::Request::new(by_id(id));
        request.metadata_mut().insert(
            "x-vipcare-scopes",
            "pii:read customer:read".parse().unwrap(),
        );
        request
            .metadata_mut()
            .insert("x-vipcare-client", "admin-console".parse().unwrap());
        // A service credential a client sends is dropped with the rest; the gateway signs its own.
        env.internal_credential()
            .stamp(request.metadata_mut().as_mut());
        let seen = suite.profile(AGENT).get_customer(request).await.unwrap();
        let seen = seen.into_inner().customer.unwrap();
        assert_eq!(seen.name, "张**", "[{}] routed call", env.label);
        assert_eq!(seen.msisdn, "138****8000", "[{}] routed call", env.label);
        assert!(seen.pii_masked, "[{}]", env.label);

        let mut request = tonic::Request::new(view_of(id));
        request
            .metadata_mut()
            .insert("x-vipcare-scopes", "pii:read".parse().unwrap());
        let view = suite.views(AGENT).get_customer_view(request).await.unwrap();
        let customer = view.into_inner().view.unwrap().customer.unwrap();
        assert_eq!(customer.name, "张**", "[{}] view", env.label);

        let audit = suite
            .profile(ADMIN)
            .list_audit_records(ListAuditRecordsRequest {
                customer_id: id.to_owned(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            audit.records.iter().all(|r| r.client != "agent-app"),
            "[{}] masked reads are not audited: {:?}",
            env.label,
            audit.records
        );
    }
}

#[tokio::test]
async fn a_client_holding_pii_read_sees_personal_data_and_is_audited() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let id = customer.customer_id.as_str();
        let audited_before = admin_reads(&suite, id).await;

        let seen = suite.profile(ADMIN).get_customer(by_id(id)).await.unwrap();
        let seen = seen.into_inner().customer.unwrap();
        assert_eq!(seen.name, "张三丰", "[{}]", env.label);
        assert_eq!(seen.msisdn, "13800138000", "[{}]", env.label);

        let view = suite
            .views(ADMIN)
            .get_customer_view(view_of(id))
            .await
            .unwrap();
        let viewed = view.into_inner().view.unwrap().customer.unwrap();
        assert_eq!(viewed.name, "张三丰", "[{}] view", env.label);
        assert!(!viewed.pii_masked, "[{}] view", env.label);

        let audited = admin_reads(&suite, id).await;
        assert!(
            audited >= audited_before + 2,
            "[{}] both unmasked reads are audited: {audited_before} -> {audited}",
            env.label
        );
    }
}

/// How many audit records name the admin console as the reader of customer `id`.
async fn admin_reads(suite: &Suite, id: &str) -> usize {
    let audit = suite
        .profile(ADMIN)
        .list_audit_records(ListAuditRecordsRequest {
            customer_id: id.to_owned(),
            page_size: 500,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    audit
        .records
        .iter()
        .filter(|r| r.client == "admin-console")
        .count()
}
