//! A crash loses no cache invalidation. Redis pauses, a customer is updated, the process is
//! killed before Redis is back, so the bump it kept in memory dies with it; after a restart
//! and Redis's return, the first view an agent reads shows the update, not the view cached
//! before it. Runs on PostgreSQL and Redis only: without Redis the cache dies with the process.

use prost_types::FieldMask;
use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::gateway::v1::CustomerView;
use vipcare_proto::profile::v1::{CreateCustomerRequest, UpdateCustomerRequest};
use vipcare_testkit::TestEnv;
use vipcare_testkit::tcp_proxy::TcpProxy;

fn plan_code(view: &CustomerView) -> &str {
    &view.customer.as_ref().expect("customer section").plan_code
}

/// The env's Redis server, to put a proxy in front of.
async fn redis_server(env: &TestEnv) -> Option<std::net::SocketAddr> {
    let url = env.cache_settings().redis_url.as_deref()?;
    let host = url
        .trim_start_matches("redis://")
        .split(['/', '?'])
        .next()?;
    tokio::net::lookup_host(host).await.ok()?.next()
}

#[tokio::test]
async fn an_update_made_while_redis_is_paused_survives_a_kill() {
    for env in TestEnv::all().await {
        let Some(redis) = redis_server(&env).await else {
            continue;
        };
        let label = env.label;
        let redis_link = TcpProxy::start(redis).await.expect("proxy listens");
        let redis_url = format!("redis://{}", redis_link.addr());
        let suite = Suite::start_with_redis(&env, &redis_url).await;
        let created = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13700137000", "周瑜")),
                request_id: String::new(),
            })
            .await
            .expect("create customer")
            .into_inner()
            .customer
            .expect("customer");
        let id = created.customer_id.clone();
        let first = suite.customer_view(&id).await;
        assert_eq!(plan_code(&first), "5G-398", "[{label}]");
        assert_eq!(
            suite.customer_view(&id).await.compose_time,
            first.compose_time,
            "[{label}] the view is served from Redis"
        );

        redis_link.cut().await;
        let update = UpdateCustomerRequest {
            customer: Some(vipcare_proto::profile::v1::Customer {
                plan_code: "5G-598".into(),
                ..created
            }),
            update_mask: Some(FieldMask {
                paths: vec!["plan_code".into()],
            }),
        };
        suite
            .profile(ApiClient::Hall)
            .update_customer(update)
            .await
            .unwrap_or_else(|s| panic!("[{label}] update with Redis paused: {s:?}"));
        suite.kill();

        let restarted = Suite::start_with_redis(&env, &redis_url).await;
        redis_link.restore();
        let after = restarted.customer_view(&id).await;
        assert_eq!(
            plan_code(&after),
            "5G-598",
            "[{label}] the first view after the restart shows the update"
        );
        assert_ne!(after.compose_time, first.compose_time, "[{label}]");
        restarted.stop_gracefully().await;
    }
}
