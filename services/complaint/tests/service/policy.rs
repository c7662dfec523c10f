//! GetSlaPolicy and UpdateSlaPolicy: the seeded default, masked updates over the etag, refusals
//! naming the contract's fields, request_id repeats, and open complaints held to a new policy.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{NOW, assert_invalid, code, opening, suites};
use crate::policy_calls::{at, hours, target_mut, update};

#[tokio::test]
async fn the_default_policy_is_in_force_with_its_etag() {
    for mut s in suites().await {
        let policy = s.policy().await;
        assert_eq!(policy.default_tier, "STANDARD", "[{}]", s.label);
        assert_eq!(
            policy.targets.len(),
            20,
            "[{}] five tiers × four severities",
            s.label
        );
        assert!(!policy.etag.is_empty(), "[{}]", s.label);
        assert!(policy.update_time.is_none() && policy.updated_by.is_empty());
        let calendar = policy.calendar.unwrap();
        assert_eq!(calendar.time_zone, "Asia/Shanghai");
        assert_eq!(calendar.working_hours.len(), 7);
        assert_eq!(calendar.working_hours[0].start_minute, 9 * 60);
        assert_eq!(
            calendar.working_hours[6],
            pb::WorkingHours::default(),
            "Sunday off"
        );
        assert_eq!(
            s.policy().await.etag,
            policy.etag,
            "[{}] reads move nothing",
            s.label
        );
    }
}

#[tokio::test]
async fn an_update_replaces_only_the_masked_parts_and_moves_the_etag() {
    for mut s in suites().await {
        let before = s.policy().await;
        let mut changed = before.clone();
        target_mut(&mut changed, "DIAMOND", pb::Severity::High).resolve_within = Some(hours(12));
        // Not in the mask: ignored.
        changed.default_tier = "GOLD".into();
        changed.calendar.as_mut().unwrap().time_zone = "Asia/Urumqi".into();
        let stored = s
            .update_policy(update(changed, &["targets"]))
            .await
            .unwrap();
        assert_ne!(stored.etag, before.etag, "[{}]", s.label);
        assert_eq!(stored.updated_by, "hotline-1");
        assert_eq!(stored.update_time, Some(at(NOW)));
        assert_eq!(stored.default_tier, "STANDARD");
        assert_eq!(stored.calendar, before.calendar);
        let mut read = s.policy().await;
        assert_eq!(read, stored, "[{}] the answer is what is stored", s.label);
        let diamond_high = target_mut(&mut read, "DIAMOND", pb::Severity::High);
        assert_eq!(diamond_high.resolve_within, Some(hours(12)));

        // The calendar alone, over the new etag.
        let mut holiday = read.clone();
        let calendar = holiday.calendar.as_mut().unwrap();
        calendar.holidays = vec![vipcare_proto::common::v1::Date {
            year: 2026,
            month: 10,
            day: 1,
        }];
        let stored = s
            .update_policy(update(holiday, &["calendar"]))
            .await
            .unwrap();
        assert_eq!(stored.calendar.unwrap().holidays.len(), 1, "[{}]", s.label);
        assert_eq!(stored.targets, read.targets);
    }
}

#[tokio::test]
async fn a_stale_etag_is_aborted_and_changes_nothing() {
    for mut s in suites().await {
        let read = s.policy().await;
        let mut first = read.clone();
        target_mut(&mut first, "GOLD", pb::Severity::Low).respond_within = Some(hours(6));
        let stored = s.update_policy(update(first, &["targets"])).await.unwrap();
        // A second admin decided on the policy as it was before the first update.
        let mut second = read.clone();
        target_mut(&mut second, "GOLD", pb::Severity::Low).respond_within = Some(hours(2));
        let lost = s.update_policy(update(second, &["targets"])).await;
        assert_eq!(code(lost), Code::Aborted, "[{}]", s.label);
        assert_eq!(
            s.policy().await,
            stored,
            "[{}] the first update stands",
            s.label
        );
    }
}

#[tokio::test]
async fn refused_values_are_named_as_the_contract_spells_them() {
    for mut s in suites().await {
        let read = s.policy().await;
        let mut bad = read.clone();
        bad.targets[3].resolve_within = Some(prost_types::Duration::default());
        bad.targets[5].clock = pb::ClockKind::Unspecified as i32;
        let calendar = bad.calendar.as_mut().unwrap();
        calendar.time_zone = "Mars/Olympus".into();
        let refused = s
            .update_policy(update(bad, &["targets", "calendar"]))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument, "[{}]", s.label);
        assert_eq!(
            vipcare_testkit::status::violated_fields(&refused),
            [
                "policy.targets[3].resolve_within",
                "policy.targets[5].clock",
                "policy.calendar.time_zone"
            ],
            "[{}]",
            s.label
        );

        let mut lopsided = read.clone();
        lopsided
            .targets
            .retain(|t| t.tier != "SILVER" || t.severity != pb::Severity::Low as i32);
        assert_invalid(
            s.label,
            s.update_policy(update(lopsided, &["targets"])).await,
            "policy.targets",
        );
        let unknown_default = pb::SlaPolicy {
            default_tier: "BRONZE".into(),
            ..read.clone()
        };
        assert_invalid(
            s.label,
            s.update_policy(update(unknown_default, &["default_tier"]))
                .await,
            "policy.default_tier",
        );
        assert_invalid(
            s.label,
            s.update_policy(update(read.clone(), &[])).await,
            "update_mask",
        );
        assert_invalid(
            s.label,
            s.update_policy(update(read.clone(), &["etag"])).await,
            "update_mask",
        );
        let no_etag = pb::SlaPolicy {
            etag: String::new(),
            ..read.clone()
        };
        assert_invalid(
            s.label,
            s.update_policy(update(no_etag, &["targets"])).await,
            "policy.etag",
        );
        assert_eq!(s.policy().await, read, "[{}] nothing was stored", s.label);
    }
}

#[tokio::test]
async fn a_repeated_request_id_returns_the_first_policy() {
    for mut s in suites().await {
        let read = s.policy().await;
        let mut changed = read.clone();
        target_mut(&mut changed, "SILVER", pb::Severity::Medium).resolve_within = Some(hours(30));
        let request = pb::UpdateSlaPolicyRequest {
            request_id: "policy-2026-06".into(),
            ..update(changed, &["targets"])
        };
        let first = s.update_policy(request.clone()).await.unwrap();
        // The retry carries the etag it read, now stale: answered as the first, not ABORTED.
        let again = s.update_policy(request.clone()).await.unwrap();
        assert_eq!(again, first, "[{}]", s.label);
        assert_eq!(
            s.policy().await.etag,
            first.etag,
            "[{}] applied once",
            s.label
        );
        let other = pb::UpdateSlaPolicyRequest {
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["calendar".into()],
            }),
            ..request
        };
        assert_invalid(s.label, s.update_policy(other).await, "request_id");
    }
}

/// Needs OpenComplaint (engineer A): a complaint opened under the default policy.
#[tokio::test]
async fn open_complaints_are_held_to_the_new_policy() {
    for mut s in suites().await {
        let customer = s.customer("DIAMOND").await;
        let opened = s.open(opening(&customer)).await.complaint.unwrap();
        // DIAMOND MEDIUM by default: an hour of working time to respond (due 13:00).
        let mut policy = s.policy().await;
        let target = target_mut(&mut policy, "DIAMOND", pb::Severity::Medium);
        target.respond_within = Some(hours(5));
        target.resolve_within = Some(hours(10));
        target.clock = pb::ClockKind::Calendar as i32;
        s.update_policy(update(policy, &["targets"])).await.unwrap();

        let now = s.get(&opened.complaint_id).await.sla.unwrap();
        assert_eq!(
            now.target.unwrap().respond_within,
            Some(hours(5)),
            "[{}]",
            s.label
        );
        let due = now.response.unwrap().due_at.unwrap();
        assert_eq!(due.seconds - at(NOW).seconds, 5 * 3600, "[{}]", s.label);
        // Two hours on: overdue under the old policy, not under the new one. The overdue list
        // reads the stored schedule, so this shows it was recomputed.
        s.clock.advance(TimeDelta::hours(2));
        let overdue = s
            .complaints
            .list_complaints(crate::harness::by_agent(pb::ListComplaintsRequest {
                overdue: true,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .complaints;
        assert!(overdue.is_empty(), "[{}] {overdue:?}", s.label);
        s.clock.advance(TimeDelta::hours(4));
        let overdue = s
            .complaints
            .list_complaints(crate::harness::by_agent(pb::ListComplaintsRequest {
                overdue: true,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .complaints;
        assert_eq!(overdue.len(), 1, "[{}] due at five hours", s.label);
    }
}
