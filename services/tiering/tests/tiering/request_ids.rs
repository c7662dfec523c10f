//! request_id on RedeemBenefit and OverrideTier: keys belong to the calling client and method,
//! a key reused with another request is INVALID_ARGUMENT on `request_id` and changes nothing,
//! and concurrent calls with one key act once.

use futures::future::join_all;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::redeem_benefit_request::Customer as RedeemFor;

use crate::harness::*;

const LOUNGES: &str = "airport-lounges";

fn redeem(msisdn: &str, request_id: &str) -> pb::RedeemBenefitRequest {
    pb::RedeemBenefitRequest {
        customer: Some(RedeemFor::Msisdn(msisdn.into())),
        benefit_code: "airport_lounge".into(),
        partner_id: String::new(),
        request_id: request_id.into(),
    }
}

async fn lounge_visits_left(suite: &mut Suite, msisdn: &str) -> i32 {
    let request = pb::CheckEntitlementRequest {
        customer: Some(pb::check_entitlement_request::Customer::Msisdn(
            msisdn.into(),
        )),
        benefit_code: "airport_lounge".into(),
        partner_id: String::new(),
    };
    suite
        .tiering
        .check_entitlement(as_partner(LOUNGES, request))
        .await
        .unwrap()
        .into_inner()
        .remaining
}

#[tokio::test]
async fn a_partner_reusing_a_request_id_for_another_customer_is_refused() {
    for mut suite in suites().await {
        let label = suite.label;
        let first = suite.customer_scoring("STANDARD").await;
        suite.override_to(&first.customer_id, "DIAMOND").await;
        let second = suite.customer_scoring("STANDARD").await;
        suite.override_to(&second.customer_id, "DIAMOND").await;
        suite
            .tiering
            .redeem_benefit(as_partner(LOUNGES, redeem(&first.msisdn, "visit-1")))
            .await
            .unwrap();
        let reused = suite
            .tiering
            .redeem_benefit(as_partner(LOUNGES, redeem(&second.msisdn, "visit-1")))
            .await;
        assert_invalid(label, reused, "request_id");
        assert_eq!(
            lounge_visits_left(&mut suite, &second.msisdn).await,
            8,
            "[{label}] the second customer was not charged"
        );
        assert_eq!(
            lounge_visits_left(&mut suite, &first.msisdn).await,
            7,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn concurrent_redemptions_with_one_key_take_one_unit() {
    for mut suite in suites().await {
        let label = suite.label;
        let flyer = suite.customer_scoring("STANDARD").await;
        suite.override_to(&flyer.customer_id, "DIAMOND").await;
        let calls = (0..8).map(|_| {
            let mut client = suite.tiering.clone();
            let request = as_partner(LOUNGES, redeem(&flyer.msisdn, "visit-9"));
            async move { client.redeem_benefit(request).await }
        });
        let answers: Vec<pb::RedeemBenefitResponse> = join_all(calls)
            .await
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|s| panic!("[{label}] every call answers: {s:?}"))
                    .into_inner()
            })
            .collect();
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "[{label}] one answer for all: {answers:?}"
        );
        assert_eq!(answers[0].remaining, 7, "[{label}]");
        assert_eq!(
            lounge_visits_left(&mut suite, &flyer.msisdn).await,
            7,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn an_override_key_reused_with_another_tier_changes_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        let request = |tier: &str| pb::OverrideTierRequest {
            customer_id: id.clone(),
            tier: tier.into(),
            reason: "complaint recovery".into(),
            actor: "emp-7".into(),
            expire_time: None,
            request_id: "ticket-42".into(),
        };
        suite
            .tiering
            .override_tier(request("PLATINUM"))
            .await
            .unwrap();
        let reused = suite.tiering.override_tier(request("DIAMOND")).await;
        assert_invalid(label, reused, "request_id");
        assert_eq!(suite.tier_code(&id).await, "PLATINUM", "[{label}]");
        assert_eq!(suite.history(&id).await.len(), 1, "[{label}]");
    }
}
