use chrono::TimeZone;

use super::*;
use crate::domain::{AlertRule, JourneyScore, PeakWeight, Response, seed};

fn at(s: &str) -> Option<prost_types::Timestamp> {
    Some(super::super::timestamp(s.parse().unwrap()))
}

fn fields<T: std::fmt::Debug>(found: Result<T, Vec<Violation>>) -> Vec<String> {
    found.unwrap_err().into_iter().map(|v| v.field).collect()
}

fn report_request() -> pb::GetMomentReportRequest {
    pb::GetMomentReportRequest {
        scenario_code: "ON_SITE_VISIT".into(),
        start_time: at("2026-01-01T00:00:00Z"),
        end_time: at("2026-04-01T00:00:00Z"),
        group_by: pb::ReportGrouping::Hall as i32,
    }
}

/// The roll-up of the worked example alone: an on-site visit that went well but for the
/// complaint, NPS 5.
fn worked_example() -> (Scenario, Rollup) {
    let scenario = seed::scenario("ON_SITE_VISIT").unwrap();
    let scores: Vec<(String, i32)> = [
        ("APPOINTMENT", 5),
        ("ARRIVAL", 4),
        ("BUSINESS_HANDLING", 4),
        ("QUESTION_ANSWERING", 4),
        ("COMPLAINT_HANDLING", 1),
        ("FOLLOW_UP", 4),
    ]
    .map(|(m, s)| (m.to_owned(), s))
    .to_vec();
    let response = Response::new(&scenario, &scores, &[], Some(5), "").unwrap();
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    let mut rollup = Rollup::default();
    rollup.add(&response, &score);
    (scenario, rollup)
}

#[test]
fn a_moment_report_query_is_checked_whole() {
    let query = moment_report_query(&report_request()).unwrap();
    assert_eq!(query.scenario_code, "ON_SITE_VISIT");
    assert_eq!(query.group_by, Some(GroupBy::Hall));
    assert_eq!(query.range.before - query.range.from, TimeDelta::days(90));
    let ungrouped = pb::GetMomentReportRequest {
        group_by: 0,
        ..report_request()
    };
    assert_eq!(moment_report_query(&ungrouped).unwrap().group_by, None);
    let bad = pb::GetMomentReportRequest {
        scenario_code: String::new(),
        start_time: None,
        end_time: at("2026-04-01T00:00:00Z"),
        group_by: 9,
    };
    assert_eq!(
        fields(moment_report_query(&bad)),
        ["scenario_code", "start_time", "group_by"]
    );
}

#[test]
fn a_range_ends_after_it_starts_and_spans_at_most_366_days() {
    let with = |start: &str, end: &str| pb::GetMomentReportRequest {
        start_time: at(start),
        end_time: at(end),
        ..report_request()
    };
    let backwards = with("2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z");
    assert_eq!(fields(moment_report_query(&backwards)), ["end_time"]);
    let too_long = with("2025-01-01T00:00:00Z", "2026-01-02T00:00:01Z");
    assert_eq!(fields(moment_report_query(&too_long)), ["end_time"]);
    let a_leap_year = with("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
    assert!(moment_report_query(&a_leap_year).is_ok());
    let neither = pb::GetMomentReportRequest {
        start_time: None,
        end_time: None,
        ..report_request()
    };
    assert_eq!(
        fields(moment_report_query(&neither)),
        ["start_time", "end_time"]
    );
}

#[test]
fn a_trend_defaults_to_daily_over_every_scenario() {
    let req = pb::GetScoreTrendRequest {
        scenario_code: String::new(),
        start_time: at("2026-01-01T00:00:00Z"),
        end_time: at("2026-02-01T00:00:00Z"),
        interval: 0,
        hall_id: "hall-7".into(),
        staff_id: String::new(),
    };
    let query = trend_query(&req).unwrap();
    assert_eq!(query.scenario_code, None);
    assert_eq!(query.interval, TrendInterval::Daily);
    assert_eq!(
        (query.hall_id.as_deref(), query.staff_id),
        (Some("hall-7"), None)
    );
    let bad = pb::GetScoreTrendRequest {
        scenario_code: "phone".into(),
        end_time: at("2025-12-01T00:00:00Z"),
        interval: 5,
        hall_id: "hall 7".into(),
        staff_id: "x".repeat(65),
        ..req
    };
    let refused = [
        "scenario_code",
        "end_time",
        "interval",
        "hall_id",
        "staff_id",
    ];
    assert_eq!(fields(trend_query(&bad)), refused);
}

#[test]
fn alerts_are_by_hall_or_staff_only() {
    let req = |group_by: pb::ReportGrouping| pb::ListAlertsRequest {
        scenario_code: String::new(),
        group_by: group_by as i32,
        as_of: None,
    };
    for (asked, read) in [
        (pb::ReportGrouping::Unspecified, None),
        (pb::ReportGrouping::Hall, Some(GroupBy::Hall)),
        (pb::ReportGrouping::Staff, Some(GroupBy::Staff)),
    ] {
        assert_eq!(alert_query(&req(asked)).unwrap().group_by, read);
    }
    for refused in [pb::ReportGrouping::Tier, pb::ReportGrouping::Channel] {
        assert_eq!(fields(alert_query(&req(refused))), ["group_by"]);
    }
    let bad = pb::ListAlertsRequest {
        scenario_code: "hall".into(),
        group_by: 0,
        as_of: Some(prost_types::Timestamp {
            seconds: 0,
            nanos: -1,
        }),
    };
    assert_eq!(fields(alert_query(&bad)), ["scenario_code", "as_of"]);
    let as_of = pb::ListAlertsRequest {
        scenario_code: "HALL_VISIT".into(),
        group_by: 0,
        as_of: at("2026-03-08T00:00:00Z"),
    };
    let query = alert_query(&as_of).unwrap();
    assert_eq!(
        query.as_of,
        Some(Utc.with_ymd_and_hms(2026, 3, 8, 0, 0, 0).unwrap())
    );
}

#[test]
fn the_worked_example_as_a_moment_report() {
    let (scenario, rollup) = worked_example();
    let report = Report::build(&scenario, &rollup, &|_| 4.0);
    let shown = moment_report_to_proto(&scenario, &[(Some("hall-7".into()), report)]);
    assert_eq!(
        (shown.scenario_code.as_str(), shown.scenario_version),
        ("ON_SITE_VISIT", 1)
    );
    assert!((shown.mean_importance - 4.45).abs() < 1e-9);
    let group = &shown.groups[0];
    assert_eq!((group.group.as_str(), group.responses), ("hall-7", 1));
    assert_eq!(group.peak_end, Some(2.5));
    // NPS 5 is a detractor: 0% − 100%; the end moment's 4 is satisfied: CSAT 100%.
    assert_eq!((group.nps, group.csat), (Some(-100.0), Some(100.0)));
    assert_eq!(group.moments.len(), 10);
    let row = |code: &str| {
        group
            .moments
            .iter()
            .find(|r| r.moment_code == code)
            .unwrap()
    };
    // Performance line: the mean of the six rated means, 22 / 6 = 3.67.
    let complaint = row("COMPLAINT_HANDLING");
    assert_eq!((complaint.mean, complaint.gap), (Some(1.0), Some(-3.0)));
    assert!(complaint.important);
    assert_eq!(complaint.quadrant, pb::Quadrant::ConcentrateHere as i32);
    let appointment = row("APPOINTMENT");
    assert_eq!(appointment.quadrant, pb::Quadrant::KeepUpTheGoodWork as i32);
    let arrival = row("ARRIVAL");
    assert!(!arrival.important);
    assert_eq!(arrival.quadrant, pb::Quadrant::PossibleOverkill as i32);
    let meeting = row("MEETING");
    assert_eq!(
        (meeting.responses, meeting.mean, meeting.gap),
        (0, None, None)
    );
    assert_eq!(meeting.quadrant, pb::Quadrant::Unspecified as i32);
    assert_eq!(meeting.baseline, 4.0);
    let ungrouped = moment_report_to_proto(
        &scenario,
        &[(None, Report::build(&scenario, &rollup, &|_| 4.0))],
    );
    assert_eq!(ungrouped.groups[0].group, "");
}

#[test]
fn the_worked_example_as_a_trend_point() {
    let (_, rollup) = worked_example();
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let point = trend_point_to_proto(monday, &rollup);
    assert_eq!(point.start, Some(date(monday)));
    assert_eq!(point.responses, 1);
    assert!((point.mean.unwrap() - 22.0 / 6.0).abs() < 1e-9);
    assert_eq!(
        (point.peak_end, point.nps, point.csat),
        (Some(2.5), Some(-100.0), Some(100.0))
    );
    let empty = trend_point_to_proto(monday, &Rollup::default());
    assert_eq!(empty.responses, 0);
    assert_eq!(
        (empty.mean, empty.peak_end, empty.nps, empty.csat),
        (None, None, None, None)
    );
}

#[test]
fn an_alert_names_its_scenario_moment_and_group() {
    let scenario = seed::scenario("HALL_VISIT").unwrap();
    let moment = &scenario.moments()[1];
    let week = Tally { n: 6, sum: 18 };
    let alert = AlertRule::default()
        .check(&moment.code, GroupBy::Staff, "E2002", week, 4.2)
        .unwrap();
    let shown = alert_to_proto(&alert, &scenario);
    assert_eq!(shown.scenario_code, "HALL_VISIT");
    assert_eq!(
        (shown.moment_code.as_str(), shown.moment_name.as_str()),
        (moment.code.as_str(), moment.name.as_str())
    );
    assert_eq!(shown.group_by, pb::ReportGrouping::Staff as i32);
    assert_eq!((shown.group.as_str(), shown.responses), ("E2002", 6));
    assert_eq!((shown.mean, shown.baseline), (3.0, 4.2));
    assert!((shown.gap + 1.2).abs() < 1e-9);
}
