//! What the tiering service adds at the gateway: the tier, benefits and churn risk in the view,
//! the caller's routing priority, tier overrides that show at once, partners who may only verify
//! benefits, and a tiering service that cannot be reached.

use tonic::Code;
use vipcare_proto::gateway::v1::{
    CustomerView, GetCustomerViewRequest, LookupCallerRequest, LookupCallerResponse,
    get_customer_view_request,
};
use vipcare_proto::tiering::v1::{
    CheckEntitlementRequest, CheckEntitlementResponse, EntitlementReason, GetCustomerTierRequest,
    OverrideTierRequest, check_entitlement_request, get_customer_tier_request,
};
use vipcare_testkit::TestEnv;

use crate::support::{
    ADMIN, AGENT, HOTLINE, LOUNGE, LOUNGE_PARTNER, Options, Suite, closed_address,
};

const MSISDN: &str = "13800138000";

async fn caller(suite: &Suite) -> LookupCallerResponse {
    let request = LookupCallerRequest {
        msisdn: MSISDN.into(),
    };
    match suite.views(HOTLINE).lookup_caller(request).await {
        Ok(answer) => answer.into_inner(),
        Err(status) => panic!("[{}] LookupCaller: {status:?}", suite.label),
    }
}

async fn override_tier(suite: &Suite, id: &str, tier: &str) {
    let request = OverrideTierRequest {
        customer_id: id.to_owned(),
        tier: tier.to_owned(),
        reason: "retention offer after a network outage".into(),
        actor: "am-007".into(),
        ..OverrideTierRequest::default()
    };
    if let Err(status) = suite.tiering(ADMIN).override_tier(request).await {
        panic!("[{}] OverrideTier {tier}: {status:?}", suite.label);
    }
}

fn lounge_check() -> CheckEntitlementRequest {
    CheckEntitlementRequest {
        customer: Some(check_entitlement_request::Customer::Msisdn(MSISDN.into())),
        benefit_code: "airport_lounge".into(),
        partner_id: LOUNGE_PARTNER.into(),
    }
}

async fn check_lounge(suite: &Suite) -> CheckEntitlementResponse {
    match suite
        .tiering(LOUNGE)
        .check_entitlement(lounge_check())
        .await
    {
        Ok(answer) => answer.into_inner(),
        Err(status) => panic!("[{}] CheckEntitlement: {status:?}", suite.label),
    }
}

fn benefit_codes(view: &CustomerView) -> Vec<&str> {
    view.benefits.iter().map(|b| b.code.as_str()).collect()
}

#[tokio::test]
async fn a_view_shows_the_tier_its_benefits_and_the_churn_risk() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let shown = suite.customer_view(AGENT, id).await;
        assert!(shown.unavailable_sections.is_empty(), "[{label}] {shown:?}");
        let tier = shown.tier.clone().expect("a tier section");
        assert_eq!(tier.tier, "STANDARD", "[{label}] a new customer");
        assert_eq!(tier.display_name, "普通", "[{label}]");
        let risk = shown.churn_risk.clone().expect("a churn risk section");
        assert!((0.0..=1.0).contains(&risk.score), "[{label}] {risk:?}");
        // The view shows exactly the benefits tiering answers for the customer.
        let direct = suite
            .tiering(AGENT)
            .get_customer_tier(GetCustomerTierRequest {
                customer: Some(get_customer_tier_request::Customer::CustomerId(id.into())),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(shown.benefits, direct.benefits, "[{label}]");
        assert!(
            !benefit_codes(&shown).contains(&"airport_lounge"),
            "[{label}] lounges start at GOLD"
        );
        let first = caller(&suite).await;
        assert_eq!(first.tier, "STANDARD", "[{label}]");
        assert_eq!(
            first.priority, 0,
            "[{label}] standard callers queue normally"
        );
    }
}

#[tokio::test]
async fn an_override_through_the_gateway_shows_in_the_next_view_and_look_up() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();
        // Both answers are now cached under the customer's tag.
        assert_eq!(
            suite.customer_view(AGENT, id).await.tier.unwrap().tier,
            "STANDARD"
        );
        assert_eq!(caller(&suite).await.priority, 0, "[{label}]");

        override_tier(&suite, id, "GOLD").await;

        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(shown.tier.clone().unwrap().tier, "GOLD", "[{label}] view");
        let lounge = shown
            .benefits
            .iter()
            .find(|b| b.code == "airport_lounge")
            .unwrap_or_else(|| panic!("[{label}] GOLD brings lounges: {:?}", shown.benefits));
        assert_eq!((lounge.quota, lounge.remaining), (2, 2), "[{label}]");
        let routed = caller(&suite).await;
        assert_eq!(routed.priority, 4, "[{label}] look-up");
        assert_eq!(routed.tier, "GOLD", "[{label}] look-up");
        assert_eq!(routed.customer_id, id, "[{label}]");
        assert_eq!(routed.display_name, "张**", "[{label}]");
    }
}

#[tokio::test]
async fn a_partner_checks_benefits_by_number_and_reads_nothing_else() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let refused = check_lounge(&suite).await;
        assert!(!refused.allowed, "[{label}] {refused:?}");
        assert_eq!(
            refused.reason,
            EntitlementReason::NotEligibleTier as i32,
            "[{label}]"
        );
        assert_eq!(refused.tier, "STANDARD", "[{label}]");
        override_tier(&suite, id, "GOLD").await;
        let allowed = check_lounge(&suite).await;
        assert!(allowed.allowed, "[{label}] GOLD: {allowed:?}");
        assert_eq!(allowed.tier, "GOLD", "[{label}]");

        let tier = suite
            .tiering(LOUNGE)
            .get_customer_tier(GetCustomerTierRequest {
                customer: Some(get_customer_tier_request::Customer::Msisdn(MSISDN.into())),
            })
            .await
            .unwrap_err();
        assert_eq!(tier.code(), Code::PermissionDenied, "[{label}] tier");
        let request = GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::Msisdn(MSISDN.into())),
        };
        let view = suite
            .views(LOUNGE)
            .get_customer_view(request)
            .await
            .unwrap_err();
        assert_eq!(view.code(), Code::PermissionDenied, "[{label}] view");
    }
}

#[tokio::test]
async fn with_tiering_nowhere_the_view_and_look_up_still_answer() {
    for env in TestEnv::all().await {
        let label = env.label;
        let nowhere = closed_address().await;
        let options = Options {
            tiering_address: Some(format!("http://{nowhere}")),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let customer = suite.create_customer(MSISDN, "张三丰").await;
        let id = customer.customer_id.as_str();

        let shown = suite.customer_view(AGENT, id).await;
        assert_eq!(
            shown.unavailable_sections,
            ["tier", "churn_risk"],
            "[{label}]"
        );
        assert_eq!(shown.customer.unwrap().customer_id, id, "[{label}]");
        assert!(shown.value.is_some(), "[{label}] profile still answers");
        assert!(
            shown.tier.is_none() && shown.benefits.is_empty(),
            "[{label}]"
        );
        assert!(shown.churn_risk.is_none(), "[{label}]");

        let routed = caller(&suite).await;
        assert_eq!(routed.customer_id, id, "[{label}]");
        assert_eq!(
            (routed.priority, routed.tier.as_str()),
            (0, ""),
            "[{label}]"
        );

        let direct = suite
            .tiering(AGENT)
            .get_customer_tier(GetCustomerTierRequest {
                customer: Some(get_customer_tier_request::Customer::CustomerId(id.into())),
            })
            .await
            .unwrap_err();
        assert_eq!(direct.code(), Code::Unavailable, "[{label}] routed");
    }
}

/// A suite whose gateway reaches tiering through a proxy, and a GOLD customer (by override).
async fn gold_behind_proxy(env: &TestEnv) -> (Suite, String) {
    let options = Options {
        tiering_behind_proxy: true,
        ..Options::default()
    };
    let suite = Suite::start_with(env, options).await;
    let customer = suite.create_customer(MSISDN, "张三丰").await;
    override_tier(&suite, &customer.customer_id, "GOLD").await;
    (suite, customer.customer_id)
}

/// With tiering back, the view and the look-up show the tier: no degraded answer was cached.
async fn shows_gold_again(suite: &Suite, id: &str) {
    let label = suite.label;
    let shown = suite.customer_view(AGENT, id).await;
    assert!(shown.unavailable_sections.is_empty(), "[{label}] {shown:?}");
    assert_eq!(shown.tier.unwrap().tier, "GOLD", "[{label}] view");
    let routed = caller(suite).await;
    assert_eq!(
        (routed.priority, routed.tier.as_str()),
        (4, "GOLD"),
        "[{label}]"
    );
}

#[tokio::test]
async fn answers_made_without_tiering_are_not_cached() {
    for env in TestEnv::all().await {
        let label = env.label;
        let (suite, id) = gold_behind_proxy(&env).await;
        let id = id.as_str();

        suite.tiering_link().cut().await;
        let degraded = suite.customer_view(AGENT, id).await;
        assert_eq!(
            degraded.unavailable_sections,
            ["tier", "churn_risk"],
            "[{label}]"
        );
        let normal = caller(&suite).await;
        assert_eq!(
            (normal.priority, normal.tier.as_str()),
            (0, ""),
            "[{label}]"
        );

        suite.tiering_link().restore();
        shows_gold_again(&suite, id).await;
    }
}

#[tokio::test]
async fn a_hanging_tiering_costs_the_view_a_second_not_the_deadline() {
    for env in TestEnv::all().await {
        let label = env.label;
        let (suite, id) = gold_behind_proxy(&env).await;
        let id = id.as_str();

        // Tiering keeps its connections but answers nothing, like a process stuck on its database.
        suite.tiering_link().stall();
        let mut request = tonic::Request::new(GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::CustomerId(id.to_owned())),
        });
        // The agent's screen gives up after 3 s; the view must come before that.
        request.set_timeout(std::time::Duration::from_secs(3));
        let shown = suite
            .views(AGENT)
            .get_customer_view(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] the view waited out the deadline: {s:?}"))
            .into_inner()
            .view
            .expect("a view");
        assert_eq!(
            shown.unavailable_sections,
            ["tier", "churn_risk"],
            "[{label}]"
        );
        assert_eq!(shown.customer.unwrap().customer_id, id, "[{label}]");

        let mut request = tonic::Request::new(LookupCallerRequest {
            msisdn: MSISDN.into(),
        });
        request.set_timeout(std::time::Duration::from_secs(3));
        let routed = suite
            .views(HOTLINE)
            .lookup_caller(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] the look-up waited out the deadline: {s:?}"))
            .into_inner();
        assert_eq!(
            (routed.priority, routed.customer_id.as_str()),
            (0, id),
            "[{label}]"
        );

        // Once tiering answers again, so do the sections: nothing degraded was cached.
        suite.tiering_link().restore();
        shows_gold_again(&suite, id).await;
    }
}
