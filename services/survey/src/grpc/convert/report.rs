//! Reports: GetMomentReport, GetScoreTrend and ListAlerts requests to checked queries (a
//! scenario code in the codes' format, a time range of at most 366 days, a grouping the RPC
//! allows), and the domain's reports, roll-ups and alerts as the contract shows them.
//!
//! A report's performance line (the grid's crosshair) is not in the contract: each row's
//! quadrant already says on which side of it the moment falls.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::survey::v1 as pb;

use super::codes::{code, grouping_from_proto, interval_from_proto, or_default};
use super::{date, given, optional_time, required_time};
use crate::domain::codes::TrendInterval;
use crate::domain::text::{code as scenario_code_of, party_id};
use crate::domain::{Alert, GroupBy, MomentRow, Report, Rollup, Scenario, Tally};

/// The longest range a report or a trend covers.
pub const LONGEST_RANGE: TimeDelta = TimeDelta::days(366);

/// A report's time range: from `from` up to, not including, `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub before: DateTime<Utc>,
}

/// A checked GetMomentReport request.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentReportQuery {
    pub scenario_code: String,
    pub range: Range,
    /// `None`: one group, the whole range.
    pub group_by: Option<GroupBy>,
}

/// A checked GetScoreTrend request.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendQuery {
    /// `None`: every scenario.
    pub scenario_code: Option<String>,
    pub range: Range,
    pub interval: TrendInterval,
    pub hall_id: Option<String>,
    pub staff_id: Option<String>,
}

/// A checked ListAlerts request.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertQuery {
    /// `None`: every scenario.
    pub scenario_code: Option<String>,
    /// HALL or STAFF; `None`: both.
    pub group_by: Option<GroupBy>,
    /// The 7 days end here; `None`: now.
    pub as_of: Option<DateTime<Utc>>,
}

pub fn moment_report_query(
    req: &pb::GetMomentReportRequest,
) -> Result<MomentReportQuery, Vec<Violation>> {
    let pb::GetMomentReportRequest {
        scenario_code,
        start_time,
        end_time,
        group_by,
    } = req;
    let mut refused = Vec::new();
    let scenario_code =
        scenario_code_of(scenario_code).map_err(|e| refused.push(e.at("scenario_code")));
    let range =
        range(start_time.as_ref(), end_time.as_ref()).map_err(|found| refused.extend(found));
    let group_by = grouping_from_proto(*group_by).map_err(|e| refused.push(e.at("group_by")));
    match (scenario_code, range, group_by) {
        (Ok(scenario_code), Ok(range), Ok(group_by)) => Ok(MomentReportQuery {
            scenario_code,
            range,
            group_by,
        }),
        _ => Err(refused),
    }
}

pub fn trend_query(req: &pb::GetScoreTrendRequest) -> Result<TrendQuery, Vec<Violation>> {
    let pb::GetScoreTrendRequest {
        scenario_code,
        start_time,
        end_time,
        interval,
        hall_id,
        staff_id,
    } = req;
    let mut refused = Vec::new();
    let scenario_code = any_scenario(scenario_code).map_err(|v| refused.push(v));
    let range =
        range(start_time.as_ref(), end_time.as_ref()).map_err(|found| refused.extend(found));
    let interval = or_default(
        interval_from_proto(*interval),
        TrendInterval::Daily,
        "interval",
    )
    .map_err(|v| refused.push(v));
    let mut id = |text: &str, field: &str| {
        given(text)
            .map(|id| party_id(id).map_err(|e| refused.push(e.at(field))))
            .transpose()
    };
    let hall_id = id(hall_id, "hall_id");
    let staff_id = id(staff_id, "staff_id");
    match (scenario_code, range, interval, hall_id, staff_id) {
        (Ok(scenario_code), Ok(range), Ok(interval), Ok(hall_id), Ok(staff_id)) => Ok(TrendQuery {
            scenario_code,
            range,
            interval,
            hall_id,
            staff_id,
        }),
        _ => Err(refused),
    }
}

pub fn alert_query(req: &pb::ListAlertsRequest) -> Result<AlertQuery, Vec<Violation>> {
    let pb::ListAlertsRequest {
        scenario_code,
        group_by,
        as_of,
    } = req;
    let mut refused = Vec::new();
    let scenario_code = any_scenario(scenario_code).map_err(|v| refused.push(v));
    let group_by = match grouping_from_proto(*group_by) {
        Ok(g @ (None | Some(GroupBy::Hall | GroupBy::Staff))) => Ok(g),
        Ok(Some(GroupBy::Tier | GroupBy::Channel)) => {
            Err(Invalid::new("must be HALL, STAFF or unspecified"))
        }
        Err(e) => Err(e),
    }
    .map_err(|e| refused.push(e.at("group_by")));
    let as_of = optional_time(as_of.as_ref(), "as_of").map_err(|v| refused.push(v));
    match (scenario_code, group_by, as_of) {
        (Ok(scenario_code), Ok(group_by), Ok(as_of)) => Ok(AlertQuery {
            scenario_code,
            group_by,
            as_of,
        }),
        _ => Err(refused),
    }
}

/// Empty: every scenario; otherwise a code.
fn any_scenario(text: &str) -> Result<Option<String>, Violation> {
    given(text)
        .map(scenario_code_of)
        .transpose()
        .map_err(|e| e.at("scenario_code"))
}

/// Both ends required, the end after the start and at most [`LONGEST_RANGE`] later: a
/// refused range names `end_time`.
fn range(
    start_time: Option<&prost_types::Timestamp>,
    end_time: Option<&prost_types::Timestamp>,
) -> Result<Range, Vec<Violation>> {
    let from = required_time(start_time, "start_time");
    let before = required_time(end_time, "end_time");
    match (from, before) {
        (Ok(from), Ok(before)) if before <= from => Err(vec![
            Invalid::new("must be after start_time").at("end_time"),
        ]),
        (Ok(from), Ok(before)) if before - from > LONGEST_RANGE => {
            let reason = "must be at most 366 days after start_time";
            Err(vec![Invalid::new(reason).at("end_time")])
        }
        (Ok(from), Ok(before)) => Ok(Range { from, before }),
        (from, before) => Err([from.err(), before.err()].into_iter().flatten().collect()),
    }
}

/// A scenario's report, one group per `(group, report)`: the group is the hall, staff member,
/// tier or channel code, `None` when ungrouped or not known.
pub fn moment_report_to_proto(
    scenario: &Scenario,
    groups: &[(Option<String>, Report)],
) -> pb::GetMomentReportResponse {
    pb::GetMomentReportResponse {
        scenario_code: scenario.code().to_owned(),
        scenario_version: scenario.version(),
        mean_importance: scenario.mean_importance(),
        groups: groups
            .iter()
            .map(|(group, report)| group_to_proto(group.as_deref(), report))
            .collect(),
    }
}

fn group_to_proto(group: Option<&str>, report: &Report) -> pb::MomentReportGroup {
    let Report {
        // The scenario and its mean importance are shown once, above the groups.
        scenario: _,
        importance_line: _,
        // Not in the contract: the quadrants carry it.
        performance_line: _,
        responses,
        moments,
        nps,
        csat,
        peak_end_mean,
    } = report;
    pb::MomentReportGroup {
        group: group.unwrap_or_default().to_owned(),
        responses: *responses,
        moments: moments.iter().map(row_to_proto).collect(),
        peak_end: *peak_end_mean,
        nps: *nps,
        csat: *csat,
    }
}

pub fn row_to_proto(row: &MomentRow) -> pb::MomentReportRow {
    let MomentRow {
        moment,
        name,
        n,
        mean,
        baseline,
        gap,
        importance,
        important,
        quadrant,
    } = row;
    pb::MomentReportRow {
        moment_code: moment.clone(),
        name: name.clone(),
        importance: *importance,
        important: *important,
        responses: *n,
        mean: *mean,
        baseline: *baseline,
        gap: *gap,
        quadrant: quadrant.map_or(pb::Quadrant::Unspecified as i32, code::<pb::Quadrant>),
    }
}

/// One step of a trend starting on `start`, from the merged roll-up of its days. Its mean is
/// that of every moment score in the step.
pub fn trend_point_to_proto(start: NaiveDate, rollup: &Rollup) -> pb::TrendPoint {
    let Rollup {
        responses,
        moments,
        nps,
        end,
        peak_end,
    } = rollup;
    let mut all = Tally::default();
    moments.values().for_each(|t| all.merge(*t));
    pb::TrendPoint {
        start: Some(date(start)),
        responses: *responses,
        mean: all.mean(),
        peak_end: peak_end.mean(),
        nps: nps.score(),
        csat: end.csat(),
    }
}

/// An alert on a moment of `scenario`, shown with the moment's name.
pub fn alert_to_proto(alert: &Alert, scenario: &Scenario) -> pb::Alert {
    let Alert {
        moment,
        group_kind,
        group,
        mean,
        baseline,
        gap,
        n,
    } = alert;
    pb::Alert {
        scenario_code: scenario.code().to_owned(),
        moment_code: moment.clone(),
        moment_name: scenario
            .moment(moment)
            .map_or_else(String::new, |m| m.name.clone()),
        group_by: code::<pb::ReportGrouping>(*group_kind),
        group: group.clone(),
        mean: *mean,
        responses: *n,
        baseline: *baseline,
        gap: *gap,
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
