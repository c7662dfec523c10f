//! Partner clients (lounges, VIP rooms) check and redeem by calling number, only for
//! themselves and only the benefits they provide, and never see customer ids.

use tonic::Code;
use vipcare_proto::common::v1::Channel;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::check_entitlement_request::Customer as CheckFor;
use vipcare_proto::tiering::v1::redeem_benefit_request::Customer as RedeemFor;

use crate::harness::*;

const LOUNGES: &str = "airport-lounges";

fn check(msisdn: &str, code: &str, partner_id: &str) -> pb::CheckEntitlementRequest {
    pb::CheckEntitlementRequest {
        customer: Some(CheckFor::Msisdn(msisdn.into())),
        benefit_code: code.into(),
        partner_id: partner_id.into(),
    }
}

fn redeem(
    msisdn: &str,
    code: &str,
    partner_id: &str,
    request_id: &str,
) -> pb::RedeemBenefitRequest {
    pb::RedeemBenefitRequest {
        customer: Some(RedeemFor::Msisdn(msisdn.into())),
        benefit_code: code.into(),
        partner_id: partner_id.into(),
        request_id: request_id.into(),
    }
}

#[tokio::test]
async fn a_partner_checks_and_redeems_by_number_without_seeing_ids() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer_scoring("DIAMOND").await;
        let (id, msisdn) = (customer.customer_id, customer.msisdn);
        assert_eq!(
            suite.evaluate(&id, "2026-06").await.resulting_tier,
            "DIAMOND"
        );

        let request = as_partner(LOUNGES, check(&msisdn, "airport_lounge", ""));
        let answer = suite.tiering.check_entitlement(request).await;
        let answer = answer
            .unwrap_or_else(|s| panic!("[{label}] check: {s:?}"))
            .into_inner();
        assert!(answer.allowed, "[{label}] {answer:?}");
        assert_eq!((answer.tier.as_str(), answer.remaining), ("DIAMOND", 8));

        let request = as_partner(
            LOUNGES,
            redeem(&msisdn, "airport_lounge", LOUNGES, "pek-t3-1"),
        );
        let answer = suite
            .tiering
            .redeem_benefit(request)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answer.remaining, 7, "[{label}]");
        let redemption = answer.redemption.unwrap();
        assert_eq!(
            redemption.customer_id, "",
            "[{label}] no customer id for partners"
        );
        assert_eq!(redemption.partner_id, LOUNGES, "[{label}]");
        assert_eq!(redemption.client, LOUNGES, "[{label}]");
        assert_eq!(redemption.channel, Channel::Partner as i32, "[{label}]");

        let request = pb::GetCustomerTierRequest {
            customer: Some(pb::get_customer_tier_request::Customer::Msisdn(
                msisdn.clone(),
            )),
        };
        let shown = suite
            .tiering
            .get_customer_tier(as_partner(LOUNGES, request))
            .await;
        let shown = shown.unwrap().into_inner().tier.unwrap();
        assert_eq!(
            (shown.customer_id.as_str(), shown.tier.as_str()),
            ("", "DIAMOND")
        );

        // The operator sees whose redemption it was.
        let request = pb::ListRedemptionsRequest {
            customer_id: id.clone(),
            ..Default::default()
        };
        let listed = suite
            .tiering
            .list_redemptions(request)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.redemptions.len(), 1, "[{label}]");
        assert_eq!(listed.redemptions[0].customer_id, id, "[{label}]");
        assert_eq!(
            listed.redemptions[0].redemption_id,
            redemption.redemption_id
        );
    }
}

#[tokio::test]
async fn a_partner_acts_only_for_itself_and_its_own_benefits() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer_scoring("STANDARD").await;
        suite.override_to(&customer.customer_id, "DIAMOND").await;
        let msisdn = customer.msisdn;

        let request = as_partner(
            LOUNGES,
            check(&msisdn, "railway_vip_room", "railway-vip-rooms"),
        );
        let result = suite.tiering.check_entitlement(request).await;
        assert_eq!(code(result), Code::PermissionDenied, "[{label}]");
        let request = as_partner(
            LOUNGES,
            redeem(&msisdn, "railway_vip_room", "railway-vip-rooms", "x-1"),
        );
        let result = suite.tiering.redeem_benefit(request).await;
        assert_eq!(code(result), Code::PermissionDenied, "[{label}]");

        for benefit in ["railway_vip_room", "priority_hotline"] {
            let request = as_partner(LOUNGES, check(&msisdn, benefit, ""));
            let answer = suite
                .tiering
                .check_entitlement(request)
                .await
                .unwrap()
                .into_inner();
            assert!(!answer.allowed, "[{label}] {benefit}");
            assert_eq!(
                answer.reason,
                pb::EntitlementReason::PartnerNotAllowed as i32,
                "[{label}] {benefit}"
            );
        }
        let request = as_partner(LOUNGES, redeem(&msisdn, "railway_vip_room", "", "x-2"));
        let result = suite.tiering.redeem_benefit(request).await;
        assert_eq!(refusal(result), "PARTNER_NOT_ALLOWED", "[{label}]");

        let request = as_partner(LOUNGES, check("12345", "airport_lounge", ""));
        assert_invalid(
            label,
            suite.tiering.check_entitlement(request).await,
            "msisdn",
        );
    }
}

#[tokio::test]
async fn partners_choosing_the_same_request_id_each_get_their_own_redemption() {
    for mut suite in suites().await {
        let label = suite.label;
        let flyer = suite.customer_scoring("STANDARD").await;
        suite.override_to(&flyer.customer_id, "DIAMOND").await;
        let commuter = suite.customer_scoring("STANDARD").await;
        suite.override_to(&commuter.customer_id, "GOLD").await;

        // Each partner numbers its visits its own way; both start at "visit-1".
        let request = as_partner(
            LOUNGES,
            redeem(&flyer.msisdn, "airport_lounge", "", "visit-1"),
        );
        let lounge = suite
            .tiering
            .redeem_benefit(request)
            .await
            .unwrap()
            .into_inner();
        let rail = "railway-vip-rooms";
        let request = as_partner(
            rail,
            redeem(&commuter.msisdn, "railway_vip_room", "", "visit-1"),
        );
        let room = suite.tiering.redeem_benefit(request).await;
        let room = room
            .unwrap_or_else(|s| panic!("[{label}] {s:?}"))
            .into_inner();
        let visit = room.redemption.unwrap();
        assert_eq!(
            (
                visit.benefit_code.as_str(),
                visit.partner_id.as_str(),
                visit.tier.as_str()
            ),
            ("railway_vip_room", rail, "GOLD"),
            "[{label}] not the lounge's redemption"
        );
        assert_ne!(
            visit.redemption_id,
            lounge.redemption.unwrap().redemption_id
        );
        assert_eq!(
            room.remaining, 1,
            "[{label}] a unit of the commuter's was used"
        );
        let request = pb::ListRedemptionsRequest {
            customer_id: commuter.customer_id.clone(),
            ..Default::default()
        };
        let listed = suite
            .tiering
            .list_redemptions(request)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.redemptions.len(), 1, "[{label}]");
    }
}
