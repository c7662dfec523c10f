//! The benefit catalogue, quota use per customer, benefit and cycle, and redemptions. A
//! redemption takes its unit with one conditional update (`used < quota`), so concurrent
//! redemptions can never take more units than the quota, and it is stored under its request key
//! in the same transaction, so a repeat returns the first answer instead of a second unit.

use chrono::{DateTime, Utc};
use prost::Message;
use sea_orm::ConnectionTrait;
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::idempotency::{Fresh, Outcome};

use super::{corrupt, ms, statement};
use crate::convert::{benefit_from_pb, benefit_to_pb};
use crate::domain::{Benefit, Quota};
use crate::error::Error;

fn decode(bytes: &[u8]) -> Result<Benefit, Error> {
    let message = pb::Benefit::decode(bytes).map_err(|e| corrupt("benefit", e))?;
    benefit_from_pb(&message).ok_or_else(|| corrupt("benefit", "no cycle"))
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
    rows.iter()
        .map(|row| decode(&row.try_get_by_index::<Vec<u8>>(0)?))
        .collect()
}

pub async fn get<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<Benefit>, Error> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT benefit FROM benefits WHERE code = $1",
            [code.into()],
        ))
        .await?;
    match row {
        Some(row) => Ok(Some(decode(&row.try_get_by_index::<Vec<u8>>(0)?)?)),
        None => Ok(None),
    }
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
            benefit_to_pb(benefit).encode_to_vec().into(),
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
            benefit_to_pb(benefit).encode_to_vec().into(),
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
            let (code, cycle, used): (String, String, i64) = row.try_get_many_by_index()?;
            Ok((code, cycle, used as i32))
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
        Some(row) => row.try_get_by_index::<i64>(0)? as i32,
        None => 0,
    })
}

/// The answer a redemption stored for its request key.
pub fn stored_answer(bytes: &[u8]) -> Result<pb::RedeemBenefitResponse, Error> {
    pb::RedeemBenefitResponse::decode(bytes).map_err(|e| corrupt("redemption answer", e))
}

/// Why a redemption took no unit.
#[derive(Debug)]
pub enum NotRedeemed {
    /// Every unit of the cycle is taken; `used` is the count.
    Exhausted {
        used: i32,
    },
    Failed(Error),
}

impl<E: Into<Error>> From<E> for NotRedeemed {
    fn from(err: E) -> Self {
        NotRedeemed::Failed(err.into())
    }
}

/// Takes one unit and stores the redemption, once per request key (the calling client's own:
/// partners number their visits independently). Returns the answer (the first one when a
/// concurrent call with the same key got there first).
pub async fn redeem(
    fresh: Fresh<'_>,
    redemption: &pb::Redemption,
    quota: Quota,
) -> Result<pb::RedeemBenefitResponse, NotRedeemed> {
    let outcome = fresh
        .run::<_, NotRedeemed, _>(async |txn| {
            let key = [
                redemption.customer_id.clone().into(),
                redemption.benefit_code.clone().into(),
                redemption.cycle_key.clone().into(),
            ];
            txn.execute_raw(statement(
                txn,
                "INSERT INTO benefit_usage (customer_id, benefit_code, cycle_key, used) \
                 VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (customer_id, benefit_code, cycle_key) DO NOTHING",
                key.clone(),
            ))
            .await
            .map_err(Error::from)?;
            let limit = match quota {
                Quota::Limited(n) => i64::from(n),
                Quota::Unlimited => i64::MAX,
            };
            let [a, b, c] = key;
            let taken = txn
                .execute_raw(statement(
                    txn,
                    "UPDATE benefit_usage SET used = used + 1 WHERE customer_id = $1 \
                     AND benefit_code = $2 AND cycle_key = $3 AND used < $4",
                    [a, b, c, limit.into()],
                ))
                .await
                .map_err(Error::from)?;
            let used = used(
                txn,
                &redemption.customer_id,
                &redemption.benefit_code,
                &redemption.cycle_key,
            )
            .await?;
            if taken.rows_affected() == 0 {
                return Err(NotRedeemed::Exhausted { used });
            }
            let answer = pb::RedeemBenefitResponse {
                redemption: Some(redemption.clone()),
                remaining: match quota {
                    Quota::Limited(n) => (n - used).max(0),
                    Quota::Unlimited => 0,
                },
                unlimited: quota == Quota::Unlimited,
            };
            txn.execute_raw(statement(
                txn,
                "INSERT INTO redemptions (redemption_id, customer_id, redemption, benefit_code) \
                 VALUES ($1, $2, $3, $4)",
                [
                    redemption.redemption_id.clone().into(),
                    redemption.customer_id.clone().into(),
                    redemption.encode_to_vec().into(),
                    redemption.benefit_code.clone().into(),
                ],
            ))
            .await
            .map_err(Error::from)?;
            crate::stale::record_customer(txn, &redemption.customer_id).await?;
            let bytes = answer.encode_to_vec();
            Ok((answer, bytes))
        })
        .await?;
    match outcome {
        Outcome::Done(answer) => Ok(answer),
        Outcome::Replayed(bytes) => Ok(stored_answer(&bytes)?),
    }
}

/// A customer's redemptions newest first, after the `before` id; only `code`'s when given.
pub async fn redemptions<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    code: Option<&str>,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<pb::Redemption>, Error> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT redemption FROM redemptions WHERE customer_id = $1 AND redemption_id < $2 \
             AND ($3 = '' OR benefit_code = $3) ORDER BY redemption_id DESC LIMIT $4",
            [
                customer_id.into(),
                before.unwrap_or("\u{10FFFF}").into(),
                code.unwrap_or("").into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let bytes: Vec<u8> = row.try_get_by_index(0)?;
            pb::Redemption::decode(bytes.as_slice()).map_err(|e| corrupt("redemption", e))
        })
        .collect()
}
