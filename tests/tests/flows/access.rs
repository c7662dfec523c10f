//! The gateway as the only door: keys, scopes, forged caller headers, rate limits, and gRPC-Web
//! for browser pages.

use prost::Message;
use tonic::Code;
use tonic_types::StatusExt;
use vipcare_e2e::grpc_web::{self, ORIGIN};
use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::gateway::v1::{
    GetCustomerViewRequest, LookupCallerRequest, LookupCallerResponse, get_customer_view_request,
};
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{
    CreateCustomerRequest, EraseCustomerRequest, GetCustomerRequest, ListAuditRecordsRequest,
};
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn the_gateway_lets_in_only_whom_it_should() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let customer_id = seed(&suite).await;
        callers_without_a_known_key_are_unauthenticated(&suite, &customer_id).await;
        callers_without_the_scope_are_denied(&suite, &customer_id).await;
        forged_caller_headers_grant_nothing(&suite, &customer_id).await;
        a_client_over_its_rate_is_told_when_to_retry(&suite, &customer_id).await;
        browsers_call_through_grpc_web(&suite, &customer_id).await;
        // With clients still connected, as in production.
        suite.stop_gracefully().await;
    }
}

async fn seed(suite: &Suite) -> String {
    suite
        .profile(ApiClient::Hall)
        .create_customer(CreateCustomerRequest {
            customer: Some(customer("13500135000", "刘备")),
            request_id: String::new(),
        })
        .await
        .expect("create customer")
        .into_inner()
        .customer
        .expect("customer")
        .customer_id
}

fn by_id(id: &str) -> GetCustomerRequest {
    GetCustomerRequest {
        lookup: Some(Lookup::CustomerId(id.to_owned())),
    }
}

async fn callers_without_a_known_key_are_unauthenticated(suite: &Suite, id: &str) {
    let label = suite.label;
    for client in [ApiClient::NoKey, ApiClient::UnknownKey] {
        let status = suite
            .profile(client)
            .get_customer(by_id(id))
            .await
            .expect_err("no known key, no answer");
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "[{label}] {client:?}: {status:?}"
        );
        let status = suite
            .channel_api(client)
            .get_customer_view(GetCustomerViewRequest {
                lookup: Some(get_customer_view_request::Lookup::CustomerId(id.to_owned())),
            })
            .await
            .expect_err("no known key, no view");
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "[{label}] {client:?}: {status:?}"
        );
    }
}

async fn callers_without_the_scope_are_denied(suite: &Suite, id: &str) {
    let label = suite.label;
    let status = suite
        .profile(ApiClient::Web)
        .create_customer(CreateCustomerRequest {
            customer: Some(customer("13500135001", "关羽")),
            request_id: String::new(),
        })
        .await
        .expect_err("the web hall may not write");
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "[{label}] {status:?}"
    );

    let status = suite
        .profile(ApiClient::Hall)
        .erase_customer(EraseCustomerRequest {
            customer_id: id.to_owned(),
            reason: "not allowed".into(),
            request_id: String::new(),
        })
        .await
        .expect_err("the hall may not erase");
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "[{label}] {status:?}"
    );
    let still = suite
        .profile(ApiClient::Admin)
        .get_customer(by_id(id))
        .await
        .expect("the customer is untouched")
        .into_inner()
        .customer
        .expect("customer");
    assert_eq!(
        (still.name.as_str(), still.erase_time),
        ("刘备", None),
        "[{label}]"
    );

    let status = suite
        .profile(ApiClient::Hall)
        .list_audit_records(ListAuditRecordsRequest {
            customer_id: id.to_owned(),
            ..Default::default()
        })
        .await
        .expect_err("the hall may not read the audit trail");
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "[{label}] {status:?}"
    );

    let status = suite
        .channel_api(ApiClient::Web)
        .lookup_caller(LookupCallerRequest {
            msisdn: "13500135000".into(),
        })
        .await
        .expect_err("caller look-up is for the hotline");
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "[{label}] {status:?}"
    );
}

async fn forged_caller_headers_grant_nothing(suite: &Suite, id: &str) {
    let label = suite.label;
    let forged = ApiClient::Web
        .credentials()
        .with("x-vipcare-scopes", "customer:read pii:read audit:read")
        .with("x-vipcare-client", "e2e-admin")
        .with("x-vipcare-channel", "admin");
    let seen = suite
        .profile_with(forged)
        .get_customer(by_id(id))
        .await
        .expect("the web hall may read")
        .into_inner()
        .customer
        .expect("customer");
    assert!(seen.pii_masked, "[{label}] forged scopes were honoured");
    assert_eq!(seen.name, "刘*", "[{label}]");
}

async fn a_client_over_its_rate_is_told_when_to_retry(suite: &Suite, id: &str) {
    let label = suite.label;
    let mut partner = suite.profile(ApiClient::Partner);
    // Burst 2, then one call per 10 s: two calls pass, a third right after them does not.
    for _ in 0..2 {
        partner
            .get_customer(by_id(id))
            .await
            .expect("within the burst");
    }
    let status = partner
        .get_customer(by_id(id))
        .await
        .expect_err("over the rate");
    assert_eq!(
        status.code(),
        Code::ResourceExhausted,
        "[{label}] {status:?}"
    );
    let retry = status
        .get_details_retry_info()
        .and_then(|info| info.retry_delay)
        .unwrap_or_else(|| panic!("[{label}] no retry delay: {status:?}"));
    assert!(!retry.is_zero(), "[{label}] retry delay {retry:?}");

    // Other clients are not slowed down by the partner's limit.
    suite
        .profile(ApiClient::Web)
        .get_customer(by_id(id))
        .await
        .expect("the web hall has its own budget");
}

async fn browsers_call_through_grpc_web(suite: &Suite, id: &str) {
    let label = suite.label;
    let path = "/vipcare.gateway.v1.ChannelService/LookupCaller";
    let request = LookupCallerRequest {
        msisdn: "13500135000".into(),
    };
    let key = ApiClient::Hotline.key();
    let reply = grpc_web::call(suite.gateway(), path, key.as_deref(), &request).await;
    assert_eq!(reply.http_status, 200, "[{label}] {reply:?}");
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/grpc-web")),
        "[{label}] {reply:?}"
    );
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(ORIGIN),
        "[{label}] a page on another origin may read the answer"
    );
    assert_eq!(reply.grpc_status(), Some("0"), "[{label}] {reply:?}");
    assert_eq!(reply.messages.len(), 1, "[{label}] {reply:?}");
    let answer =
        LookupCallerResponse::decode(reply.messages[0].as_slice()).expect("a LookupCallerResponse");
    assert_eq!(answer.customer_id, id, "[{label}]");
    assert_eq!(answer.display_name, "刘*", "[{label}]");

    let refused = grpc_web::call(suite.gateway(), path, None, &request).await;
    assert_eq!(
        refused.grpc_status(),
        Some("16"),
        "[{label}] UNAUTHENTICATED over gRPC-Web too: {refused:?}"
    );
}
