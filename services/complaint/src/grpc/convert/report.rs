//! GetSlaReport: the request's period and grouping checked, and the report's rows as the
//! contract shows them.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::complaint::v1 as pb;

use super::codes::code;
use super::{duration, time_of};
use crate::domain::report::{GroupKey, Grouping, ReportRow, SlaReport};

/// The longest period a report covers.
pub const LONGEST_PERIOD: TimeDelta = TimeDelta::days(366);

/// What a report is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportQuery {
    /// Complaints opened at or after this...
    pub from: DateTime<Utc>,
    /// ...and before this.
    pub before: DateTime<Utc>,
    pub grouping: Option<Grouping>,
}

/// The request, every refused field named.
pub fn query_from_proto(req: &pb::GetSlaReportRequest) -> Result<ReportQuery, Vec<Violation>> {
    let pb::GetSlaReportRequest {
        start_time,
        end_time,
        group_by,
    } = req;
    let mut refused = Vec::new();
    let mut time = |t: Option<&prost_types::Timestamp>, field: &str| match t {
        None => {
            refused.push(Invalid::new("required").at(field));
            None
        }
        Some(_) => time_of(t).or_else(|| {
            refused.push(Invalid::new("not a valid time").at(field));
            None
        }),
    };
    let from = time(start_time.as_ref(), "start_time");
    let before = time(end_time.as_ref(), "end_time");
    if let (Some(from), Some(before)) = (from, before) {
        if before <= from {
            refused.push(Invalid::new("must be after start_time").at("end_time"));
        } else if before - from > LONGEST_PERIOD {
            refused.push(Invalid::new("must be at most 366 days after start_time").at("end_time"));
        }
    }
    let grouping = match pb::SlaReportGrouping::try_from(*group_by) {
        Ok(pb::SlaReportGrouping::Unspecified) => None,
        Ok(pb::SlaReportGrouping::Channel) => Some(Grouping::Channel),
        Ok(pb::SlaReportGrouping::Category) => Some(Grouping::Category),
        Ok(pb::SlaReportGrouping::Tier) => Some(Grouping::Tier),
        Ok(pb::SlaReportGrouping::Owner) => Some(Grouping::Owner),
        Err(_) => {
            refused.push(Invalid::new("not a known grouping").at("group_by"));
            None
        }
    };
    match (from, before) {
        (Some(from), Some(before)) if refused.is_empty() => Ok(ReportQuery {
            from,
            before,
            grouping,
        }),
        _ => Err(refused),
    }
}

pub fn report_to_proto(report: &SlaReport) -> pb::GetSlaReportResponse {
    pb::GetSlaReportResponse {
        total: Some(row_to_proto(None, &report.total)),
        groups: report
            .groups
            .iter()
            .map(|(key, row)| row_to_proto(Some(key), row))
            .collect(),
    }
}

fn row_to_proto(key: Option<&GroupKey>, row: &ReportRow) -> pb::SlaReportRow {
    let ReportRow {
        complaints,
        resolved,
        on_time_response_rate,
        on_time_resolution_rate,
        business_time_to_resolve_mean,
        business_time_to_resolve_p90,
        reopen_rate,
        promises,
        promises_kept_rate,
        compensation,
        gaps,
    } = row;
    let mut shown = pb::SlaReportRow {
        complaints: *complaints,
        resolved: *resolved,
        on_time_response_rate: *on_time_response_rate,
        on_time_resolution_rate: *on_time_resolution_rate,
        business_time_to_resolve_mean: business_time_to_resolve_mean.map(duration),
        business_time_to_resolve_p90: business_time_to_resolve_p90.map(duration),
        reopen_rate: *reopen_rate,
        promises: *promises,
        promises_kept_rate: *promises_kept_rate,
        compensation: compensation
            .iter()
            .map(|(kind, t)| pb::CompensationTotal {
                kind: code::<pb::CompensationKind>(*kind),
                approved_count: t.approved_count,
                approved_fen: t.approved_fen,
                proposed_count: t.proposed_count,
                proposed_fen: t.proposed_fen,
            })
            .collect(),
        gaps: gaps
            .iter()
            .map(|(gap, n)| pb::GapCount {
                gap: code::<pb::RootCauseGap>(*gap),
                complaints: *n,
            })
            .collect(),
        ..pb::SlaReportRow::default()
    };
    match key {
        None => {}
        Some(GroupKey::Channel(c)) => shown.channel = code::<pb::Channel>(*c),
        Some(GroupKey::Category(c)) => shown.category = code::<pb::Category>(*c),
        Some(GroupKey::Tier(t)) => shown.tier = t.clone(),
        Some(GroupKey::Owner(o)) => shown.owner = o.clone(),
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<prost_types::Timestamp> {
        Some(super::super::timestamp(s.parse().unwrap()))
    }

    fn fields(req: pb::GetSlaReportRequest) -> Vec<String> {
        query_from_proto(&req)
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    #[test]
    fn the_period_is_required_ordered_and_at_most_a_year() {
        assert_eq!(
            fields(pb::GetSlaReportRequest::default()),
            ["start_time", "end_time"]
        );
        let backwards = pb::GetSlaReportRequest {
            start_time: at("2026-06-02T00:00:00Z"),
            end_time: at("2026-06-01T00:00:00Z"),
            group_by: 99,
        };
        assert_eq!(fields(backwards), ["end_time", "group_by"]);
        let too_long = pb::GetSlaReportRequest {
            start_time: at("2025-01-01T00:00:00Z"),
            end_time: at("2026-01-03T00:00:00Z"),
            group_by: 0,
        };
        assert_eq!(fields(too_long), ["end_time"]);
        let fine = pb::GetSlaReportRequest {
            start_time: at("2025-01-01T00:00:00Z"),
            end_time: at("2026-01-02T00:00:00Z"),
            group_by: pb::SlaReportGrouping::Tier as i32,
        };
        assert_eq!(
            query_from_proto(&fine).unwrap().grouping,
            Some(Grouping::Tier)
        );
    }
}
