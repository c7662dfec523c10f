//! Scenario versions. Every change is stored as the next version beside the earlier ones,
//! which stay: responses keep the version they were scored under. A version is written only
//! over the one the caller read (`expected_version`, 0 for a new scenario), and the key
//! (code, version) lets exactly one of two concurrent writers of the same next version in;
//! the other is told the version moved on.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::{Deserialize, Serialize};
use vipcare_storage::page;

use super::error::{corrupt, unencodable};
use super::{StoreError, ms, statement, stored_time, time};
use crate::domain::{Attribute, Moment, Scenario, ScenarioDraft, Stage, seed};

/// Who stores the seeded scenarios.
pub const SEEDED_BY: &str = "seed";

/// A published scenario with when and by whom.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScenario {
    pub scenario: Scenario,
    pub update_time: DateTime<Utc>,
    pub updated_by: String,
}

/// One page of scenarios and the token of the next (empty on the last).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioPage {
    pub scenarios: Vec<StoredScenario>,
    pub next_page_token: String,
}

const COLUMNS: &str = "scenario_code, version, name, moments, update_ms, updated_by";

/// The latest version of `code`.
pub async fn latest<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<StoredScenario, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM scenarios WHERE scenario_code = $1 ORDER BY version DESC LIMIT 1"
    );
    let row = conn
        .query_one_raw(statement(conn, &sql, [code.into()]))
        .await?;
    row.as_ref()
        .map(stored)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("scenario", code))
}

/// Version `version` of `code`.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    version: u32,
) -> Result<StoredScenario, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM scenarios WHERE scenario_code = $1 AND version = $2");
    let values = [code.into(), i64::from(version).into()];
    let row = conn.query_one_raw(statement(conn, &sql, values)).await?;
    row.as_ref()
        .map(stored)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("scenario version", format!("{code} v{version}")))
}

/// Every scenario at its latest version, by code, `size` after the one `token` points to.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    size: u64,
) -> Result<ScenarioPage, StoreError> {
    let after = if token.is_empty() {
        String::new()
    } else {
        page::decode(token)
            .ok_or_else(|| StoreError::invalid("page_token", "not a token this service issued"))?
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM scenarios s WHERE scenario_code > $1 AND version = \
         (SELECT MAX(version) FROM scenarios t WHERE t.scenario_code = s.scenario_code) \
         ORDER BY scenario_code LIMIT {}",
        size.saturating_add(1)
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [after.into()]))
        .await?;
    let mut scenarios = rows.iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    let next_page_token = page::next_token(&mut scenarios, size, |s| s.scenario.code().to_owned());
    Ok(ScenarioPage {
        scenarios,
        next_page_token,
    })
}

/// Publishes `draft` as the version after `expected_version`, if that is still the latest (0:
/// the scenario must not exist yet); otherwise [`StoreError::VersionMismatch`] and nothing is
/// written.
pub async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    draft: ScenarioDraft,
    expected_version: u32,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<StoredScenario, StoreError> {
    let next = expected_version
        .checked_add(1)
        .ok_or_else(|| StoreError::Internal("scenario version overflows".into()))?;
    let scenario = draft.publish(next);
    let current = latest_version(conn, scenario.code()).await?;
    if current != expected_version {
        return Err(StoreError::VersionMismatch {
            expected: expected_version,
            current,
        });
    }
    if !write(conn, &scenario, updated_by, now).await? {
        // A concurrent writer took the version between the read and the write.
        return Err(StoreError::VersionMismatch {
            expected: expected_version,
            current: latest_version(conn, scenario.code()).await?,
        });
    }
    Ok(StoredScenario {
        scenario,
        update_time: stored_time(now),
        updated_by: updated_by.to_owned(),
    })
}

/// Stores version 1 of every seeded scenario that has none (start-up; replicas racing each
/// write what is missing and skip what another wrote). Returns how many it wrote.
pub async fn ensure_seeded<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut written = 0;
    for scenario in seed::scenarios() {
        written += u64::from(write(conn, &scenario, SEEDED_BY, now).await?);
    }
    Ok(written)
}

/// 0 when the scenario has no version.
async fn latest_version<C: ConnectionTrait>(conn: &C, code: &str) -> Result<u32, StoreError> {
    let sql = "SELECT MAX(version) AS version FROM scenarios WHERE scenario_code = $1";
    let row = conn
        .query_one_raw(statement(conn, sql, [code.into()]))
        .await?;
    let version = match row {
        Some(row) => row.try_get::<Option<i64>>("", "version")?.unwrap_or(0),
        None => 0,
    };
    u32::try_from(version).map_err(|e| corrupt("scenario version", e))
}

/// Whether the version was written: `false` when it exists already.
async fn write<C: ConnectionTrait>(
    conn: &C,
    scenario: &Scenario,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let moments: Vec<MomentJson> = scenario.moments().iter().map(MomentJson::from).collect();
    let moments = serde_json::to_string(&moments).map_err(|e| unencodable("moments", e))?;
    let done = conn
        .execute_raw(statement(
            conn,
            "INSERT INTO scenarios (scenario_code, version, name, moments, update_ms, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scenario_code, version) DO NOTHING",
            [
                scenario.code().into(),
                i64::from(scenario.version()).into(),
                scenario.name().into(),
                moments.into(),
                ms(now).into(),
                updated_by.into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

fn stored(row: &QueryResult) -> Result<StoredScenario, StoreError> {
    let code: String = row.try_get("", "scenario_code")?;
    let version: i64 = row.try_get("", "version")?;
    let version = u32::try_from(version).map_err(|e| corrupt("scenario version", e))?;
    let name: String = row.try_get("", "name")?;
    let moments: String = row.try_get("", "moments")?;
    let moments: Vec<MomentJson> =
        serde_json::from_str(&moments).map_err(|e| corrupt("scenario moments", e))?;
    let moments = moments
        .into_iter()
        .map(Moment::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    // Checked again on the way out: a scenario in hand always keeps the rules.
    let draft = ScenarioDraft::new(&code, &name, moments)
        .map_err(|v| corrupt(&format!("scenario {code}"), format!("{v:?}")))?;
    Ok(StoredScenario {
        scenario: draft.publish(version),
        update_time: time(row.try_get("", "update_ms")?),
        updated_by: row.try_get("", "updated_by")?,
    })
}

#[derive(Serialize, Deserialize)]
struct MomentJson {
    code: String,
    name: String,
    stage: String,
    importance: f64,
    peak: bool,
    end: bool,
    /// (code, name) pairs.
    attributes: Vec<(String, String)>,
}

impl From<&Moment> for MomentJson {
    fn from(m: &Moment) -> MomentJson {
        MomentJson {
            code: m.code.clone(),
            name: m.name.clone(),
            stage: m.stage.code().to_owned(),
            importance: m.importance,
            peak: m.peak,
            end: m.end,
            attributes: m
                .attributes
                .iter()
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect(),
        }
    }
}

impl TryFrom<MomentJson> for Moment {
    type Error = StoreError;

    fn try_from(m: MomentJson) -> Result<Moment, StoreError> {
        Ok(Moment {
            stage: Stage::from_code(&m.stage).ok_or_else(|| corrupt("moment stage", &m.stage))?,
            code: m.code,
            name: m.name,
            importance: m.importance,
            peak: m.peak,
            end: m.end,
            attributes: m
                .attributes
                .into_iter()
                .map(|(code, name)| Attribute { code, name })
                .collect(),
        })
    }
}
