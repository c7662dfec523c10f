//! The survey policy in force: one row holding its figures as JSON, with a version the etag is
//! made from. Until an update is stored the starting values the caller gives are in force (the
//! service's settings; nothing is written to read them), after which the stored one rules; an update is written only over the version the caller read, so of two concurrent
//! updates one wins and the other learns its etag is stale, and nothing of it is written.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};

use super::error::{corrupt, unencodable};
use super::{StoreError, ms, statement, stored_time, time};
use crate::domain::{PolicyValues, SurveyPolicy};

/// The policy with its version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPolicy {
    pub policy: SurveyPolicy,
    /// 0 for the starting values (never stored), bumped by every update.
    pub version: i64,
    /// `None` for the defaults.
    pub updated_by: Option<String>,
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

/// The policy in force: the stored one, or `starting` while none was stored.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    starting: &SurveyPolicy,
) -> Result<StoredPolicy, StoreError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT policy, version, update_ms, updated_by FROM policy WHERE policy_id = $1",
            [ROW.into()],
        ))
        .await?;
    match row {
        Some(row) => stored(&row),
        None => Ok(StoredPolicy {
            policy: starting.clone(),
            version: 0,
            updated_by: None,
            update_time: None,
        }),
    }
}

/// Replaces the policy if `etag` is the current one; otherwise [`StoreError::StaleEtag`] and
/// nothing changes.
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    policy: &SurveyPolicy,
    etag: &str,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<StoredPolicy, StoreError> {
    // Only the version matters here: the etag is made of it.
    let current = get(conn, policy).await?;
    if etag != current.etag() {
        return Err(StoreError::StaleEtag {
            given: etag.to_owned(),
            current: current.etag(),
        });
    }
    let json = serde_json::to_string(&PolicyJson::from(policy.values()))
        .map_err(|e| unencodable("the survey policy", e))?;
    let values = [
        ROW.into(),
        current.version.into(),
        json.into(),
        ms(now).into(),
        updated_by.into(),
    ];
    // The first update inserts the row (two first updates: the key lets one in); later ones
    // move it only from the version read.
    let sql = if current.version == 0 {
        "INSERT INTO policy (policy_id, policy, version, update_ms, updated_by) \
         VALUES ($1, $3, $2 + 1, $4, $5) ON CONFLICT (policy_id) DO NOTHING"
    } else {
        "UPDATE policy SET policy = $3, version = version + 1, update_ms = $4, \
         updated_by = $5 WHERE policy_id = $1 AND version = $2"
    };
    let done = conn.execute_raw(statement(conn, sql, values)).await?;
    if done.rows_affected() != 1 {
        // Another update landed between the read and the write.
        return Err(StoreError::StaleEtag {
            given: etag.to_owned(),
            current: get(conn, policy).await?.etag(),
        });
    }
    Ok(StoredPolicy {
        policy: policy.clone(),
        version: current.version + 1,
        updated_by: Some(updated_by.to_owned()),
        update_time: Some(stored_time(now)),
    })
}

fn stored(row: &QueryResult) -> Result<StoredPolicy, StoreError> {
    let json: String = row.try_get("", "policy")?;
    let json: PolicyJson = serde_json::from_str(&json).map_err(|e| corrupt("survey policy", e))?;
    let policy =
        SurveyPolicy::new(json.into()).map_err(|v| corrupt("survey policy", format!("{v:?}")))?;
    Ok(StoredPolicy {
        policy,
        version: row.try_get("", "version")?,
        updated_by: row.try_get("", "updated_by")?,
        update_time: row.try_get::<Option<i64>>("", "update_ms")?.map(time),
    })
}

/// The figures as stored, named as the contract names them.
#[derive(Serialize, Deserialize)]
struct PolicyJson {
    peak_weight: f64,
    min_days_between: u32,
    tier_fatigue: BTreeMap<String, u32>,
    peak_end_at_most: f64,
    end_at_most: i32,
    nps_at_most: i32,
    baseline_window_days: u32,
    baseline_min_responses: u64,
    default_baseline: f64,
    alert_drop: f64,
    alert_min_responses: u64,
}

impl From<&PolicyValues> for PolicyJson {
    fn from(v: &PolicyValues) -> PolicyJson {
        PolicyJson {
            peak_weight: v.peak_weight,
            min_days_between: v.min_days_between,
            tier_fatigue: v.tier_fatigue.clone(),
            peak_end_at_most: v.peak_end_at_most,
            end_at_most: v.end_at_most,
            nps_at_most: v.nps_at_most,
            baseline_window_days: v.baseline_window_days,
            baseline_min_responses: v.baseline_min_responses,
            default_baseline: v.default_baseline,
            alert_drop: v.alert_drop,
            alert_min_responses: v.alert_min_responses,
        }
    }
}

impl From<PolicyJson> for PolicyValues {
    fn from(j: PolicyJson) -> PolicyValues {
        PolicyValues {
            peak_weight: j.peak_weight,
            min_days_between: j.min_days_between,
            tier_fatigue: j.tier_fatigue,
            peak_end_at_most: j.peak_end_at_most,
            end_at_most: j.end_at_most,
            nps_at_most: j.nps_at_most,
            baseline_window_days: j.baseline_window_days,
            baseline_min_responses: j.baseline_min_responses,
            default_baseline: j.default_baseline,
            alert_drop: j.alert_drop,
            alert_min_responses: j.alert_min_responses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_read_back_as_written() {
        let values = SurveyPolicy::default().values().clone();
        let text = serde_json::to_string(&PolicyJson::from(&values)).unwrap();
        let back: PolicyJson = serde_json::from_str(&text).unwrap();
        assert_eq!(PolicyValues::from(back), values);
    }
}
