//! Touchpoint rules: every touchpoint has a seeded rule; an update names its fields in a mask
//! and carries the etag it read; a stale etag is ABORTED and changes nothing.

use prost_types::{Duration, FieldMask};
use tonic::Code;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;

use crate::harness::*;

async fn rule(suite: &mut Suite, touchpoint: common::Touchpoint) -> pb::TouchpointRule {
    let request = pb::GetTouchpointRuleRequest {
        touchpoint: touchpoint as i32,
    };
    suite
        .reminder
        .get_touchpoint_rule(request)
        .await
        .unwrap_or_else(|s| panic!("[{}] get rule: {s:?}", suite.label))
        .into_inner()
        .rule
        .unwrap()
}

fn update(rule: pb::TouchpointRule, paths: &[&str]) -> pb::UpdateTouchpointRuleRequest {
    pb::UpdateTouchpointRuleRequest {
        rule: Some(rule),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
        request_id: String::new(),
    }
}

#[tokio::test]
async fn every_touchpoint_has_a_seeded_rule_in_touchpoint_order() {
    for mut suite in suites().await {
        let label = suite.label;
        let rules = suite
            .reminder
            .list_touchpoint_rules(pb::ListTouchpointRulesRequest {})
            .await
            .unwrap()
            .into_inner()
            .rules;
        let touchpoints: Vec<i32> = rules.iter().map(|r| r.touchpoint).collect();
        assert_eq!(touchpoints, (1..=15).collect::<Vec<_>>(), "[{label}]");
        let arrears = &rules[9];
        assert!(
            arrears.urgent && arrears.mandatory && !arrears.mergeable,
            "[{label}]"
        );
        assert_eq!(arrears.updated_by, "", "[{label}] the seeded default");
        assert!(arrears.update_time.is_none(), "[{label}]");
        assert!(!arrears.etag.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn an_update_over_the_current_etag_applies_and_a_stale_one_is_aborted() {
    for mut suite in suites().await {
        let label = suite.label;
        let read = rule(&mut suite, common::Touchpoint::Care).await;
        let mut changed = read.clone();
        changed.priority = 15;
        changed.default_deadline = Some(Duration {
            seconds: 3 * 3600,
            nanos: 0,
        });
        changed.urgent = true; // not in the mask: ignored
        let updated = suite
            .reminder
            .update_touchpoint_rule(as_caller(
                &Caller::new("ops-console", "admin", &["reminder:admin"]),
                update(changed.clone(), &["priority", "default_deadline"]),
            ))
            .await
            .unwrap_or_else(|s| panic!("[{label}] update: {s:?}"))
            .into_inner()
            .rule
            .unwrap();
        assert_eq!(updated.priority, 15, "[{label}]");
        assert!(!updated.urgent, "[{label}] only masked fields change");
        assert_eq!(updated.updated_by, "ops-console", "[{label}]");
        assert_ne!(updated.etag, read.etag, "[{label}]");
        assert_eq!(
            rule(&mut suite, common::Touchpoint::Care).await,
            updated,
            "[{label}]"
        );

        // A second writer still holding the first etag loses and changes nothing.
        changed.priority = 90;
        let stale = suite
            .reminder
            .update_touchpoint_rule(update(changed, &["priority"]))
            .await;
        assert_eq!(code(stale), Code::Aborted, "[{label}]");
        assert_eq!(
            rule(&mut suite, common::Touchpoint::Care).await.priority,
            15,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn refused_updates_name_their_field_and_change_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let read = rule(&mut suite, common::Touchpoint::PlanChange).await;
        let no_mask = suite
            .reminder
            .update_touchpoint_rule(update(read.clone(), &[]))
            .await;
        assert_invalid(label, no_mask, "update_mask");

        // An urgent touchpoint cannot merge: its message would carry the others into the night.
        let mut urgent = read.clone();
        urgent.urgent = true;
        let refused = suite
            .reminder
            .update_touchpoint_rule(update(urgent, &["urgent"]))
            .await;
        assert_invalid(label, refused, "rule.mergeable");

        let mut no_channels = read.clone();
        no_channels.default_channels.clear();
        let refused = suite
            .reminder
            .update_touchpoint_rule(update(no_channels, &["default_channels"]))
            .await;
        assert_invalid(label, refused, "rule.default_channels");

        let mut month = read.clone();
        month.default_deadline = Some(Duration {
            seconds: 31 * 24 * 3600,
            nanos: 0,
        });
        let refused = suite
            .reminder
            .update_touchpoint_rule(update(month, &["default_deadline"]))
            .await;
        assert_invalid(label, refused, "rule.default_deadline");

        assert_eq!(
            rule(&mut suite, common::Touchpoint::PlanChange).await,
            read,
            "[{label}] nothing changed"
        );
        let unspecified = suite
            .reminder
            .get_touchpoint_rule(pb::GetTouchpointRuleRequest { touchpoint: 0 })
            .await;
        assert_invalid(label, unspecified, "touchpoint");
    }
}
