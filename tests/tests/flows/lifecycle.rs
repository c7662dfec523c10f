//! The process as operators run it: SIGTERM (what Kubernetes sends) stops it cleanly, and what
//! it kept is there when it comes back.

use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{CreateCustomerRequest, GetCustomerRequest};
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn sigterm_stops_cleanly_and_a_restart_keeps_the_data() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let created = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13300133000", "孙权")),
                request_id: String::new(),
            })
            .await
            .expect("create customer")
            .into_inner()
            .customer
            .expect("customer");
        suite.stop_gracefully().await;

        let restarted = Suite::start(&env).await;
        let found = restarted
            .profile(ApiClient::Hall)
            .get_customer(GetCustomerRequest {
                lookup: Some(Lookup::Msisdn("13300133000".into())),
            })
            .await
            .expect("the customer survived the restart")
            .into_inner()
            .customer
            .expect("customer");
        assert_eq!(found.customer_id, created.customer_id, "[{label}]");
        restarted.stop_gracefully().await;
    }
}
