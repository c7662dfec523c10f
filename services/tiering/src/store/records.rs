//! Tier records: one row per evaluated (or overridden) customer, written in multi-row upserts
//! so a batch of thousands is one statement; read one at a time, by id list or by id range.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, QueryResult, Value};
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::one_of;

use super::codec::{from_json, to_json};
use super::{ms, statement, time};
use crate::domain::{ChurnAssessment, Override, Period, Standing, TierRecord};
use crate::error::Error;

pub(super) const COLUMNS: &str = "customer_id, tier, periods_below, since_ms, score, last_period, \
    base_tier, base_periods_below, base_since_ms, churn_score, churn_reasons, churn_at_risk, \
    retention_flag, policy_version, override_tier, override_reason, override_actor, \
    override_expire_ms, override_create_ms, update_ms";
const WIDTH: usize = 20;

fn values(r: &TierRecord) -> Result<[Value; WIDTH], Error> {
    let manual = r.manual.as_ref();
    Ok([
        r.customer_id.clone().into(),
        r.standing.tier.clone().into(),
        (r.standing.periods_below as i64).into(),
        ms(r.since).into(),
        r.score.into(),
        r.last_period
            .map(|p| p.to_string())
            .unwrap_or_default()
            .into(),
        r.base.tier.clone().into(),
        (r.base.periods_below as i64).into(),
        ms(r.base_since).into(),
        r.churn.score.into(),
        to_json(&r.churn.reasons)?.into(),
        r.churn.at_risk.into(),
        r.retention_flag.into(),
        r.policy_version.into(),
        manual.map(|o| o.tier.clone()).into(),
        manual.map(|o| o.reason.clone()).unwrap_or_default().into(),
        manual.map(|o| o.actor.clone()).unwrap_or_default().into(),
        manual.and_then(|o| o.expire_time).map(ms).into(),
        manual.map(|o| ms(o.create_time)).into(),
        ms(r.updated).into(),
    ])
}

pub(super) fn record(row: &QueryResult) -> Result<TierRecord, Error> {
    let count = |column: &str| row.try_get::<i64>("", column).map(|n| n as i32);
    let update_ms: i64 = row.try_get("", "update_ms")?;
    let override_tier: Option<String> = row.try_get("", "override_tier")?;
    let last_period: String = row.try_get("", "last_period")?;
    let reasons: String = row.try_get("", "churn_reasons")?;
    Ok(TierRecord {
        customer_id: row.try_get("", "customer_id")?,
        standing: Standing {
            tier: row.try_get("", "tier")?,
            periods_below: count("periods_below")?,
        },
        since: time(row.try_get("", "since_ms")?),
        score: row.try_get("", "score")?,
        last_period: Period::parse(&last_period).ok(),
        base: Standing {
            tier: row.try_get("", "base_tier")?,
            periods_below: count("base_periods_below")?,
        },
        base_since: time(row.try_get("", "base_since_ms")?),
        churn: ChurnAssessment {
            score: row.try_get("", "churn_score")?,
            reasons: from_json("churn reasons", &reasons)?,
            at_risk: row.try_get("", "churn_at_risk")?,
        },
        retention_flag: row.try_get("", "retention_flag")?,
        policy_version: row.try_get("", "policy_version")?,
        manual: match override_tier {
            Some(tier) => Some(Override {
                tier,
                reason: row.try_get("", "override_reason")?,
                actor: row.try_get("", "override_actor")?,
                expire_time: row
                    .try_get::<Option<i64>>("", "override_expire_ms")?
                    .map(time),
                create_time: time(
                    row.try_get::<Option<i64>>("", "override_create_ms")?
                        .unwrap_or(update_ms),
                ),
            }),
            None => None,
        },
        updated: time(update_ms),
    })
}

/// A customer's record; None if never evaluated nor overridden.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<TierRecord>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM tier_records WHERE customer_id = $1");
    match conn
        .query_one_raw(statement(conn, &sql, [id.into()]))
        .await?
    {
        Some(row) => Ok(Some(record(&row)?)),
        None => Ok(None),
    }
}

/// The records of those of `ids` that have one, by id.
pub async fn many<C: ConnectionTrait>(
    conn: &C,
    ids: &[&str],
) -> Result<HashMap<String, TierRecord>, Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (clause, values) = one_of(conn, "customer_id", 1, ids);
    let sql = format!("SELECT {COLUMNS} FROM tier_records WHERE {clause}");
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| record(row).map(|r| (r.customer_id.clone(), r)))
        .collect()
}

/// The records of the customers with ids from `first` to `last`, by id.
pub async fn range<C: ConnectionTrait>(
    conn: &C,
    first: &str,
    last: &str,
) -> Result<HashMap<String, TierRecord>, Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM tier_records WHERE customer_id >= $1 AND customer_id <= $2");
    let rows = conn
        .query_all_raw(statement(conn, &sql, [first.into(), last.into()]))
        .await?;
    rows.iter()
        .map(|row| record(row).map(|r| (r.customer_id.clone(), r)))
        .collect()
}

/// Up to `limit` customer ids with a record, after `after`, in id order.
pub async fn ids_after<C: ConnectionTrait>(
    conn: &C,
    after: &str,
    limit: u64,
) -> Result<Vec<String>, Error> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT customer_id FROM tier_records WHERE customer_id > $1 \
             ORDER BY customer_id LIMIT $2",
            [after.into(), (limit as i64).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "customer_id")?))
        .collect()
}

/// The part of a record a write owns. Evaluations and overrides each read a record, change
/// their part and write it back; over an existing row each writes only its own columns, so one
/// that read the record before the other committed cannot undo the other's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The standing, score, churn risk and last period.
    Evaluation,
    /// The manual tier.
    Override,
}

impl Part {
    fn owns(self, column: &str) -> bool {
        let manual = column.starts_with("override_");
        match self {
            Part::Evaluation => !manual,
            Part::Override => manual || column == "update_ms",
        }
    }
}

/// Inserts records, or writes `part` of the ones that exist. An evaluation's new rows start
/// without an override (evaluations never set one), so its rows bind no NULLs and go in as
/// one statement whatever their number.
pub async fn upsert<C: ConnectionTrait>(
    conn: &C,
    records: &[TierRecord],
    part: Part,
) -> Result<(), Error> {
    let columns: Vec<&str> = COLUMNS.split(',').map(str::trim).collect();
    let update: Vec<String> = columns
        .iter()
        .skip(1)
        .filter(|c| part.owns(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let tail = format!(
        "ON CONFLICT (customer_id) DO UPDATE SET {}",
        update.join(", ")
    );
    let insert = match part {
        Part::Override => {
            let mut insert = BulkInsert::new("tier_records", &columns).then(&tail);
            for r in records {
                insert.row(values(r)?);
            }
            insert
        }
        Part::Evaluation => {
            let bound: Vec<&str> = columns
                .iter()
                .copied()
                .filter(|c| !c.starts_with("override_"))
                .collect();
            let mut insert = BulkInsert::new("tier_records", &bound)
                .fixed("override_tier", "NULL")
                .fixed("override_reason", "''")
                .fixed("override_actor", "''")
                .fixed("override_expire_ms", "NULL")
                .fixed("override_create_ms", "NULL")
                .then(&tail);
            for r in records {
                insert.row(
                    columns
                        .iter()
                        .zip(values(r)?)
                        .filter(|(c, _)| !c.starts_with("override_"))
                        .map(|(_, v)| v),
                );
            }
            insert
        }
    };
    insert.execute(conn).await?;
    Ok(())
}

/// Customers at or above `min_risk`, highest risk first, after the `(risk, id)` cursor; only
/// those whose tier in force is `tier` when given.
pub async fn at_risk<C: ConnectionTrait>(
    conn: &C,
    min_risk: f64,
    tier: Option<&str>,
    after: Option<(f64, String)>,
    limit: u64,
    now_ms: i64,
) -> Result<Vec<TierRecord>, Error> {
    let (after_risk, after_id) = after.unwrap_or((f64::INFINITY, String::new()));
    let sql = format!(
        "SELECT {COLUMNS} FROM tier_records WHERE churn_score >= $1 \
         AND (churn_score < $2 OR (churn_score = $2 AND customer_id > $3)) \
         AND ($4 = '' OR (CASE WHEN override_tier IS NOT NULL AND \
              (override_expire_ms IS NULL OR override_expire_ms > $5) \
              THEN override_tier ELSE tier END) = $4) \
         ORDER BY churn_score DESC, customer_id LIMIT $6"
    );
    let rows = conn
        .query_all_raw(statement(
            conn,
            &sql,
            [
                min_risk.into(),
                // Infinity does not bind on every backend: the top of the 0-1 scale will do.
                after_risk.min(2.0).into(),
                after_id.into(),
                tier.unwrap_or("").into(),
                now_ms.into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    rows.iter().map(record).collect()
}
