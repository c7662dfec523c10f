//! Reminders as the customer meets them: an operator moves a customer up a tier, tiering's
//! outbox tells the reminder service, and the customer has a TIER_CHANGE reminder in plain
//! words — through the real `vipcare up`, every hop over the network.

use std::time::{Duration, Instant};

use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::profile::v1::CreateCustomerRequest;
use vipcare_proto::reminder::v1::{ListRemindersRequest, Reminder};
use vipcare_proto::tiering::v1::OverrideTierRequest;
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn a_tier_change_reaches_the_customer_as_a_reminder() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let label = suite.label;
        let created = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13600136000", "郑成功")),
                request_id: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer");
        let id = created.customer_id;

        suite
            .tiering(ApiClient::Admin)
            .override_tier(OverrideTierRequest {
                customer_id: id.clone(),
                tier: "PLATINUM".into(),
                reason: "board member of a key account".into(),
                actor: "am-007".into(),
                ..OverrideTierRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] override: {s:?}"));

        let told = tier_change_reminder(&suite, &id).await;
        assert!(
            told.text.contains("白金"),
            "[{label}] the new tier in words: {}",
            told.text
        );
        assert!(
            !told.text.contains('%') && !told.text.contains("${"),
            "[{label}] no unfilled placeholder: {}",
            told.text
        );
        suite.stop_gracefully().await;
    }
}

/// The customer's TIER_CHANGE reminder, once the relay has delivered the notice (it retries
/// with backoff, so allow it some seconds).
async fn tier_change_reminder(suite: &Suite, customer_id: &str) -> Reminder {
    let label = suite.label;
    let started = Instant::now();
    loop {
        let listed = suite
            .reminder(ApiClient::Admin)
            .list_reminders(ListRemindersRequest {
                customer_id: customer_id.to_owned(),
                touchpoint: Touchpoint::TierChange as i32,
                ..ListRemindersRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] ListReminders: {s:?}"))
            .into_inner();
        if let Some(reminder) = listed.reminders.into_iter().next() {
            return reminder;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "[{label}] no tier-change reminder after 30 s; log:\n{}",
            suite.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
