//! WatchComplaints through the service: the filters checked, the start of a watch (CURRENT
//! for each complaint owed work, then CAUGHT_UP), then changes as they are stored.

use chrono::TimeDelta;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{NOW, assert_invalid, by_agent, opening, suites};
use crate::policy_calls::{at, kind, next_change};

#[tokio::test]
async fn bad_filters_are_refused_before_anything_is_sent() {
    for mut s in suites().await {
        let spaced = pb::WatchComplaintsRequest {
            staff_ids: vec!["E1001".into(), "E 1002".into()],
            ..Default::default()
        };
        assert_invalid(s.label, s.watch(spaced).await, "staff_ids[1]");
        let too_many = pb::WatchComplaintsRequest {
            staff_ids: (0..201).map(|i| format!("E{i}")).collect(),
            ..Default::default()
        };
        assert_invalid(s.label, s.watch(too_many).await, "staff_ids");
        let unknown = pb::WatchComplaintsRequest {
            min_severity: 42,
            ..Default::default()
        };
        assert_invalid(s.label, s.watch(unknown).await, "min_severity");
    }
}

#[tokio::test]
async fn a_watch_with_nothing_owed_is_caught_up_at_once() {
    for mut s in suites().await {
        let mut stream = s
            .watch(pb::WatchComplaintsRequest::default())
            .await
            .unwrap();
        let first = next_change(s.label, &mut stream).await;
        assert_eq!(
            kind(&first),
            pb::ComplaintChangeKind::CaughtUp,
            "[{}]",
            s.label
        );
        assert!(first.complaint.is_none());
        assert_eq!(
            first.change_time,
            Some(at(NOW)),
            "[{}] when the watch started",
            s.label
        );
    }
}

/// Needs OpenComplaint (engineer A).
#[tokio::test]
async fn a_hall_dashboard_sees_its_complaints_then_each_new_one() {
    for mut s in suites().await {
        let customer = s.customer("GOLD").await;
        let hall = |category: pb::Category| pb::OpenComplaintRequest {
            channel: pb::Channel::Hall as i32,
            category: category as i32,
            ..opening(&customer)
        };
        let older = s.open(hall(pb::Category::Billing)).await.complaint.unwrap();
        s.clock.advance(TimeDelta::minutes(1));
        let newer = s.open(hall(pb::Category::Network)).await.complaint.unwrap();
        s.open(pb::OpenComplaintRequest {
            category: pb::Category::Price as i32,
            ..opening(&customer)
        })
        .await;

        let dashboard = pb::WatchComplaintsRequest {
            channel: pb::Channel::Hall as i32,
            ..Default::default()
        };
        let mut stream = s.watch(dashboard).await.unwrap();
        let mut start = Vec::new();
        for _ in 0..3 {
            let message = next_change(s.label, &mut stream).await;
            let change = kind(&message);
            let id = message
                .complaint
                .map(|c| c.complaint_id)
                .unwrap_or_default();
            start.push((change, id));
        }
        assert_eq!(
            start,
            [
                (pb::ComplaintChangeKind::Current, newer.complaint_id.clone()),
                (pb::ComplaintChangeKind::Current, older.complaint_id.clone()),
                (pb::ComplaintChangeKind::CaughtUp, String::new()),
            ],
            "[{}] most recently opened first, the hotline one left out",
            s.label
        );

        // The clock stays put: the change lands in the same instant the watch started.
        s.open(pb::OpenComplaintRequest {
            category: pb::Category::Benefit as i32,
            ..opening(&customer)
        })
        .await;
        let third = s.open(hall(pb::Category::Product)).await.complaint.unwrap();
        let change = next_change(s.label, &mut stream).await;
        assert_eq!(
            kind(&change),
            pb::ComplaintChangeKind::Move,
            "[{}]",
            s.label
        );
        assert_eq!(change.complaint.unwrap().complaint_id, third.complaint_id);
        let entry = change.entry.unwrap();
        assert_eq!(entry.kind, pb::TimelineEntryKind::Opened as i32);
        assert_eq!(entry.version, 1);
    }
}

/// Needs OpenComplaint (engineer A) and AcknowledgeComplaint (engineer B).
#[tokio::test]
async fn a_team_watch_sees_a_move_of_its_complaint() {
    for mut s in suites().await {
        let customer = s.customer("DIAMOND").await;
        let opened = s.open(opening(&customer)).await.complaint.unwrap();
        let team = pb::WatchComplaintsRequest {
            staff_ids: vec!["E1001".into()],
            min_severity: pb::Severity::Medium as i32,
            ..Default::default()
        };
        let mut stream = s.watch(team).await.unwrap();
        assert_eq!(
            kind(&next_change(s.label, &mut stream).await),
            pb::ComplaintChangeKind::Current
        );
        assert_eq!(
            kind(&next_change(s.label, &mut stream).await),
            pb::ComplaintChangeKind::CaughtUp
        );
        s.complaints
            .acknowledge_complaint(by_agent(pb::AcknowledgeComplaintRequest {
                complaint_id: opened.complaint_id.clone(),
                actor: "E1001".into(),
                ..Default::default()
            }))
            .await
            .unwrap();
        let change = next_change(s.label, &mut stream).await;
        assert_eq!(
            kind(&change),
            pb::ComplaintChangeKind::Move,
            "[{}]",
            s.label
        );
        assert_eq!(
            change.entry.unwrap().kind,
            pb::TimelineEntryKind::Acknowledged as i32
        );
        let complaint = change.complaint.unwrap();
        assert_eq!(complaint.state, pb::ComplaintState::Acknowledged as i32);
        assert_eq!(complaint.version, 2);
    }
}
