//! Tier records: one row per evaluated (or overridden) customer, written in multi-row upserts
//! so a batch of thousands is one statement; read one at a time or by id range.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use prost::Message;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Value};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::bulk::BulkInsert;

use super::{corrupt, ms, statement, time};
use crate::convert::{reasons_from_pb, reasons_to_pb};
use crate::domain::{ChurnAssessment, Override, Period, Standing, TierRecord};
use crate::error::Error;

const COLUMNS: &str = "customer_id, tier, periods_below, since_ms, score, last_period, base_tier, \
    base_periods_below, base_since_ms, churn_score, churn_reasons, retention_flag, \
    policy_version, override_tier, override_reason, override_actor, override_expire_ms, \
    override_create_ms, update_ms";
const WIDTH: usize = 19;

fn values(r: &TierRecord) -> [Value; WIDTH] {
    let manual = r.manual.as_ref();
    [
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
        pb::ChurnRisk {
            score: r.churn.score,
            reasons: reasons_to_pb(&r.churn.reasons),
            at_risk: r.churn.at_risk,
        }
        .encode_to_vec()
        .into(),
        r.retention_flag.into(),
        r.policy_version.into(),
        manual.map(|o| o.tier.clone()).into(),
        manual.map(|o| o.reason.clone()).unwrap_or_default().into(),
        manual.map(|o| o.actor.clone()).unwrap_or_default().into(),
        manual.and_then(|o| o.expire_time).map(ms).into(),
        manual.map(|o| ms(o.create_time)).into(),
        ms(r.updated).into(),
    ]
}

fn record(row: &QueryResult) -> Result<TierRecord, Error> {
    let (customer_id, tier, periods_below, since_ms, score, last_period, base_tier): (
        String,
        String,
        i64,
        i64,
        f64,
        String,
        String,
    ) = row.try_get_many_by_index()?;
    let base_periods_below: i64 = row.try_get_by_index(7)?;
    let base_since_ms: i64 = row.try_get_by_index(8)?;
    let reasons: Vec<u8> = row.try_get_by_index(10)?;
    let retention_flag: bool = row.try_get_by_index(11)?;
    let policy_version: i64 = row.try_get_by_index(12)?;
    let override_tier: Option<String> = row.try_get_by_index(13)?;
    let override_reason: String = row.try_get_by_index(14)?;
    let override_actor: String = row.try_get_by_index(15)?;
    let override_expire_ms: Option<i64> = row.try_get_by_index(16)?;
    let override_create_ms: Option<i64> = row.try_get_by_index(17)?;
    let update_ms: i64 = row.try_get_by_index(18)?;
    let churn = pb::ChurnRisk::decode(reasons.as_slice()).map_err(|e| corrupt("churn", e))?;
    Ok(TierRecord {
        customer_id,
        standing: Standing {
            tier,
            periods_below: periods_below as i32,
        },
        since: time(since_ms),
        score,
        last_period: Period::parse(&last_period).ok(),
        base: Standing {
            tier: base_tier,
            periods_below: base_periods_below as i32,
        },
        base_since: time(base_since_ms),
        churn: ChurnAssessment {
            score: churn.score,
            reasons: reasons_from_pb(&churn.reasons),
            at_risk: churn.at_risk,
        },
        retention_flag,
        policy_version,
        manual: override_tier.map(|tier| Override {
            tier,
            reason: override_reason,
            actor: override_actor,
            expire_time: override_expire_ms.map(time),
            create_time: time(override_create_ms.unwrap_or(update_ms)),
        }),
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
        .map(|row| Ok(row.try_get_by_index::<String>(0)?))
        .collect()
}

/// Up to `limit` records still holding an override that ran out by `now_ms`, the earliest
/// expiry first. On PostgreSQL the rows stay locked for the caller's transaction and rows
/// another transaction holds are skipped, so two replicas' passes never take the same record.
pub async fn lapsed<C: ConnectionTrait>(
    conn: &C,
    now_ms: i64,
    limit: u64,
) -> Result<Vec<TierRecord>, Error> {
    let lock = match conn.get_database_backend() {
        DbBackend::Postgres => "FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM tier_records WHERE override_tier IS NOT NULL \
         AND override_expire_ms <= $1 ORDER BY override_expire_ms, customer_id LIMIT $2 {lock}"
    );
    let rows = conn
        .query_all_raw(statement(
            conn,
            &sql,
            [now_ms.into(), (limit as i64).into()],
        ))
        .await?;
    rows.iter().map(record).collect()
}

/// When the next override in force runs out, if any does.
pub async fn next_expiry<C: ConnectionTrait>(
    conn: &C,
    now_ms: i64,
) -> Result<Option<DateTime<Utc>>, Error> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT MIN(override_expire_ms) FROM tier_records \
             WHERE override_tier IS NOT NULL AND override_expire_ms > $1",
            [now_ms.into()],
        ))
        .await?;
    let next: Option<i64> = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    Ok(next.map(time))
}

/// Clears `manual` from the customer's record, only if the record still holds it (the same
/// tier and expiry); false when it no longer does: another pass closed it, or a newer
/// override replaced it. The condition is what lets racing writers close it exactly once.
pub async fn clear_override<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    manual: &Override,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let Some(expiry) = manual.expire_time else {
        return Ok(false);
    };
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE tier_records SET override_tier = NULL, override_reason = '', \
             override_actor = '', override_expire_ms = NULL, override_create_ms = NULL, \
             update_ms = $1 WHERE customer_id = $2 AND override_tier = $3 \
             AND override_expire_ms = $4",
            [
                ms(now).into(),
                customer_id.into(),
                manual.tier.clone().into(),
                ms(expiry).into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
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
                insert.row(values(r));
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
                        .zip(values(r))
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
