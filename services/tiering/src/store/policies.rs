//! Tier policies: every version kept, the highest one in force. A new version is written only
//! on top of the version the caller read, so two concurrent updates cannot both win.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use vipcare_storage::StorageError;

use super::codec::{from_json, to_json};
use super::{ms, statement, time};
use crate::domain::TierPolicy;
use crate::error::Error;

/// A policy version as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPolicy {
    pub policy: TierPolicy,
    pub version: i64,
    pub update_time: DateTime<Utc>,
    pub updated_by: String,
}

impl StoredPolicy {
    /// What clients pass back to update it.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

const COLUMNS: &str = "SELECT version, policy, updated_by, update_ms FROM tier_policies";

/// The policy in force (version 1 is seeded at start, so there always is one).
pub async fn current<C: ConnectionTrait>(conn: &C) -> Result<StoredPolicy, Error> {
    let sql = format!("{COLUMNS} ORDER BY version DESC LIMIT 1");
    read(conn, &sql, Vec::new())
        .await?
        .ok_or_else(|| Error::Internal("no tier policy stored".into()))
}

/// One version, if it exists.
pub async fn version<C: ConnectionTrait>(
    conn: &C,
    version: i64,
) -> Result<Option<StoredPolicy>, Error> {
    let sql = format!("{COLUMNS} WHERE version = $1");
    read(conn, &sql, vec![version.into()]).await
}

async fn read<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Option<StoredPolicy>, Error> {
    let Some(row) = conn.query_one_raw(statement(conn, sql, values)).await? else {
        return Ok(None);
    };
    let policy: String = row.try_get("", "policy")?;
    Ok(Some(StoredPolicy {
        policy: from_json("policy", &policy)?,
        version: row.try_get("", "version")?,
        update_time: time(row.try_get("", "update_ms")?),
        updated_by: row.try_get("", "updated_by")?,
    }))
}

/// Stores `policy` as the version after `read_version`. If someone stored that version first,
/// the caller's etag is stale.
pub async fn store_after<C: ConnectionTrait>(
    conn: &C,
    read_version: i64,
    policy: &TierPolicy,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<StoredPolicy, Error> {
    let version = read_version + 1;
    let written = conn
        .execute_raw(statement(
            conn,
            "INSERT INTO tier_policies (version, policy, updated_by, update_ms) \
             VALUES ($1, $2, $3, $4)",
            [
                version.into(),
                to_json(policy)?.into(),
                updated_by.into(),
                ms(now).into(),
            ],
        ))
        .await
        .map_err(StorageError::from);
    match written {
        Ok(_) => Ok(StoredPolicy {
            policy: policy.clone(),
            version,
            update_time: time(ms(now)),
            updated_by: updated_by.to_owned(),
        }),
        Err(StorageError::UniqueViolation(_)) => {
            let now_current = current(conn).await?;
            Err(Error::StaleEtag {
                given: format!("\"v{read_version}\""),
                current: now_current.etag(),
            })
        }
        Err(err) => Err(err.into()),
    }
}
