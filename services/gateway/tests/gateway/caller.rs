//! LookupCaller: the hotline's question "who is calling?", always answered masked.

use tonic::Code;
use vipcare_proto::gateway::v1::LookupCallerRequest;
use vipcare_proto::profile::v1::Customer;
use vipcare_testkit::TestEnv;

use crate::support::{ADMIN, HOTLINE, Suite, update};

#[tokio::test]
async fn the_hotline_learns_who_is_calling_masked() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let lookup = || LookupCallerRequest {
            msisdn: "13800138000".into(),
        };
        for key in [HOTLINE, ADMIN] {
            let caller = suite
                .views(key)
                .lookup_caller(lookup())
                .await
                .unwrap()
                .into_inner();
            assert_eq!(caller.customer_id, customer.customer_id, "[{label}]");
            assert_eq!(
                caller.display_name, "张**",
                "[{label}] masked even with pii:read"
            );
            assert_eq!(caller.account_manager_id, "am-007", "[{label}]");
            assert_eq!(caller.priority, 0, "[{label}]");
        }
        let renamed = Customer {
            name: "王五".into(),
            ..Customer::default()
        };
        update(&suite, &customer, renamed, "name").await;
        let caller = suite
            .views(HOTLINE)
            .lookup_caller(lookup())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(caller.display_name, "王*", "[{label}] after the rename");

        let unknown = LookupCallerRequest {
            msisdn: "13700137000".into(),
        };
        let status = suite
            .views(HOTLINE)
            .lookup_caller(unknown)
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "[{label}]");
    }
}
