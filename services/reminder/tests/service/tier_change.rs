//! NotifyTierChange: a tier change from tiering's outbox reaches the customer as one TIER_CHANGE
//! reminder in plain words, however often it is delivered; and tiering's relay really delivers
//! its notices here.

use std::time::Duration;

use tonic::Request;
use tonic::metadata::MetadataValue;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::tiering::v1 as tiering;

use crate::harness::*;

fn change(customer_id: &str) -> pb::NotifyTierChangeRequest {
    pb::NotifyTierChangeRequest {
        change: Some(tiering::TierChange {
            customer_id: customer_id.into(),
            old_tier: "SILVER".into(),
            new_tier: "GOLD".into(),
            decision: tiering::Decision::Upgrade as i32,
            reason: "score 58.82 reaches GOLD (from 55): up from SILVER".into(),
            period: "2026-06".into(),
            actor: "evaluation".into(),
            client: String::new(),
            change_time: Some(hours_from_now(0)),
        }),
        old_display_name: "银卡".into(),
        new_display_name: "金卡".into(),
    }
}

/// As tiering's relay sends it: the outbox row's key in `x-vipcare-request-id`.
fn relayed(
    message: pb::NotifyTierChangeRequest,
    row: &str,
) -> Request<pb::NotifyTierChangeRequest> {
    let mut request = Request::new(message);
    request.metadata_mut().insert(
        "x-vipcare-request-id",
        MetadataValue::try_from(row).unwrap(),
    );
    request
}

fn tier_changes(reminders: &[pb::Reminder]) -> Vec<&pb::Reminder> {
    reminders
        .iter()
        .filter(|r| r.touchpoint == common::Touchpoint::TierChange as i32)
        .collect()
}

#[tokio::test]
async fn a_tier_change_delivered_twice_is_told_once_in_plain_words() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let first = suite
            .reminder
            .notify_tier_change(relayed(change(&customer), "outbox-reminder-41"))
            .await
            .unwrap_or_else(|s| panic!("[{label}] notify: {s:?}"))
            .into_inner()
            .reminder
            .unwrap();
        let again = suite
            .reminder
            .notify_tier_change(relayed(change(&customer), "outbox-reminder-41"))
            .await
            .unwrap()
            .into_inner()
            .reminder
            .unwrap();
        assert_eq!(again, first, "[{label}]");
        // Even without the row's key (say, after it expired) the change is told once.
        let unkeyed = suite
            .reminder
            .notify_tier_change(change(&customer))
            .await
            .unwrap()
            .into_inner()
            .reminder
            .unwrap();
        assert_eq!(unkeyed.reminder_id, first.reminder_id, "[{label}]");

        assert_eq!(
            tier_changes(&suite.reminders_of(&customer).await).len(),
            1,
            "[{label}]"
        );
        assert_eq!(first.client, "tiering", "[{label}]");
        let text = &first.text;
        assert!(
            text.contains("银卡") && text.contains("金卡"),
            "[{label}] old and new tier by name: {text}"
        );
        assert!(
            !text.contains("score") && !text.contains('%'),
            "[{label}] {text}"
        );
        // What GOLD brings, from tiering's catalogue.
        assert!(text.contains("Priority hotline"), "[{label}] {text}");
    }
}

#[tokio::test]
async fn a_notice_without_its_facts_is_refused_for_good() {
    for mut suite in suites().await {
        let label = suite.label;
        let mut bad = change("c-1");
        if let Some(c) = bad.change.as_mut() {
            c.new_tier = "gold card".into();
        }
        let refused = suite.reminder.notify_tier_change(bad).await;
        assert_invalid(label, refused, "change.new_tier");
        let empty = suite
            .reminder
            .notify_tier_change(pb::NotifyTierChangeRequest::default())
            .await;
        assert_invalid(label, empty, "change");
    }
}

#[tokio::test]
async fn tierings_relay_delivers_an_override_to_the_customer() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer().await;
        let request = tiering::OverrideTierRequest {
            customer_id: customer.clone(),
            tier: "PLATINUM".into(),
            reason: "service recovery".into(),
            actor: "emp-7".into(),
            expire_time: None,
            request_id: String::new(),
        };
        suite
            .tiering
            .override_tier(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] override: {s:?}"));
        // The relay polls its outbox: look until the notice arrives, for half a minute at most.
        let poll = async {
            let mut ticks = tokio::time::interval(Duration::from_millis(50));
            loop {
                ticks.tick().await;
                let told: Vec<pb::Reminder> = tier_changes(&suite.reminders_of(&customer).await)
                    .into_iter()
                    .cloned()
                    .collect();
                if !told.is_empty() {
                    return told;
                }
            }
        };
        let told = tokio::time::timeout(Duration::from_secs(30), poll)
            .await
            .unwrap_or_else(|_| panic!("[{label}] the override never reached the customer"));
        assert_eq!(told.len(), 1, "[{label}] the override reached the customer");
        assert!(told[0].text.contains("白金"), "[{label}] {}", told[0].text);
    }
}
