//! Calls to the profile service through the gateway: unary, client- and server-streaming, the
//! rate limit, and a profile service that is down.

use std::sync::Arc;
use std::time::Duration;

use prost_types::FieldMask;
use tonic::Code;
use tonic_types::StatusExt;
use vipcare_gateway::edge::ManualClock;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, get_customer_view_request};
use vipcare_proto::profile::v1::{
    AddRelationRequest, GetCustomerRequest, GetValueSummaryRequest, ImportConsumptionRequest,
    ListCustomersRequest, ListRelationsRequest, RecordConsumptionRequest, RelationKind,
    StreamValueSummariesRequest, UpdateCustomerRequest, get_customer_request,
};
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, Options, Suite, THROTTLED, closed_address};

fn month(back: u32) -> String {
    // Periods of the last months that surely lie in the past.
    let (year, month) = (2024 - i32::try_from(back / 12).unwrap(), 12 - back % 12);
    format!("{year}-{month:02}")
}

#[tokio::test]
async fn profile_calls_pass_through_the_gateway() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let first = suite.create_customer("13800138000", "张三丰").await;
        let second = suite.create_customer("13900139000", "李四").await;
        let mut profile = suite.profile(AGENT);

        let update = UpdateCustomerRequest {
            customer: Some(vipcare_proto::profile::v1::Customer {
                plan_code: "GLOBAL-888".into(),
                ..first.clone()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["plan_code".into()],
            }),
        };
        let updated = profile.update_customer(update).await.unwrap().into_inner();
        assert_eq!(
            updated.customer.unwrap().plan_code,
            "GLOBAL-888",
            "[{label}]"
        );

        let listed = profile
            .list_customers(ListCustomersRequest::default())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.customers.len(), 2, "[{label}]");

        profile
            .add_relation(AddRelationRequest {
                customer_id: first.customer_id.clone(),
                related_customer_id: second.customer_id.clone(),
                kind: RelationKind::Family as i32,
            })
            .await
            .unwrap();
        let relations = profile
            .list_relations(ListRelationsRequest {
                customer_id: first.customer_id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(relations.relations.len(), 1, "[{label}]");

        profile
            .record_consumption(RecordConsumptionRequest {
                customer_id: second.customer_id.clone(),
                period: month(0),
                spend_fen: 30_000,
                ..Default::default()
            })
            .await
            .unwrap();

        // Client-streaming: a billing feed with one bad row.
        let rows = vec![
            ImportConsumptionRequest {
                customer_id: first.customer_id.clone(),
                period: month(1),
                spend_fen: 50_000,
                ..Default::default()
            },
            ImportConsumptionRequest {
                customer_id: first.customer_id.clone(),
                period: "2024-13".into(),
                spend_fen: 1,
                ..Default::default()
            },
            ImportConsumptionRequest {
                customer_id: first.customer_id.clone(),
                period: month(0),
                spend_fen: 70_000,
                ..Default::default()
            },
        ];
        let imported = profile
            .import_consumption(tokio_stream::iter(rows))
            .await
            .unwrap()
            .into_inner();
        assert_eq!((imported.accepted, imported.rejected), (2, 1), "[{label}]");
        assert_eq!(imported.rejections[0].row, 2, "[{label}]");

        // As of 2025-01: the calendar months 2024-10 to 2024-12 hold the bills above.
        let summary = profile
            .get_value_summary(GetValueSummaryRequest {
                customer_id: first.customer_id.clone(),
                period: "2025-01".into(),
            })
            .await
            .unwrap()
            .into_inner()
            .summary
            .unwrap();
        assert_eq!(
            summary.arpu_3m_fen, 40_000,
            "[{label}] (70000 + 50000 + 0) / 3"
        );
        assert_eq!(
            summary.household_arpu_fen, 50_000,
            "[{label}] own + family (30000 / 3)"
        );

        // Server-streaming: every customer, in id order.
        let mut stream = profile
            .stream_value_summaries(StreamValueSummariesRequest {
                start_after_customer_id: String::new(),
                batch_size: 1,
                period: String::new(),
            })
            .await
            .unwrap()
            .into_inner();
        let mut streamed = Vec::new();
        while let Some(batch) = stream.message().await.unwrap() {
            streamed.extend(batch.summaries.into_iter().map(|s| s.customer_id));
        }
        let mut expected = vec![first.customer_id.clone(), second.customer_id.clone()];
        expected.sort();
        assert_eq!(streamed, expected, "[{label}]");
    }
}

#[tokio::test]
async fn a_client_over_its_rate_is_told_when_to_retry() {
    for env in TestEnv::all().await {
        let label = env.label;
        // The budget refills by a clock the test moves, so no slow call can refill it early.
        let clock = Arc::new(ManualClock::default());
        let options = Options {
            rate_clock: Some(clock.clone()),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let mut partner = suite.profile(THROTTLED);
        let lookup = || GetCustomerRequest {
            lookup: Some(get_customer_request::Lookup::Msisdn("13800138000".into())),
        };
        // The burst of two is spent (the customer does not exist, which is beside the point).
        for _ in 0..2 {
            let code = partner.get_customer(lookup()).await.unwrap_err().code();
            assert_eq!(code, Code::NotFound, "[{label}]");
        }
        let throttled = partner.get_customer(lookup()).await.unwrap_err();
        assert_eq!(throttled.code(), Code::ResourceExhausted, "[{label}]");
        let delay = throttled
            .get_details_retry_info()
            .and_then(|retry| retry.retry_delay)
            .expect("a retry delay");
        assert_eq!(
            delay,
            Duration::from_secs(2),
            "[{label}] one call per 2 s, none left"
        );
        // The throttle is per client: others are not affected.
        let other = suite
            .profile(AGENT)
            .get_customer(lookup())
            .await
            .unwrap_err();
        assert_eq!(other.code(), Code::NotFound, "[{label}]");

        // Retrying a moment early is refused again; retrying when told gets through.
        clock.advance(delay - Duration::from_millis(1));
        let early = partner.get_customer(lookup()).await.unwrap_err();
        assert_eq!(early.code(), Code::ResourceExhausted, "[{label}]");
        clock.advance(Duration::from_millis(1));
        let retried = partner.get_customer(lookup()).await.unwrap_err();
        assert_eq!(retried.code(), Code::NotFound, "[{label}] served again");
    }
}

#[tokio::test]
async fn a_profile_service_that_is_down_is_unavailable() {
    for env in TestEnv::all().await {
        let nowhere = closed_address().await;
        let options = Options {
            profile_address: Some(format!("http://{nowhere}")),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let id = "0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f";
        let routed = suite
            .profile(AGENT)
            .get_customer(GetCustomerRequest {
                lookup: Some(get_customer_request::Lookup::CustomerId(id.into())),
            })
            .await
            .unwrap_err();
        assert_eq!(routed.code(), Code::Unavailable, "[{}] routed", env.label);
        let composed = suite
            .views(AGENT)
            .get_customer_view(GetCustomerViewRequest {
                lookup: Some(get_customer_view_request::Lookup::CustomerId(id.into())),
            })
            .await
            .unwrap_err();
        assert_eq!(composed.code(), Code::Unavailable, "[{}] view", env.label);
    }
}

#[tokio::test]
async fn a_gateway_whose_secret_differs_answers_internal_not_unauthenticated() {
    for env in TestEnv::all().await {
        let label = env.label;
        let options = Options {
            gateway_secret: Some("another-secret-for-the-gateway-0123456789"),
            ..Options::default()
        };
        let suite = Suite::start_with(&env, options).await;
        let status = suite
            .profile(AGENT)
            .list_customers(ListCustomersRequest::default())
            .await
            .expect_err("the services refuse the gateway's signature");
        // The client's API key is fine: it must not be sent after it (UNAUTHENTICATED).
        assert_eq!(status.code(), Code::Internal, "[{label}] {status:?}");
        assert_eq!(
            status.get_details_error_info().map(|i| i.reason),
            Some("INTERNAL".to_owned()),
            "[{label}]"
        );
    }
}
