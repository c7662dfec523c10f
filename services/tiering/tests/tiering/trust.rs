//! Only internal callers: tiering answers nothing to a caller without the internal credential,
//! an operator's OverrideTier included, while its own reads of the profile (which refuses
//! unsigned calls too) carry the credential.

use tonic::Code;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::Caller;
use vipcare_testkit::{plain_channel, wait_serving};

use crate::harness::*;

#[tokio::test]
async fn an_unsigned_override_is_unauthenticated_and_changes_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        // Reads the value summary from the profile service: only a signed call gets it.
        suite.evaluate(&id, "2026-06").await;
        assert_eq!(suite.tier_code(&id).await, "GOLD", "[{label}]");

        let operator = Caller::new("admin-console", "admin", &["tier:admin"]);
        let request = || pb::OverrideTierRequest {
            customer_id: id.clone(),
            tier: "DIAMOND".into(),
            reason: "asked nicely".into(),
            actor: "emp-7".into(),
            expire_time: None,
            request_id: String::new(),
        };
        let mut stray = TieringServiceClient::new(plain_channel(suite.tiering_addr));
        let refused = stray.override_tier(request()).await.unwrap_err();
        assert_eq!(
            refused.code(),
            Code::Unauthenticated,
            "[{label}] no headers"
        );
        let refused = stray
            .override_tier(as_caller(&operator, request()))
            .await
            .unwrap_err();
        assert_eq!(
            refused.code(),
            Code::Unauthenticated,
            "[{label}] claimed operator"
        );
        assert_eq!(
            suite.tier_code(&id).await,
            "GOLD",
            "[{label}] nothing changed"
        );
        wait_serving(suite.tiering_addr, vipcare_proto::service_names::TIERING).await;

        let signed = suite
            .tiering
            .override_tier(as_caller(&operator, request()))
            .await
            .unwrap_or_else(|s| panic!("[{label}] signed override: {s:?}"));
        assert_eq!(
            signed.into_inner().tier.unwrap().tier,
            "DIAMOND",
            "[{label}]"
        );
    }
}
