//! ReportDelivery and GetDeliveryStats: a provider's receipt for one attempt, handed to the
//! dispatcher (which decides what the outcome means: delivered, retry, next channel), and the
//! three measures over a time range.

use chrono::TimeDelta;
use tonic::{Request, Response};
use vipcare_domain::{Invalid, bounded_text};
use vipcare_proto::reminder::v1 as pb;

use super::convert::{
    grouping_from_proto, optional_time, outcome_from_proto, reminder_to_proto, required,
    stats_to_proto,
};
use super::{ReminderApi, Reply};
use crate::domain::state::DETAIL_MAX_CHARS;
use crate::error::Error;
use crate::store::stats;

/// Longest range one statistics call may cover.
const MAX_STATS_RANGE: TimeDelta = TimeDelta::days(366);
/// Longest attempt or reminder id a receipt may name.
const MAX_ID_CHARS: usize = 128;

pub async fn report(
    api: &ReminderApi,
    r: Request<pb::ReportDeliveryRequest>,
) -> Reply<pb::ReportDeliveryResponse> {
    let pb::ReportDeliveryRequest {
        reminder_id,
        attempt_id,
        outcome,
        detail,
        report_time,
    } = r.into_inner();
    let mut found = Vec::new();
    for (value, field) in [(&reminder_id, "reminder_id"), (&attempt_id, "attempt_id")] {
        if value.is_empty() {
            found.push(Invalid::new("required").at(field));
        } else if let Err(e) = bounded_text(value, MAX_ID_CHARS) {
            found.push(e.at(field));
        }
    }
    let outcome = required(outcome_from_proto(outcome))
        .map_err(|e| found.push(e.at("outcome")))
        .ok();
    if let Err(e) = bounded_text(&detail, DETAIL_MAX_CHARS) {
        found.push(e.at("detail"));
    }
    let report_time = optional_time(report_time.as_ref(), "report_time")
        .map_err(|v| found.push(v))
        .ok()
        .flatten();
    let Some(outcome) = outcome.filter(|_| found.is_empty()) else {
        return Err(Error::Invalid(found));
    };
    let detail = (!detail.trim().is_empty()).then_some(detail.as_str());
    let reminder = api
        .dispatcher
        .report_delivery(&reminder_id, &attempt_id, outcome, detail, report_time)
        .await?;
    Ok(Response::new(pb::ReportDeliveryResponse {
        reminder: Some(reminder_to_proto(&reminder)),
    }))
}

pub async fn stats(
    api: &ReminderApi,
    r: Request<pb::GetDeliveryStatsRequest>,
) -> Reply<pb::GetDeliveryStatsResponse> {
    let pb::GetDeliveryStatsRequest {
        start_time,
        end_time,
        group_by,
    } = r.into_inner();
    let mut found = Vec::new();
    let mut time =
        |t: Option<prost_types::Timestamp>, field: &str| match optional_time(t.as_ref(), field) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                found.push(Invalid::new("required").at(field));
                None
            }
            Err(v) => {
                found.push(v);
                None
            }
        };
    let (start, end) = (time(start_time, "start_time"), time(end_time, "end_time"));
    let grouping = grouping_from_proto(group_by)
        .map_err(|e| found.push(e.at("group_by")))
        .ok();
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            found.push(Invalid::new("must be after start_time").at("end_time"));
        } else if end - start > MAX_STATS_RANGE {
            found.push(Invalid::new("must be at most 366 days after start_time").at("end_time"));
        }
    }
    let (Some(start), Some(end), Some(grouping)) = (start, end, grouping) else {
        return Err(Error::Invalid(found));
    };
    if !found.is_empty() {
        return Err(Error::Invalid(found));
    }
    let counted = stats::delivery_stats(api.db.conn(), start, end, grouping).await?;
    Ok(Response::new(stats_to_proto(&counted)))
}
