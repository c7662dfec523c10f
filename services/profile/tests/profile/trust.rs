//! Only internal callers: a call without the internal credential is refused before it reads or
//! writes anything, whatever caller headers it claims, and a credential only vouches for the
//! caller headers it was signed with. Health stays open for probes.

use tonic::{Code, Request};
use vipcare_proto::profile::v1 as pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_runtime::InternalCredential;
use vipcare_runtime::caller::SCOPES_HEADER;
use vipcare_runtime::internal::InternalSecret;
use vipcare_testkit::{plain_channel, wait_serving};

use crate::harness::*;

fn by_id(id: &str) -> pb::GetCustomerRequest {
    pb::GetCustomerRequest {
        lookup: Some(Lookup::CustomerId(id.into())),
    }
}

fn audit_of(id: &str) -> pb::ListAuditRecordsRequest {
    pb::ListAuditRecordsRequest {
        customer_id: id.into(),
        page_size: 500,
        page_token: String::new(),
    }
}

#[tokio::test]
async fn a_caller_without_the_credential_is_unauthenticated_and_sees_nothing() {
    for mut svc in services().await {
        let label = svc.label;
        let created = create(&mut svc, customer("13800138000", "张三丰")).await;
        let id = created.customer_id.as_str();
        let audited = audit_records(&mut svc, id).await.len();
        // Any process that can reach the port, claiming to be a clerk with pii:read.
        let mut stray = ProfileServiceClient::new(plain_channel(svc.addr));

        let forged = stray.get_customer(as_caller(&clerk(), by_id(id))).await;
        assert_eq!(
            code(forged),
            Code::Unauthenticated,
            "[{label}] forged pii:read"
        );
        let bare = stray.list_audit_records(audit_of(id)).await;
        assert_eq!(
            code(bare),
            Code::Unauthenticated,
            "[{label}] no headers at all"
        );
        let write = pb::CreateCustomerRequest {
            customer: Some(customer("13900139000", "李四")),
            request_id: String::new(),
        };
        let write = stray.create_customer(as_caller(&clerk(), write)).await;
        assert_eq!(code(write), Code::Unauthenticated, "[{label}] a write");

        assert_eq!(
            audit_records(&mut svc, id).await.len(),
            audited,
            "[{label}] the refused read was not served, so not audited"
        );
        let by_number = pb::GetCustomerRequest {
            lookup: Some(Lookup::Msisdn("13900139000".into())),
        };
        let lookup = svc
            .client
            .get_customer(as_caller(&clerk(), by_number))
            .await;
        assert_eq!(
            code(lookup),
            Code::NotFound,
            "[{label}] nothing was written"
        );
        // Probes carry no credential and must still see the service.
        wait_serving(svc.addr, vipcare_proto::service_names::PROFILE).await;

        let seen = get(&mut svc, &clerk(), id).await.unwrap();
        assert_eq!(
            seen.name, "张三丰",
            "[{label}] signed, as the gateway calls"
        );
    }
}

#[tokio::test]
async fn a_credential_vouches_only_for_the_caller_it_was_signed_for() {
    for mut svc in services().await {
        let label = svc.label;
        let created = create(&mut svc, customer("13800138000", "张三丰")).await;
        let id = created.customer_id.as_str();
        let mut stray = ProfileServiceClient::new(plain_channel(svc.addr));

        // A credential seen on a masked web call, replayed with pii:read added.
        let mut replayed = as_caller(&web(), by_id(id));
        svc.credential.stamp(replayed.metadata_mut().as_mut());
        let masked = stray.get_customer(clone_request(&replayed)).await.unwrap();
        assert!(
            masked.into_inner().customer.unwrap().pii_masked,
            "[{label}]"
        );
        replayed
            .metadata_mut()
            .insert(SCOPES_HEADER, "customer:read pii:read".parse().unwrap());
        let status = stray.get_customer(replayed).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "[{label}] {status:?}");

        // Signed with a secret of one's own.
        let own = InternalCredential::new(&InternalSecret::generate());
        let mut guessed = as_caller(&clerk(), by_id(id));
        own.stamp(guessed.metadata_mut().as_mut());
        let status = stray.get_customer(guessed).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "[{label}] {status:?}");
    }
}

/// The same message and metadata again (a `Request` is not `Clone`).
fn clone_request<T: Clone>(request: &Request<T>) -> Request<T> {
    let mut copy = Request::new(request.get_ref().clone());
    *copy.metadata_mut() = request.metadata().clone();
    copy
}

#[test]
fn the_binary_refuses_to_start_without_the_secret_naming_it() {
    let data_dir = std::env::temp_dir().join(format!("vipcare-no-secret-{}", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vipcare-profile"))
        .env("VIPCARE__DATA_DIR", &data_dir)
        .env("VIPCARE__PROFILE__LISTEN", "127.0.0.1:0")
        .env_remove("VIPCARE__INTERNAL__SECRET")
        .env_remove("VIPCARE__INTERNAL__SECRET_FILE")
        .env_remove("VIPCARE_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a setting to fix");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("vipcare-profile: invalid setting internal.secret: "),
        "{stderr}"
    );
    assert!(!data_dir.exists(), "nothing was created before refusing");
}
