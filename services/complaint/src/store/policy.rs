//! The SLA policy in force: one row holding the targets and the business calendar as JSON, with
//! a version the etag is made from. The row is seeded on first read with the domain's defaults;
//! an update is written only over the version the caller read, so of two concurrent updates one
//! wins and the other learns its etag is stale, and nothing of it is written.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};

use super::error::corrupt;
use super::{StoreError, ms, statement, stored_time, time};
use crate::domain::{
    BusinessCalendar, CalendarDraft, ClockKind, Severity, SlaPolicy, SlaTarget, WorkingHours,
};

/// The policy with its calendar and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    pub policy: SlaPolicy,
    pub calendar: BusinessCalendar,
    /// 1 for the seeded default, bumped by every update.
    pub version: i64,
    /// Who changed it last; `None` for the seeded default.
    pub updated_by: Option<String>,
    /// `None` for the seeded default.
    pub update_time: Option<DateTime<Utc>>,
}

impl StoredPolicy {
    /// What a caller sends back to update it.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

/// The one row's key.
const ROW: i64 = 1;

/// The policy in force, seeding the defaults if none is stored yet.
pub async fn get<C: ConnectionTrait>(conn: &C) -> Result<StoredPolicy, StoreError> {
    if let Some(stored) = read(conn).await? {
        return Ok(stored);
    }
    // Every replica may seed at once: the first insert stands, the others do nothing.
    conn.execute_raw(statement(
        conn,
        "INSERT INTO sla_policy (policy_id, targets, calendar, version, updated_by, update_ms) \
         VALUES ($1, $2, $3, 1, NULL, NULL) ON CONFLICT (policy_id) DO NOTHING",
        [
            ROW.into(),
            targets_json(&SlaPolicy::default())?.into(),
            calendar_json(&BusinessCalendar::default())?.into(),
        ],
    ))
    .await?;
    read(conn)
        .await?
        .ok_or_else(|| StoreError::Internal("the SLA policy was seeded but not found".into()))
}

/// Replaces the policy and calendar if `etag` is the current one; otherwise
/// [`StoreError::StaleEtag`] and nothing changes.
pub async fn put<C: ConnectionTrait>(
    conn: &C,
    policy: &SlaPolicy,
    calendar: &BusinessCalendar,
    etag: &str,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<StoredPolicy, StoreError> {
    let current = get(conn).await?;
    let stale = |current: &StoredPolicy| StoreError::StaleEtag {
        given: etag.to_owned(),
        current: current.etag(),
    };
    if etag != current.etag() {
        return Err(stale(&current));
    }
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE sla_policy SET targets = $3, calendar = $4, version = version + 1, \
             updated_by = $5, update_ms = $6 WHERE policy_id = $1 AND version = $2",
            [
                ROW.into(),
                current.version.into(),
                targets_json(policy)?.into(),
                calendar_json(calendar)?.into(),
                updated_by.into(),
                ms(now).into(),
            ],
        ))
        .await?;
    if done.rows_affected() != 1 {
        // Another update landed between the read and the write.
        return Err(stale(&get(conn).await?));
    }
    Ok(StoredPolicy {
        policy: policy.clone(),
        calendar: calendar.clone(),
        version: current.version + 1,
        updated_by: Some(updated_by.to_owned()),
        update_time: Some(stored_time(now)),
    })
}

async fn read<C: ConnectionTrait>(conn: &C) -> Result<Option<StoredPolicy>, StoreError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT targets, calendar, version, updated_by, update_ms FROM sla_policy \
             WHERE policy_id = $1",
            [ROW.into()],
        ))
        .await?;
    row.as_ref().map(stored).transpose()
}

fn stored(row: &QueryResult) -> Result<StoredPolicy, StoreError> {
    let targets: String = row.try_get("", "targets")?;
    let calendar: String = row.try_get("", "calendar")?;
    Ok(StoredPolicy {
        policy: policy_from(&targets)?,
        calendar: calendar_from(&calendar)?,
        version: row.try_get("", "version")?,
        updated_by: row.try_get("", "updated_by")?,
        update_time: row.try_get::<Option<i64>>("", "update_ms")?.map(time),
    })
}

#[derive(Serialize, Deserialize)]
struct TargetsJson {
    default_tier: String,
    targets: Vec<TargetJson>,
}

#[derive(Serialize, Deserialize)]
struct TargetJson {
    tier: String,
    severity: String,
    respond_ms: i64,
    resolve_ms: i64,
    clock: String,
}

/// Minutes of the day, start and end; `None` is a day off.
type Hours = Option<(u32, u32)>;

#[derive(Serialize, Deserialize)]
struct CalendarJson {
    time_zone: String,
    working_hours: [Hours; 7],
    make_up_hours: (u32, u32),
    holidays: Vec<NaiveDate>,
    make_up_days: Vec<NaiveDate>,
}

fn encode(what: &str, v: Result<String, serde_json::Error>) -> Result<String, StoreError> {
    v.map_err(|e| StoreError::Internal(format!("{what} does not encode: {e}")))
}

fn targets_json(policy: &SlaPolicy) -> Result<String, StoreError> {
    let json = TargetsJson {
        default_tier: policy.default_tier().to_owned(),
        targets: policy
            .targets()
            .map(|(tier, severity, t)| TargetJson {
                tier: tier.to_owned(),
                severity: severity.code().to_owned(),
                respond_ms: t.respond.num_milliseconds(),
                resolve_ms: t.resolve.num_milliseconds(),
                clock: t.clock.code().to_owned(),
            })
            .collect(),
    };
    encode("the SLA policy", serde_json::to_string(&json))
}

fn policy_from(text: &str) -> Result<SlaPolicy, StoreError> {
    let json: TargetsJson = serde_json::from_str(text).map_err(|e| corrupt("SLA policy", e))?;
    let mut rows: BTreeMap<String, BTreeMap<Severity, SlaTarget>> = BTreeMap::new();
    for t in json.targets {
        let severity = Severity::from_code(&t.severity)
            .ok_or_else(|| corrupt("SLA policy severity", &t.severity))?;
        let clock =
            ClockKind::from_code(&t.clock).ok_or_else(|| corrupt("SLA policy clock", &t.clock))?;
        let target = SlaTarget {
            respond: TimeDelta::milliseconds(t.respond_ms),
            resolve: TimeDelta::milliseconds(t.resolve_ms),
            clock,
        };
        rows.entry(t.tier).or_default().insert(severity, target);
    }
    SlaPolicy::new(&json.default_tier, rows).map_err(|v| corrupt("SLA policy", v))
}

fn calendar_json(calendar: &BusinessCalendar) -> Result<String, StoreError> {
    let draft = calendar.to_draft();
    let hours = |h: WorkingHours| (h.start_minute, h.end_minute);
    let json = CalendarJson {
        time_zone: draft.time_zone,
        working_hours: draft.working_hours.map(|h| h.map(hours)),
        make_up_hours: hours(draft.make_up_hours),
        holidays: draft.holidays,
        make_up_days: draft.make_up_days,
    };
    encode("the business calendar", serde_json::to_string(&json))
}

fn calendar_from(text: &str) -> Result<BusinessCalendar, StoreError> {
    let json: CalendarJson =
        serde_json::from_str(text).map_err(|e| corrupt("business calendar", e))?;
    let hours = |(start_minute, end_minute): (u32, u32)| WorkingHours {
        start_minute,
        end_minute,
    };
    BusinessCalendar::new(CalendarDraft {
        time_zone: json.time_zone,
        working_hours: json.working_hours.map(|h| h.map(hours)),
        make_up_hours: hours(json.make_up_hours),
        holidays: json.holidays,
        make_up_days: json.make_up_days,
    })
    .map_err(|v| corrupt("business calendar", v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_read_back_as_written() {
        let policy = SlaPolicy::default();
        assert_eq!(
            policy_from(&targets_json(&policy).unwrap()).unwrap(),
            policy
        );
        let calendar = BusinessCalendar::new(CalendarDraft {
            holidays: vec!["2026-10-01".parse().unwrap()],
            make_up_days: vec!["2026-09-27".parse().unwrap()],
            ..CalendarDraft::default()
        })
        .unwrap();
        let text = calendar_json(&calendar).unwrap();
        assert_eq!(calendar_from(&text).unwrap(), calendar);
        assert!(policy_from("{}").is_err());
    }
}
