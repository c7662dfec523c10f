//! Tiers as the front line and partners meet them: an operator's evaluation run over every
//! customer, the new tier and its benefits in the customer view, the hotline routing the better
//! customer first, and a lounge partner whose redemption is taken once however often it is sent.

use std::time::Duration;

use vipcare_e2e::sample::{customer, months_ago};
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::gateway::v1::{
    CustomerView, GetCustomerViewRequest, LookupCallerRequest, LookupCallerResponse,
    get_customer_view_request,
};
use vipcare_proto::profile::v1::{CreateCustomerRequest, Customer, RecordConsumptionRequest};
use vipcare_proto::tiering::v1::{
    BenefitBalance, EvaluationRun, GetEvaluationRunRequest, ListRedemptionsRequest,
    RedeemBenefitRequest, RedeemBenefitResponse, RunEvaluationRequest, RunState,
    redeem_benefit_request,
};
use vipcare_testkit::TestEnv;
use vipcare_testkit::status::refusal;

/// Bills ¥150 in each of the last twelve months: GOLD under the default policy (58.82 points:
/// half the contribution, full tenure since 2010, billed every month, no family).
const GOLD_MSISDN: &str = "13700137000";
/// No bills at all: STANDARD (28.24 points, from tenure and a line in good standing only).
const STANDARD_MSISDN: &str = "13700137001";
const LOUNGE: &str = "airport_lounge";

struct Customers {
    gold: Customer,
    standard: Customer,
}

#[tokio::test]
async fn an_evaluation_run_sets_tiers_the_view_the_hotline_and_partners_honour() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let customers = spender_and_newcomer(&suite).await;
        before_the_run_everyone_is_standard(&suite, &customers).await;
        the_run_evaluates_everyone(&suite).await;
        the_view_shows_the_tier_and_its_benefits(&suite, &customers).await;
        the_hotline_routes_the_better_customer_first(&suite, &customers).await;
        a_lounge_visit_is_taken_once_however_often_it_is_sent(&suite, &customers).await;
        suite.stop_gracefully().await;
    }
}

async fn spender_and_newcomer(suite: &Suite) -> Customers {
    let label = suite.label;
    let mut hall = suite.profile(ApiClient::Hall);
    let mut create = async |msisdn: &str, name: &str| {
        let request = CreateCustomerRequest {
            customer: Some(customer(msisdn, name)),
            request_id: String::new(),
        };
        hall.create_customer(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] create {msisdn}: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer")
    };
    let gold = create(GOLD_MSISDN, "周大福").await;
    let standard = create(STANDARD_MSISDN, "吴小明").await;
    for months_back in 1..=12 {
        hall.record_consumption(RecordConsumptionRequest {
            customer_id: gold.customer_id.clone(),
            period: months_ago(months_back),
            spend_fen: 15_000,
            data_mb: 20_480,
            voice_minutes: 300,
            roaming_fen: 0,
            vas_fen: 0,
        })
        .await
        .unwrap_or_else(|s| panic!("[{label}] bill {months_back} months ago: {s:?}"));
    }
    Customers { gold, standard }
}

async fn view(suite: &Suite, customer_id: &str) -> CustomerView {
    let label = suite.label;
    let request = GetCustomerViewRequest {
        lookup: Some(get_customer_view_request::Lookup::CustomerId(
            customer_id.to_owned(),
        )),
    };
    let view = suite
        .channel_api(ApiClient::Hall)
        .get_customer_view(request)
        .await
        .unwrap_or_else(|s| panic!("[{label}] view: {s:?}"))
        .into_inner()
        .view
        .expect("a view");
    assert!(
        view.unavailable_sections.is_empty(),
        "[{label}] every section answered: {view:?}"
    );
    view
}

fn tier_of(view: &CustomerView) -> &str {
    view.tier.as_ref().map_or("", |t| t.tier.as_str())
}

fn lounge_balance(view: &CustomerView) -> Option<&BenefitBalance> {
    view.benefits.iter().find(|b| b.code == LOUNGE)
}

async fn caller(suite: &Suite, msisdn: &str) -> LookupCallerResponse {
    let label = suite.label;
    suite
        .channel_api(ApiClient::Hotline)
        .lookup_caller(LookupCallerRequest {
            msisdn: msisdn.to_owned(),
        })
        .await
        .unwrap_or_else(|s| panic!("[{label}] look up {msisdn}: {s:?}"))
        .into_inner()
}

/// Also puts the gold customer's view and look-up in the cache, so the run must refresh them.
async fn before_the_run_everyone_is_standard(suite: &Suite, c: &Customers) {
    let label = suite.label;
    let shown = view(suite, &c.gold.customer_id).await;
    assert_eq!(tier_of(&shown), "STANDARD", "[{label}] never evaluated");
    assert_eq!(
        lounge_balance(&shown),
        None,
        "[{label}] lounges start at GOLD"
    );
    let routed = caller(suite, GOLD_MSISDN).await;
    assert_eq!(
        (routed.tier.as_str(), routed.priority),
        ("STANDARD", 0),
        "[{label}]"
    );
}

async fn the_run_evaluates_everyone(suite: &Suite) {
    let label = suite.label;
    let run_id = suite
        .tiering(ApiClient::Admin)
        .run_evaluation(RunEvaluationRequest {
            period: months_ago(0),
            dry_run: false,
        })
        .await
        .unwrap_or_else(|s| panic!("[{label}] start the run: {s:?}"))
        .into_inner()
        .run_id;
    let run = finished(suite, &run_id).await;
    assert_eq!(run.state, RunState::Done as i32, "[{label}] {run:?}");
    assert_eq!(
        (run.processed, run.upgrades, run.downgrades, run.errors),
        (2, 1, 0, 0),
        "[{label}] both customers, one of them up: {run:?}"
    );
}

/// Polls the run until it leaves RUNNING: the state is the real signal, a minute the bound.
async fn finished(suite: &Suite, run_id: &str) -> EvaluationRun {
    let label = suite.label;
    let mut admin = suite.tiering(ApiClient::Admin);
    let poll = async {
        let mut ticks = tokio::time::interval(Duration::from_millis(50));
        loop {
            ticks.tick().await;
            let run = admin
                .get_evaluation_run(GetEvaluationRunRequest {
                    run_id: run_id.to_owned(),
                })
                .await
                .unwrap_or_else(|s| panic!("[{label}] run {run_id}: {s:?}"))
                .into_inner()
                .run
                .expect("a run");
            if run.state != RunState::Running as i32 {
                return run;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), poll)
        .await
        .unwrap_or_else(|_| panic!("[{label}] run {run_id} still RUNNING after a minute"))
}

async fn the_view_shows_the_tier_and_its_benefits(suite: &Suite, c: &Customers) {
    let label = suite.label;
    let gold = view(suite, &c.gold.customer_id).await;
    let tier = gold.tier.as_ref().expect("a tier section");
    assert_eq!(
        (tier.tier.as_str(), tier.display_name.as_str()),
        ("GOLD", "金卡"),
        "[{label}] the cached view was refreshed by the run: {tier:?}"
    );
    assert_eq!(tier.last_period, months_ago(0), "[{label}]");
    let lounge = lounge_balance(&gold)
        .unwrap_or_else(|| panic!("[{label}] GOLD brings lounges: {:?}", gold.benefits));
    assert_eq!(
        (lounge.quota, lounge.used, lounge.remaining),
        (2, 0, 2),
        "[{label}]"
    );

    let standard = view(suite, &c.standard.customer_id).await;
    assert_eq!(tier_of(&standard), "STANDARD", "[{label}]");
    assert_eq!(lounge_balance(&standard), None, "[{label}]");
}

async fn the_hotline_routes_the_better_customer_first(suite: &Suite, c: &Customers) {
    let label = suite.label;
    let gold = caller(suite, GOLD_MSISDN).await;
    assert_eq!(gold.customer_id, c.gold.customer_id, "[{label}]");
    assert_eq!(
        (gold.tier.as_str(), gold.priority),
        ("GOLD", 4),
        "[{label}] the cached look-up was refreshed by the run"
    );
    let standard = caller(suite, STANDARD_MSISDN).await;
    assert_eq!(
        (standard.tier.as_str(), standard.priority),
        ("STANDARD", 0),
        "[{label}]"
    );
}

fn visit(request_id: &str) -> RedeemBenefitRequest {
    RedeemBenefitRequest {
        customer: Some(redeem_benefit_request::Customer::Msisdn(
            GOLD_MSISDN.to_owned(),
        )),
        benefit_code: LOUNGE.to_owned(),
        // A partner acts as itself; naming nobody means itself.
        partner_id: String::new(),
        request_id: request_id.to_owned(),
    }
}

async fn redeem(suite: &Suite, request_id: &str) -> RedeemBenefitResponse {
    let label = suite.label;
    suite
        .tiering(ApiClient::Lounge)
        .redeem_benefit(visit(request_id))
        .await
        .unwrap_or_else(|s| panic!("[{label}] redeem {request_id}: {s:?}"))
        .into_inner()
}

async fn a_lounge_visit_is_taken_once_however_often_it_is_sent(suite: &Suite, c: &Customers) {
    let label = suite.label;
    let first = redeem(suite, "gate-b12-visit-1").await;
    let redemption = first.redemption.clone().expect("a redemption");
    assert_eq!(first.remaining, 1, "[{label}] one of two taken");
    assert_eq!(redemption.partner_id, ApiClient::Lounge.name(), "[{label}]");
    assert!(
        redemption.customer_id.is_empty(),
        "[{label}] partners never see customer ids: {redemption:?}"
    );

    // The lounge's terminal timed out and sent it again: the same answer, nothing taken.
    let repeat = redeem(suite, "gate-b12-visit-1").await;
    assert_eq!(repeat, first, "[{label}] the first answer, again");
    let shown = view(suite, &c.gold.customer_id).await;
    let lounge = lounge_balance(&shown).expect("lounges");
    assert_eq!(
        (lounge.used, lounge.remaining),
        (1, 1),
        "[{label}] the view counts one visit"
    );
    let redemptions = suite
        .tiering(ApiClient::Admin)
        .list_redemptions(ListRedemptionsRequest {
            customer_id: c.gold.customer_id.clone(),
            benefit_code: LOUNGE.to_owned(),
            page_size: 50,
            page_token: String::new(),
        })
        .await
        .unwrap_or_else(|s| panic!("[{label}] list redemptions: {s:?}"))
        .into_inner()
        .redemptions;
    let ids: Vec<&str> = redemptions
        .iter()
        .map(|r| r.redemption_id.as_str())
        .collect();
    assert_eq!(ids, [redemption.redemption_id.as_str()], "[{label}]");

    // Another visit takes the last unit; the one after it is refused, saying why.
    assert_eq!(
        redeem(suite, "gate-b12-visit-2").await.remaining,
        0,
        "[{label}]"
    );
    let refused = suite
        .tiering(ApiClient::Lounge)
        .redeem_benefit(visit("gate-b12-visit-3"))
        .await;
    assert_eq!(refusal(refused), "QUOTA_EXHAUSTED", "[{label}]");
}
