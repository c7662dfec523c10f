//! Reports through the real service, once the roller counted the responses: the moment report
//! holds each moment's responses and mean, the trend lists every day of the range (those
//! without responses too), alerts show a hall falling below the baselines, and a trend for a
//! hall and a staff member at once is refused.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::survey::v1 as pb;
use vipcare_testkit::status::violated_fields;

use crate::harness::{NOW, at_hall, by_staff, close, scores, staff, suites};

fn timestamp(t: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

#[tokio::test]
async fn a_report_after_the_roller_matches_the_responses() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("GOLD", "").await;
        let answers = [
            ("H01", "E1", [("ARRIVAL", 5), ("LEAVING_HALL", 4)]),
            ("H01", "E1", [("ARRIVAL", 3), ("LEAVING_HALL", 5)]),
            ("H02", "E2", [("ARRIVAL", 1), ("LEAVING_HALL", 2)]),
        ];
        for (hall, staff_id, pairs) in answers {
            let request = at_hall(&customer, "HALL_VISIT", hall, staff_id, scores(&pairs));
            suite.submit(&staff(), request).await;
        }
        // Before the roller the report has counted nothing.
        let now: chrono::DateTime<chrono::Utc> = NOW.parse().unwrap();
        let report_request = |group_by: pb::ReportGrouping| pb::GetMomentReportRequest {
            scenario_code: "HALL_VISIT".into(),
            start_time: Some(timestamp(now - TimeDelta::days(1))),
            end_time: Some(timestamp(now + TimeDelta::days(1))),
            group_by: group_by as i32,
        };
        let before = suite
            .surveys
            .get_moment_report(by_staff(report_request(pb::ReportGrouping::Unspecified)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(before.groups[0].responses, 0, "[{label}]");

        assert_eq!(suite.roll().await, 3, "[{label}]");
        assert_eq!(suite.roll().await, 0, "[{label}] each response counts once");
        let report = suite
            .surveys
            .get_moment_report(by_staff(report_request(pb::ReportGrouping::Unspecified)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(report.scenario_version, 1, "[{label}]");
        let whole = &report.groups[0];
        assert_eq!(whole.responses, 3, "[{label}]");
        let arrival = whole
            .moments
            .iter()
            .find(|m| m.moment_code == "ARRIVAL")
            .unwrap();
        assert_eq!(arrival.responses, 3, "[{label}]");
        assert!(close(arrival.mean.unwrap(), 3.0), "[{label}]");
        assert_eq!(arrival.baseline, 4.0, "[{label}] fewer than 30 scores");
        // CSAT: end moments 4, 5, 2 → two of three are 4–5.
        assert!(
            close(whole.csat.unwrap(), 200.0 / 3.0),
            "[{label}] {:?}",
            whole.csat
        );
        let unrated = whole
            .moments
            .iter()
            .find(|m| m.moment_code == "RECEPTION")
            .unwrap();
        assert_eq!((unrated.responses, unrated.mean), (0, None), "[{label}]");

        let by_hall = suite
            .surveys
            .get_moment_report(by_staff(report_request(pb::ReportGrouping::Hall)))
            .await
            .unwrap()
            .into_inner();
        let halls: Vec<(&str, u64)> = by_hall
            .groups
            .iter()
            .map(|g| (g.group.as_str(), g.responses))
            .collect();
        assert_eq!(halls, [("H01", 2), ("H02", 1)], "[{label}]");

        let trend = |hall: &str, staff_id: &str| pb::GetScoreTrendRequest {
            scenario_code: "HALL_VISIT".into(),
            start_time: Some(timestamp(now - TimeDelta::days(3))),
            end_time: Some(timestamp(now + TimeDelta::days(1))),
            interval: pb::TrendInterval::Daily as i32,
            hall_id: hall.into(),
            staff_id: staff_id.into(),
        };
        let points = suite
            .surveys
            .get_score_trend(by_staff(trend("", "")))
            .await
            .unwrap()
            .into_inner()
            .points;
        let counts: Vec<u64> = points.iter().map(|p| p.responses).collect();
        assert_eq!(
            counts,
            [0, 0, 0, 3, 0],
            "[{label}] every day, empty ones too"
        );
        let at_h02 = suite
            .surveys
            .get_score_trend(by_staff(trend("H02", "")))
            .await
            .unwrap()
            .into_inner()
            .points;
        assert_eq!(at_h02[3].responses, 1, "[{label}]");
        let both = suite
            .surveys
            .get_score_trend(by_staff(trend("H02", "E2")))
            .await
            .unwrap_err();
        assert_eq!(both.code(), Code::InvalidArgument, "[{label}]");
        assert_eq!(violated_fields(&both), ["staff_id"], "[{label}]");
    }
}

#[tokio::test]
async fn a_hall_falling_below_the_baseline_alerts() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("", "").await;
        // Five low arrivals at H09 this week, against the default baseline of 4.0.
        for _ in 0..5 {
            let request = at_hall(
                &customer,
                "HALL_VISIT",
                "H09",
                "E9",
                scores(&[("ARRIVAL", 2)]),
            );
            suite.submit(&staff(), request).await;
        }
        let request = at_hall(
            &customer,
            "HALL_VISIT",
            "H08",
            "E8",
            scores(&[("ARRIVAL", 5)]),
        );
        suite.submit(&staff(), request).await;
        suite.roll().await;
        let alerts = suite
            .surveys
            .list_alerts(by_staff(pb::ListAlertsRequest {
                group_by: pb::ReportGrouping::Hall as i32,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .alerts;
        assert_eq!(alerts.len(), 1, "[{label}] {alerts:?}");
        let alert = &alerts[0];
        assert_eq!(
            (alert.group.as_str(), alert.moment_code.as_str()),
            ("H09", "ARRIVAL"),
            "[{label}]"
        );
        assert_eq!(
            (alert.responses, alert.mean, alert.gap),
            (5, 2.0, -2.0),
            "[{label}]"
        );
    }
}
