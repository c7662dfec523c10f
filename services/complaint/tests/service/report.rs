//! GetSlaReport through the service: the period checked, complaints of the period counted in
//! total and per group, the handling judged as of the report. The rules of the tally are
//! proven in `domain::report`'s unit tests; these show the service reads what it should.

use chrono::TimeDelta;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{NOW, by_agent, opening, suites};
use crate::policy_calls::at;

fn period(start: &str, end: &str, by: pb::SlaReportGrouping) -> pb::GetSlaReportRequest {
    pb::GetSlaReportRequest {
        start_time: Some(at(start)),
        end_time: Some(at(end)),
        group_by: by as i32,
    }
}

/// The hour around [`NOW`].
fn around_now(by: pb::SlaReportGrouping) -> pb::GetSlaReportRequest {
    period("2026-06-15T03:00:00Z", "2026-06-15T05:00:00Z", by)
}

#[tokio::test]
async fn a_bad_period_is_refused_naming_its_fields() {
    for mut s in suites().await {
        let refused = s
            .report(pb::GetSlaReportRequest::default())
            .await
            .unwrap_err();
        assert_eq!(
            vipcare_testkit::status::violated_fields(&refused),
            ["start_time", "end_time"],
            "[{}]",
            s.label
        );
        let backwards = period(
            NOW,
            "2026-06-14T00:00:00Z",
            pb::SlaReportGrouping::Unspecified,
        );
        crate::harness::assert_invalid(s.label, s.report(backwards).await, "end_time");
        let too_long = period(
            "2025-06-01T00:00:00Z",
            "2026-06-03T00:00:00Z",
            pb::SlaReportGrouping::Unspecified,
        );
        crate::harness::assert_invalid(s.label, s.report(too_long).await, "end_time");
    }
}

#[tokio::test]
async fn a_period_without_complaints_reports_zeros() {
    for mut s in suites().await {
        let report = s
            .report(around_now(pb::SlaReportGrouping::Channel))
            .await
            .unwrap();
        let total = report.total.unwrap();
        assert_eq!(total.complaints, 0, "[{}]", s.label);
        assert_eq!(total.on_time_response_rate, 0.0);
        assert!(total.business_time_to_resolve_mean.is_none());
        assert!(report.groups.is_empty(), "[{}]", s.label);
    }
}

/// Needs OpenComplaint (engineer A).
#[tokio::test]
async fn complaints_opened_in_the_period_are_counted_per_group() {
    for mut s in suites().await {
        let diamond = s.customer("DIAMOND").await;
        let gold = s.customer("GOLD").await;
        s.open(pb::OpenComplaintRequest {
            channel: pb::Channel::Hall as i32,
            ..opening(&diamond)
        })
        .await;
        s.open(pb::OpenComplaintRequest {
            category: pb::Category::Network as i32,
            ..opening(&diamond)
        })
        .await;
        s.open(pb::OpenComplaintRequest {
            first_contact_owner: "E2002".into(),
            ..opening(&gold)
        })
        .await;
        // Two days on, one more: outside the period.
        s.clock.advance(TimeDelta::days(2));
        s.open(pb::OpenComplaintRequest {
            category: pb::Category::Product as i32,
            ..opening(&gold)
        })
        .await;

        let by_channel = s
            .report(around_now(pb::SlaReportGrouping::Channel))
            .await
            .unwrap();
        let total = by_channel.total.unwrap();
        assert_eq!(total.complaints, 3, "[{}]", s.label);
        assert_eq!(total.resolved, 0);
        // Nobody acknowledged any of them in two days: every response is settled, late.
        assert_eq!(total.on_time_response_rate, 0.0);
        assert_eq!(total.reopen_rate, 0.0);
        let channels: Vec<_> = by_channel
            .groups
            .iter()
            .map(|g| (g.channel, g.complaints))
            .collect();
        assert_eq!(
            channels,
            [
                (pb::Channel::Hall as i32, 1),
                (pb::Channel::Hotline as i32, 2)
            ],
            "[{}] in enum order",
            s.label
        );
        let by_tier = s
            .report(around_now(pb::SlaReportGrouping::Tier))
            .await
            .unwrap();
        let tiers: Vec<_> = by_tier
            .groups
            .iter()
            .map(|g| (g.tier.as_str(), g.complaints))
            .collect();
        assert_eq!(tiers, [("DIAMOND", 2), ("GOLD", 1)], "[{}]", s.label);
        let by_owner = s
            .report(around_now(pb::SlaReportGrouping::Owner))
            .await
            .unwrap();
        let owners: Vec<_> = by_owner
            .groups
            .iter()
            .map(|g| (g.owner.as_str(), g.complaints))
            .collect();
        assert_eq!(owners, [("E1001", 2), ("E2002", 1)], "[{}]", s.label);
    }
}

/// Needs OpenComplaint (engineer A), AcknowledgeComplaint and ResolveComplaint (engineer B).
#[tokio::test]
async fn a_resolved_complaint_counts_its_gap_and_business_time_to_resolve() {
    for mut s in suites().await {
        let customer = s.customer("DIAMOND").await;
        let opened = s.open(opening(&customer)).await.complaint.unwrap();
        s.clock.advance(TimeDelta::minutes(10));
        s.complaints
            .acknowledge_complaint(by_agent(pb::AcknowledgeComplaintRequest {
                complaint_id: opened.complaint_id.clone(),
                actor: "E1001".into(),
                ..Default::default()
            }))
            .await
            .unwrap();
        s.clock.advance(TimeDelta::minutes(110));
        s.complaints
            .resolve_complaint(by_agent(pb::ResolveComplaintRequest {
                complaint_id: opened.complaint_id.clone(),
                actor: "E1001".into(),
                resolution: "refunded the 30 yuan".into(),
                root_cause_gap: pb::RootCauseGap::Delivery as i32,
                ..Default::default()
            }))
            .await
            .unwrap();

        let report = s
            .report(around_now(pb::SlaReportGrouping::Unspecified))
            .await
            .unwrap();
        let total = report.total.unwrap();
        assert_eq!((total.complaints, total.resolved), (1, 1), "[{}]", s.label);
        assert_eq!(total.on_time_response_rate, 1.0);
        assert_eq!(total.on_time_resolution_rate, 1.0);
        // Monday 12:00 to 14:00 in Shanghai: two working hours.
        let two_hours = prost_types::Duration {
            seconds: 7200,
            nanos: 0,
        };
        assert_eq!(total.business_time_to_resolve_mean, Some(two_hours));
        assert_eq!(total.business_time_to_resolve_p90, Some(two_hours));
        let delivery = pb::GapCount {
            gap: pb::RootCauseGap::Delivery as i32,
            complaints: 1,
        };
        assert_eq!(total.gaps, [delivery], "[{}]", s.label);
    }
}
