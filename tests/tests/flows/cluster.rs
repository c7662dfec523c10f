//! The shared cache on a Redis Cluster: `cache.redis_url` names three nodes of a cluster the
//! test starts, the hall's views of twenty customers (their keys spread over the slots of every
//! node) are served from it, an update to each shows in the next view at once, and with one
//! node killed the views still answer, from the source.

use prost_types::FieldMask;
use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::gateway::v1::CustomerView;
use vipcare_proto::profile::v1::{CreateCustomerRequest, Customer, UpdateCustomerRequest};
use vipcare_testkit::TestEnv;
use vipcare_testkit::redis_cluster::RedisCluster;

const CUSTOMERS: usize = 20;

fn plan_code(view: &CustomerView) -> &str {
    &view.customer.as_ref().expect("customer section").plan_code
}

#[tokio::test]
async fn views_are_cached_in_a_redis_cluster_and_updates_show_at_once() {
    for env in TestEnv::all().await {
        let Some(mut cluster) = RedisCluster::start().await else {
            return;
        };
        let label = env.label;
        let suite = Suite::start_with_redis(&env, &cluster.url()).await;
        let mut customers: Vec<Customer> = Vec::new();
        for i in 0..CUSTOMERS {
            let created = suite
                .profile(ApiClient::Hall)
                .create_customer(CreateCustomerRequest {
                    customer: Some(customer(&format!("1370013{i:04}"), "诸葛亮")),
                    request_id: String::new(),
                })
                .await
                .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
                .into_inner()
                .customer
                .expect("customer");
            customers.push(created);
        }
        for c in &customers {
            let first = suite.customer_view(&c.customer_id).await;
            assert_eq!(
                suite.customer_view(&c.customer_id).await.compose_time,
                first.compose_time,
                "[{label}] the second view of {} is served from the cluster",
                c.customer_id
            );
        }

        for c in &customers {
            let update = UpdateCustomerRequest {
                customer: Some(Customer {
                    plan_code: "5G-598".into(),
                    ..c.clone()
                }),
                update_mask: Some(FieldMask {
                    paths: vec!["plan_code".into()],
                }),
            };
            suite
                .profile(ApiClient::Hall)
                .update_customer(update)
                .await
                .unwrap_or_else(|s| panic!("[{label}] update: {s:?}"));
            assert_eq!(
                plan_code(&suite.customer_view(&c.customer_id).await),
                "5G-598",
                "[{label}] the view right after the update shows it"
            );
        }

        cluster.kill_node(0);
        for c in &customers {
            assert_eq!(
                plan_code(&suite.customer_view(&c.customer_id).await),
                "5G-598",
                "[{label}] with a node down the view answers from the source"
            );
        }
        suite.stop_gracefully().await;
    }
}
