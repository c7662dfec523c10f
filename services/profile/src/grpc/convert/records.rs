//! Consumption rows, relations, work-log notes, audit records and value summaries.

use chrono::{DateTime, NaiveDate, Utc};
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use super::{customer_id, timestamp};
use crate::domain::{
    AuditRecord, Consumption, Period, Relation, ServiceNote, Usage, ValueSummary, Violation,
};

/// One RecordConsumption request, checked as of `today`.
pub fn consumption_from_proto(
    request: &pb::RecordConsumptionRequest,
    today: NaiveDate,
) -> Result<Consumption, Violation> {
    let pb::RecordConsumptionRequest {
        customer_id: id,
        period,
        spend_fen,
        data_mb,
        voice_minutes,
        roaming_fen,
        vas_fen,
    } = request;
    let usage = Usage {
        spend_fen: *spend_fen,
        data_mb: *data_mb,
        voice_minutes: *voice_minutes,
        roaming_fen: *roaming_fen,
        vas_fen: *vas_fen,
    };
    consumption(id, period, usage, today)
}

/// One streamed ImportConsumption row: the same flat record.
pub fn import_row_from_proto(
    row: &pb::ImportConsumptionRequest,
    today: NaiveDate,
) -> Result<Consumption, Violation> {
    let pb::ImportConsumptionRequest {
        customer_id: id,
        period,
        spend_fen,
        data_mb,
        voice_minutes,
        roaming_fen,
        vas_fen,
    } = row;
    let usage = Usage {
        spend_fen: *spend_fen,
        data_mb: *data_mb,
        voice_minutes: *voice_minutes,
        roaming_fen: *roaming_fen,
        vas_fen: *vas_fen,
    };
    consumption(id, period, usage, today)
}

fn consumption(
    id: &str,
    period: &str,
    usage: Usage,
    today: NaiveDate,
) -> Result<Consumption, Violation> {
    let id = customer_id(id, "customer_id")?;
    let period = Period::parse(period).map_err(|e| e.at("period"))?;
    Consumption::new(id, period, usage, today)
}

pub fn consumption_to_proto(record: &Consumption, updated: DateTime<Utc>) -> pb::ConsumptionRecord {
    let Usage {
        spend_fen,
        data_mb,
        voice_minutes,
        roaming_fen,
        vas_fen,
    } = record.usage();
    pb::ConsumptionRecord {
        customer_id: record.customer_id().to_string(),
        period: record.period().to_string(),
        spend_fen,
        data_mb,
        voice_minutes,
        roaming_fen,
        vas_fen,
        update_time: Some(timestamp(updated)),
    }
}

pub fn relation_to_proto(relation: &Relation) -> pb::Relation {
    let Relation {
        customer_id,
        related_customer_id,
        kind,
        create_time,
    } = relation;
    pb::Relation {
        customer_id: customer_id.to_string(),
        related_customer_id: related_customer_id.to_string(),
        kind: pb::RelationKind::from(*kind) as i32,
        create_time: Some(timestamp(*create_time)),
    }
}

pub fn note_to_proto(note: &ServiceNote) -> pb::ServiceNote {
    let ServiceNote {
        note_id,
        customer_id,
        kind,
        text,
        author,
        channel,
        create_time,
    } = note;
    pb::ServiceNote {
        note_id: note_id.clone(),
        customer_id: customer_id.to_string(),
        kind: pb::NoteKind::from(*kind) as i32,
        text: text.clone(),
        author: author.clone(),
        channel: channel.map_or(0, |c| common::Channel::from(c) as i32),
        create_time: Some(timestamp(*create_time)),
    }
}

pub fn audit_to_proto(record: &AuditRecord) -> pb::AuditRecord {
    let AuditRecord {
        audit_id,
        customer_id,
        client,
        channel,
        action,
        fields,
        reason,
        create_time,
    } = record;
    pb::AuditRecord {
        audit_id: audit_id.clone(),
        customer_id: customer_id.to_string(),
        client: client.clone(),
        channel: channel.map_or(0, |c| common::Channel::from(c) as i32),
        action: action.clone(),
        fields: fields.clone(),
        create_time: Some(timestamp(*create_time)),
        reason: reason.clone(),
    }
}

pub fn summary_to_proto(summary: &ValueSummary) -> pb::ValueSummary {
    let ValueSummary {
        customer_id,
        period,
        arpu_3m_fen,
        arpu_6m_fen,
        arpu_12m_fen,
        months_with_data,
        months_counted,
        tenure_months,
        spend_trend,
        spend_change_percent,
        previous_arpu_3m_fen,
        household_arpu_fen,
        family_members,
        referrals,
        group_key_person,
        status,
        latest_period,
        plan_code,
    } = summary;
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    pb::ValueSummary {
        customer_id: customer_id.to_string(),
        arpu_3m_fen: *arpu_3m_fen,
        arpu_6m_fen: *arpu_6m_fen,
        arpu_12m_fen: *arpu_12m_fen,
        months_with_data: count(*months_with_data),
        tenure_months: count(*tenure_months),
        spend_trend: pb::SpendTrend::from(*spend_trend) as i32,
        spend_change_percent: *spend_change_percent,
        household_arpu_fen: *household_arpu_fen,
        family_members: count(*family_members),
        referrals: count(*referrals),
        group_key_person: *group_key_person,
        status: pb::CustomerStatus::from(*status) as i32,
        latest_period: latest_period.map(|p| p.to_string()).unwrap_or_default(),
        previous_arpu_3m_fen: *previous_arpu_3m_fen,
        plan_code: plan_code.clone(),
        period: period.to_string(),
        months_counted: count(*months_counted),
    }
}
