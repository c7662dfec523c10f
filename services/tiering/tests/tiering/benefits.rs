//! Entitlement checks and redemptions: per-tier quotas that hold under concurrent
//! redemptions, request ids that never take a second unit, suspended lines.

use prost_types::FieldMask;
use tonic::Code;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::check_entitlement_request::Customer as CheckFor;
use vipcare_proto::tiering::v1::redeem_benefit_request::Customer as RedeemFor;

use crate::harness::*;

fn check(id: &str, code: &str) -> pb::CheckEntitlementRequest {
    pb::CheckEntitlementRequest {
        customer: Some(CheckFor::CustomerId(id.into())),
        benefit_code: code.into(),
        partner_id: String::new(),
    }
}

fn redeem(id: &str, code: &str, request_id: &str) -> pb::RedeemBenefitRequest {
    pb::RedeemBenefitRequest {
        customer: Some(RedeemFor::CustomerId(id.into())),
        benefit_code: code.into(),
        partner_id: String::new(),
        request_id: request_id.into(),
    }
}

#[tokio::test]
async fn a_standard_customer_is_not_entitled() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        let answer = suite
            .tiering
            .check_entitlement(check(&id, "airport_lounge"))
            .await
            .unwrap();
        let answer = answer.into_inner();
        assert!(!answer.allowed, "[{label}]");
        assert_eq!(
            answer.reason,
            pb::EntitlementReason::NotEligibleTier as i32,
            "[{label}]"
        );
        assert_eq!(answer.tier, "STANDARD", "[{label}]");
        let result = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "r-1"))
            .await;
        assert_eq!(refusal(result), "NOT_ELIGIBLE_TIER", "[{label}]");

        let result = suite
            .tiering
            .check_entitlement(check(&id, "time_machine"))
            .await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");
        let result = suite
            .tiering
            .redeem_benefit(redeem(&id, "time_machine", "r-2"))
            .await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");
        let result = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", ""))
            .await;
        assert_invalid(label, result, "request_id");
    }
}

#[tokio::test]
async fn concurrent_redemptions_never_exceed_the_quota() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        suite.override_to(&id, "DIAMOND").await;
        let calls = (0..50).map(|i| {
            let mut client = suite.tiering.clone();
            let request = redeem(&id, "airport_lounge", &format!("storm-{i}"));
            async move { client.redeem_benefit(request).await }
        });
        let results = futures::future::join_all(calls).await;
        let mut remaining = Vec::new();
        let mut refused = 0;
        for result in results {
            match result {
                Ok(answer) => remaining.push(answer.into_inner().remaining),
                Err(status) => {
                    assert_eq!(refusal::<()>(Err(status)), "QUOTA_EXHAUSTED", "[{label}]");
                    refused += 1;
                }
            }
        }
        remaining.sort();
        assert_eq!(
            remaining,
            [0, 1, 2, 3, 4, 5, 6, 7],
            "[{label}] 8 units, each once"
        );
        assert_eq!(refused, 42, "[{label}]");

        let answer = suite
            .tiering
            .check_entitlement(check(&id, "airport_lounge"))
            .await;
        let answer = answer.unwrap().into_inner();
        assert!(!answer.allowed, "[{label}]");
        assert_eq!(answer.reason, pb::EntitlementReason::QuotaExhausted as i32);
        assert_eq!(answer.remaining, 0, "[{label}]");
        let request = pb::ListRedemptionsRequest {
            customer_id: id.clone(),
            benefit_code: "airport_lounge".into(),
            page_size: 100,
            page_token: String::new(),
        };
        let listed = suite
            .tiering
            .list_redemptions(request)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.redemptions.len(), 8, "[{label}]");
        assert!(
            listed
                .redemptions
                .iter()
                .all(|r| r.tier == "DIAMOND" && r.cycle_key == "2026")
        );
        let shown = suite.tier(&id).await;
        let lounge = shown
            .benefits
            .iter()
            .find(|b| b.code == "airport_lounge")
            .unwrap();
        assert_eq!((lounge.used, lounge.remaining), (8, 0), "[{label}]");
    }
}

#[tokio::test]
async fn a_repeated_request_id_takes_one_unit() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("STANDARD").await.customer_id;
        suite.override_to(&id, "GOLD").await; // two lounge visits a year
        // A time between two milliseconds: the answer and the stored row must still agree.
        suite
            .clock
            .advance(chrono::Duration::nanoseconds(1_234_567));
        let first = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "trip-1"))
            .await;
        let first = first.unwrap().into_inner();
        assert_eq!(first.remaining, 1, "[{label}]");
        let listed = suite
            .tiering
            .list_redemptions(pb::ListRedemptionsRequest {
                customer_id: id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .redemptions;
        assert_eq!(
            listed.first(),
            first.redemption.as_ref(),
            "[{label}] listed as answered"
        );
        let repeat = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "trip-1"))
            .await;
        assert_eq!(
            repeat.unwrap().into_inner(),
            first,
            "[{label}] the first answer"
        );
        let answer = suite
            .tiering
            .check_entitlement(check(&id, "airport_lounge"))
            .await;
        assert_eq!(answer.unwrap().into_inner().remaining, 1, "[{label}]");

        suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "trip-2"))
            .await
            .unwrap();
        let late = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "trip-1"))
            .await;
        assert_eq!(
            late.unwrap().into_inner(),
            first,
            "[{label}] even once the quota is used"
        );
        let result = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "trip-3"))
            .await;
        assert_eq!(refusal(result), "QUOTA_EXHAUSTED", "[{label}]");
    }
}

#[tokio::test]
async fn a_suspended_line_gets_no_benefits() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.create(Person::veteran()).await;
        let id = customer.customer_id.clone();
        suite.override_to(&id, "DIAMOND").await;
        let answer = suite
            .tiering
            .check_entitlement(check(&id, "airport_lounge"))
            .await;
        assert!(answer.unwrap().into_inner().allowed, "[{label}]");

        let update = profile::UpdateCustomerRequest {
            customer: Some(profile::Customer {
                customer_id: id.clone(),
                etag: customer.etag.clone(),
                status: profile::CustomerStatus::Suspended as i32,
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["status".into()],
            }),
        };
        suite.profile.update_customer(update).await.unwrap();
        let answer = suite
            .tiering
            .check_entitlement(check(&id, "airport_lounge"))
            .await;
        let answer = answer.unwrap().into_inner();
        assert!(!answer.allowed, "[{label}]");
        assert_eq!(
            answer.reason,
            pb::EntitlementReason::CustomerSuspended as i32,
            "[{label}]"
        );
        let result = suite
            .tiering
            .redeem_benefit(redeem(&id, "airport_lounge", "s-1"))
            .await;
        assert_eq!(refusal(result), "CUSTOMER_SUSPENDED", "[{label}]");

        let other = suite
            .create(Person::veteran().suspended())
            .await
            .customer_id;
        suite.override_to(&other, "DIAMOND").await;
        let result = suite
            .tiering
            .redeem_benefit(redeem(&other, "hall_vip_lane", "s-2"))
            .await;
        assert_eq!(refusal(result), "CUSTOMER_SUSPENDED", "[{label}]");
    }
}
