//! The hotline's caller look-up of the household's head: who is calling, masked for the
//! agent's screen, and routed by the tier an evaluation gives him.

use tonic::Code;
use vipcare_e2e::sample::months_ago;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::gateway::v1::LookupCallerRequest;
use vipcare_proto::tiering::v1::EvaluateCustomerRequest;
use vipcare_testkit::status::violated_field;

use super::Household;

pub(super) async fn finds_the_caller(suite: &Suite, h: &Household) {
    let label = suite.label;
    let mut hotline = suite.channel_api(ApiClient::Hotline);
    let look_up = LookupCallerRequest {
        msisdn: "13600136000".into(),
    };
    let caller = hotline
        .lookup_caller(look_up.clone())
        .await
        .expect("look up caller")
        .into_inner();
    assert_eq!(caller.customer_id, h.head.customer_id, "[{label}]");
    assert_eq!(
        caller.display_name, "王**",
        "[{label}] masked for the agent's screen"
    );
    assert_eq!(caller.account_manager_id, "am-001", "[{label}]");
    assert_eq!(
        (caller.tier.as_str(), caller.priority),
        ("STANDARD", 0),
        "[{label}] not evaluated yet: the lowest tier, the normal queue"
    );

    // Evaluated, the head is SILVER (42.39 points: 6-month ARPU ¥70, full tenure, billed in 3
    // of 12 months, his spouse's ¥60 and one referral), and the hotline puts him ahead at once.
    let evaluation = suite
        .tiering(ApiClient::Admin)
        .evaluate_customer(EvaluateCustomerRequest {
            customer_id: h.head.customer_id.clone(),
            dry_run: false,
            what_if_policy: None,
            period: months_ago(0),
        })
        .await
        .expect("evaluate the head")
        .into_inner()
        .evaluation
        .expect("an evaluation");
    assert_eq!(
        evaluation.resulting_tier, "SILVER",
        "[{label}] {evaluation:?}"
    );
    let caller = hotline
        .lookup_caller(look_up)
        .await
        .expect("look up caller")
        .into_inner();
    assert_eq!(
        (caller.tier.as_str(), caller.priority),
        ("SILVER", 2),
        "[{label}] SILVER's routing priority"
    );

    let unknown = hotline
        .lookup_caller(LookupCallerRequest {
            msisdn: "13999999999".into(),
        })
        .await
        .expect_err("nobody has this number");
    assert_eq!(unknown.code(), Code::NotFound, "[{label}] {unknown:?}");
    let malformed = hotline
        .lookup_caller(LookupCallerRequest {
            msisdn: "10086".into(),
        })
        .await
        .expect_err("not a mobile number");
    assert_eq!(violated_field(&malformed), "msisdn", "[{label}]");
}
