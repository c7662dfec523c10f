//! Touchpoint rules: one row per touchpoint, seeded with the defaults and changed by operators
//! with an etag. An update is written only over the version the caller read, so of two
//! concurrent updates one wins and the other learns its etag is stale.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use vipcare_storage::bulk::BulkInsert;

use super::codec::{channel_list, channels_from, coded};
use super::error::corrupt;
use super::{StoreError, ms, statement, time};
use crate::domain::{Priority, RuleChange, Touchpoint, TouchpointRule};

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub rule: TouchpointRule,
    /// 1 for the seeded default, bumped by every update.
    pub version: i64,
    /// `None` while the seeded default stands.
    pub update_time: Option<DateTime<Utc>>,
    /// The client that changed it last; empty for the seeded default.
    pub updated_by: String,
}

impl StoredRule {
    /// What a caller sends back to update it.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

const COLUMNS: &str = "touchpoint, priority, urgent, mandatory, mergeable, supersedes, \
    default_deadline_ms, default_channels, version, updated_by, update_ms";

fn stored(row: &QueryResult) -> Result<StoredRule, StoreError> {
    let priority: i64 = row.try_get("", "priority")?;
    let deadline: i64 = row.try_get("", "default_deadline_ms")?;
    let channels: String = row.try_get("", "default_channels")?;
    Ok(StoredRule {
        rule: TouchpointRule {
            touchpoint: coded("touchpoint", row, Touchpoint::from_code)?,
            priority: i32::try_from(priority)
                .ok()
                .and_then(|p| Priority::new(p).ok())
                .ok_or_else(|| corrupt("rule priority", priority))?,
            urgent: row.try_get("", "urgent")?,
            mandatory: row.try_get("", "mandatory")?,
            mergeable: row.try_get("", "mergeable")?,
            supersedes: row.try_get("", "supersedes")?,
            default_deadline: TimeDelta::milliseconds(deadline),
            default_channels: channels_from(&channels)?,
        },
        version: row.try_get("", "version")?,
        update_time: row.try_get::<Option<i64>>("", "update_ms")?.map(time),
        updated_by: row.try_get("", "updated_by")?,
    })
}

/// The rule of `touchpoint`; NOT_FOUND only before seeding.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    touchpoint: Touchpoint,
) -> Result<StoredRule, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM touchpoint_rules WHERE touchpoint = $1");
    let row = conn
        .query_one_raw(statement(conn, &sql, [touchpoint.code().into()]))
        .await?;
    match row {
        Some(row) => stored(&row),
        None => Err(StoreError::not_found("touchpoint rule", touchpoint.code())),
    }
}

/// Every rule, in touchpoint order.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<StoredRule>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM touchpoint_rules");
    let rows = conn.query_all_raw(statement(conn, &sql, [])).await?;
    let mut rules = rows.iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    rules.sort_by_key(|r| r.rule.touchpoint);
    Ok(rules)
}

/// Applies `change` to the rule if `etag` is current. A change leaving an invalid rule is
/// refused with every field named (relative to the rule).
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    touchpoint: Touchpoint,
    etag: &str,
    change: RuleChange,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<StoredRule, StoreError> {
    let current = get(conn, touchpoint).await?;
    if current.etag() != etag {
        return Err(StoreError::StaleEtag {
            given: etag.to_owned(),
            current: current.etag(),
        });
    }
    let rule = current.rule.apply(change).map_err(StoreError::Invalid)?;
    let values: Vec<Value> = vec![
        i64::from(rule.priority.get()).into(),
        rule.urgent.into(),
        rule.mandatory.into(),
        rule.mergeable.into(),
        rule.supersedes.into(),
        rule.default_deadline.num_milliseconds().into(),
        channel_list(&rule.default_channels).into(),
        updated_by.into(),
        ms(now).into(),
        touchpoint.code().into(),
        current.version.into(),
    ];
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE touchpoint_rules SET priority = $1, urgent = $2, mandatory = $3, \
             mergeable = $4, supersedes = $5, default_deadline_ms = $6, default_channels = $7, \
             updated_by = $8, update_ms = $9, version = version + 1 \
             WHERE touchpoint = $10 AND version = $11",
            values,
        ))
        .await?;
    if done.rows_affected() != 1 {
        // Another update landed between the read and the write.
        let now_current = get(conn, touchpoint).await?;
        return Err(StoreError::StaleEtag {
            given: etag.to_owned(),
            current: now_current.etag(),
        });
    }
    Ok(StoredRule {
        rule,
        version: current.version + 1,
        update_time: Some(time(ms(now))),
        updated_by: updated_by.to_owned(),
    })
}

/// Inserts the rules of touchpoints that have none; an existing rule is left as it is.
pub(super) async fn insert_missing<C: ConnectionTrait>(
    conn: &C,
    rules: &[TouchpointRule],
) -> Result<u64, StoreError> {
    let mut insert = BulkInsert::new(
        "touchpoint_rules",
        &[
            "touchpoint",
            "priority",
            "urgent",
            "mandatory",
            "mergeable",
            "supersedes",
            "default_deadline_ms",
            "default_channels",
        ],
    )
    .fixed("version", "1")
    .fixed("updated_by", "''")
    .fixed("update_ms", "NULL")
    .then("ON CONFLICT DO NOTHING");
    for rule in rules {
        insert.row([
            rule.touchpoint.code().into(),
            i64::from(rule.priority.get()).into(),
            rule.urgent.into(),
            rule.mandatory.into(),
            rule.mergeable.into(),
            rule.supersedes.into(),
            rule.default_deadline.num_milliseconds().into(),
            channel_list(&rule.default_channels).into(),
        ]);
    }
    Ok(insert.execute(conn).await?)
}
