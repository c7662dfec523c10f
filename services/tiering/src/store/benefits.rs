//! The benefit catalogue (each benefit kept as its JSON) and quota use per customer, benefit
//! and cycle; the units are taken by `redemptions`.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};

use super::codec::{from_json, to_json};
use super::{ms, statement};
use crate::domain::Benefit;
use crate::error::Error;

fn benefit(row: &QueryResult) -> Result<Benefit, Error> {
    from_json("benefit", &row.try_get::<String>("", "benefit")?)
}

/// The whole catalogue, by code.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<Benefit>, Error> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT benefit FROM benefits ORDER BY code",
            [],
        ))
        .await?;
    rows.iter().map(benefit).collect()
}

pub async fn get<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<Benefit>, Error> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT benefit FROM benefits WHERE code = $1",
            [code.into()],
        ))
        .await?;
    row.as_ref().map(benefit).transpose()
}

/// Adds or replaces a benefit; true when it was new.
pub async fn upsert<C: ConnectionTrait>(
    conn: &C,
    benefit: &Benefit,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let existed = get(conn, &benefit.code).await?.is_some();
    conn.execute_raw(statement(
        conn,
        "INSERT INTO benefits (code, benefit, update_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET benefit = excluded.benefit, update_ms = excluded.update_ms",
        [
            benefit.code.clone().into(),
            to_json(benefit)?.into(),
            ms(now).into(),
        ],
    ))
    .await?;
    Ok(!existed)
}

pub async fn insert_if_absent<C: ConnectionTrait>(
    conn: &C,
    benefit: &Benefit,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    conn.execute_raw(statement(
        conn,
        "INSERT INTO benefits (code, benefit, update_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO NOTHING",
        [
            benefit.code.clone().into(),
            to_json(benefit)?.into(),
            ms(now).into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Units a customer used of each benefit in the given cycles: `(code, cycle_key) → used`.
pub async fn usage<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
) -> Result<Vec<(String, String, i32)>, Error> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT benefit_code, cycle_key, used FROM benefit_usage WHERE customer_id = $1",
            [customer_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let used: i64 = row.try_get("", "used")?;
            Ok((
                row.try_get("", "benefit_code")?,
                row.try_get("", "cycle_key")?,
                used as i32,
            ))
        })
        .collect()
}

/// Units used of one benefit in one cycle.
pub async fn used<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    code: &str,
    cycle_key: &str,
) -> Result<i32, Error> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT used FROM benefit_usage WHERE customer_id = $1 AND benefit_code = $2 \
             AND cycle_key = $3",
            [customer_id.into(), code.into(), cycle_key.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", "used")? as i32,
        None => 0,
    })
}
