//! GetCustomerView and LookupCaller: composition, masking, the cache and its invalidation, and
//! what happens when Redis is down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tonic::Code;
use vipcare_cache::Cache;
use vipcare_cache::CacheSettings;
use vipcare_profile::domain::{Clock, Period, SystemClock};
use vipcare_proto::gateway::v1::{
    CustomerView, GetCustomerViewRequest, LookupCallerRequest, get_customer_view_request::Lookup,
};
use vipcare_proto::profile::v1::{
    AddServiceNoteRequest, Customer, NoteKind, RecordConsumptionRequest,
};
use vipcare_testkit::TestEnv;
use vipcare_testkit::status::assert_invalid;

use crate::support::{ADMIN, AGENT, HOTLINE, Options, Suite, occupation, update};

async fn view(suite: &Suite, key: &str, lookup: Lookup) -> CustomerView {
    let request = GetCustomerViewRequest {
        lookup: Some(lookup),
    };
    match suite.views(key).get_customer_view(request).await {
        Ok(answer) => answer.into_inner().view.expect("a view"),
        Err(status) => panic!("[{}] GetCustomerView: {status:?}", suite.label),
    }
}

async fn view_by_id(suite: &Suite, customer: &Customer) -> CustomerView {
    view(
        suite,
        AGENT,
        Lookup::CustomerId(customer.customer_id.clone()),
    )
    .await
}

#[tokio::test]
async fn a_view_shows_the_masked_customer_value_and_latest_notes() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let id = customer.customer_id.clone();
        // The view's summary is as of the current month: last month is its newest.
        let last_month = Period::of(SystemClock.today()).previous().to_string();
        suite
            .profile(AGENT)
            .record_consumption(RecordConsumptionRequest {
                customer_id: id.clone(),
                period: last_month,
                spend_fen: 58_800,
                ..Default::default()
            })
            .await
            .unwrap();
        for i in 1..=6 {
            suite
                .profile(AGENT)
                .add_service_note(AddServiceNoteRequest {
                    customer_id: id.clone(),
                    kind: NoteKind::Care as i32,
                    text: format!("care visit {i}"),
                    author: "am-007".into(),
                    ..Default::default()
                })
                .await
                .unwrap();
        }

        let by_id = view(&suite, AGENT, Lookup::CustomerId(id.clone())).await;
        let shown = by_id.customer.clone().unwrap();
        assert_eq!(shown.name, "张**", "[{label}]");
        assert_eq!(shown.msisdn, "138****8000", "[{label}]");
        assert_eq!(
            by_id.value.as_ref().unwrap().arpu_3m_fen,
            19_600,
            "[{label}] (58800 + 0 + 0) / 3"
        );
        let notes: Vec<&str> = by_id.recent_notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            notes,
            [
                "care visit 6",
                "care visit 5",
                "care visit 4",
                "care visit 3",
                "care visit 2"
            ],
            "[{label}] newest five"
        );
        assert!(by_id.unavailable_sections.is_empty(), "[{label}]");
        assert!(by_id.compose_time.is_some(), "[{label}]");

        let by_number = view(&suite, AGENT, Lookup::Msisdn("13800138000".into())).await;
        assert_eq!(by_number.customer.unwrap().customer_id, id, "[{label}]");
        assert_eq!(by_number.recent_notes.len(), 5, "[{label}]");

        // The masked view was cached; an unmasked caller still sees everything.
        let unmasked = view(&suite, ADMIN, Lookup::Msisdn("13800138000".into())).await;
        assert_eq!(unmasked.customer.unwrap().name, "张三丰", "[{label}]");
    }
}

#[tokio::test]
async fn bad_lookups_are_refused_naming_the_field() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let cases = [
            (Some(Lookup::Msisdn("1380013800".into())), "msisdn"),
            (Some(Lookup::Msisdn("+8613800138000".into())), "msisdn"),
            (Some(Lookup::CustomerId(String::new())), "customer_id"),
            (None, "lookup"),
        ];
        for (lookup, field) in cases {
            let refused = suite
                .views(AGENT)
                .get_customer_view(GetCustomerViewRequest { lookup })
                .await;
            assert_invalid(env.label, refused, field);
        }
        let refused = suite
            .views(HOTLINE)
            .lookup_caller(LookupCallerRequest {
                msisdn: "hello".into(),
            })
            .await;
        assert_invalid(env.label, refused, "msisdn");
        let unknown = Lookup::Msisdn("13700137000".into());
        let status = suite
            .views(AGENT)
            .get_customer_view(GetCustomerViewRequest {
                lookup: Some(unknown),
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "[{}]", env.label);
    }
}

#[tokio::test]
async fn an_update_through_the_gateway_shows_in_the_next_view() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        assert_eq!(
            view_by_id(&suite, &customer)
                .await
                .customer
                .unwrap()
                .occupation,
            "engineer"
        );

        let customer = update(&suite, &customer, occupation("architect"), "occupation").await;
        let shown = view_by_id(&suite, &customer).await.customer.unwrap();
        assert_eq!(shown.occupation, "architect", "[{label}] view by id");

        // A new number: the old one no longer leads to the customer, the new one does.
        let number = Customer {
            msisdn: "13900139000".into(),
            ..Customer::default()
        };
        update(&suite, &customer, number, "msisdn").await;
        let new = view(&suite, AGENT, Lookup::Msisdn("13900139000".into())).await;
        assert_eq!(
            new.customer.unwrap().customer_id,
            customer.customer_id,
            "[{label}]"
        );
        let old = suite
            .views(AGENT)
            .get_customer_view(GetCustomerViewRequest {
                lookup: Some(Lookup::Msisdn("13800138000".into())),
            })
            .await
            .unwrap_err();
        assert_eq!(old.code(), Code::NotFound, "[{label}] the old number");
    }
}

#[tokio::test]
async fn updates_racing_view_reads_never_leave_a_stale_view() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Arc::new(Suite::start(&env).await);
        let mut customer = suite.create_customer("13800138000", "张三丰").await;
        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (suite, stop, id) = (suite.clone(), stop.clone(), customer.customer_id.clone());
                tokio::spawn(async move {
                    let mut reads = 0_u32;
                    while !stop.load(Ordering::Relaxed) {
                        view(&suite, AGENT, Lookup::CustomerId(id.clone())).await;
                        reads += 1;
                    }
                    reads
                })
            })
            .collect();

        for round in 0..25 {
            let value = format!("role-{round}");
            customer = update(&suite, &customer, occupation(&value), "occupation").await;
            // What the agent who just saved sees when the view opens.
            let shown = view_by_id(&suite, &customer).await.customer.unwrap();
            assert_eq!(
                shown.occupation, value,
                "[{label}] right after update {round}"
            );
        }
        stop.store(true, Ordering::Relaxed);
        let mut reads = 0;
        for reader in readers {
            reads += reader.await.unwrap();
        }
        assert!(reads > 0, "[{label}] the readers ran");
        let shown = view_by_id(&suite, &customer).await.customer.unwrap();
        assert_eq!(
            shown.occupation, "role-24",
            "[{label}] after the last update"
        );
    }
}

#[tokio::test]
async fn with_redis_down_views_still_answer_from_the_services() {
    for env in TestEnv::all().await {
        let label = env.label;
        let unreachable = CacheSettings {
            redis_url: Some("redis://127.0.0.1:1".into()),
            ..env.cache_settings().clone()
        };
        let options = Options {
            gateway_cache: Some(Cache::connect(&unreachable).await.unwrap()),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let first = view(&suite, AGENT, Lookup::Msisdn("13800138000".into())).await;
        assert_eq!(first.customer.unwrap().occupation, "engineer", "[{label}]");
        let customer = update(&suite, &customer, occupation("pilot"), "occupation").await;
        let second = view_by_id(&suite, &customer).await;
        assert_eq!(second.customer.unwrap().occupation, "pilot", "[{label}]");
        let caller = suite
            .views(HOTLINE)
            .lookup_caller(LookupCallerRequest {
                msisdn: "13800138000".into(),
            })
            .await;
        assert!(caller.is_ok(), "[{label}] {caller:?}");
    }
}

#[tokio::test]
async fn a_suspended_family_member_leaves_the_cached_household_view_at_once() {
    use vipcare_proto::profile::v1::{AddRelationRequest, CustomerStatus, RelationKind};
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let head = suite.create_customer("13800138000", "张三丰").await;
        let spouse = suite.create_customer("13900139000", "李四娘").await;
        suite
            .profile(AGENT)
            .add_relation(AddRelationRequest {
                customer_id: head.customer_id.clone(),
                related_customer_id: spouse.customer_id.clone(),
                kind: RelationKind::Family as i32,
            })
            .await
            .unwrap();
        let last_month = Period::of(SystemClock.today()).previous().to_string();
        suite
            .profile(AGENT)
            .record_consumption(RecordConsumptionRequest {
                customer_id: spouse.customer_id.clone(),
                period: last_month,
                spend_fen: 30_000,
                ..Default::default()
            })
            .await
            .unwrap();
        let value = view_by_id(&suite, &head).await.value.unwrap();
        assert_eq!(value.family_members, 1, "[{label}] the spouse counts");
        assert!(value.household_arpu_fen > 0, "[{label}] {value:?}");

        let suspended = Customer {
            status: CustomerStatus::Suspended as i32,
            ..Customer::default()
        };
        update(&suite, &spouse, suspended, "status").await;
        // The head's view was cached; the spouse's suspension must reach it at once.
        let value = view_by_id(&suite, &head).await.value.unwrap();
        assert_eq!(
            (value.family_members, value.household_arpu_fen),
            (0, 0),
            "[{label}] a suspended member no longer counts: {value:?}"
        );
    }
}
