//! Redemptions: one unit of a benefit's quota taken per redemption, with one conditional
//! update (`used < quota`), so concurrent redemptions can never take more units than the quota,
//! and stored under its request key in the same transaction, so a repeat returns the first
//! answer instead of taking a second unit. Each redemption is a row of its own columns.

use sea_orm::{ConnectionTrait, QueryResult};
use vipcare_storage::idempotency::{Fresh, Outcome};

use super::codec::{from_json, to_json};
use super::{corrupt, ms, statement, time};
use crate::domain::{Quota, Redeemed, Redemption};
use crate::error::Error;

/// The answer a redemption stored for its request key.
pub fn stored_answer(bytes: &[u8]) -> Result<Redeemed, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| corrupt("redemption answer", e))?;
    from_json("redemption answer", text)
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
    redemption: &Redemption,
    quota: Quota,
) -> Result<Redeemed, NotRedeemed> {
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
            let used = super::benefits::used(
                txn,
                &redemption.customer_id,
                &redemption.benefit_code,
                &redemption.cycle_key,
            )
            .await?;
            if taken.rows_affected() == 0 {
                return Err(NotRedeemed::Exhausted { used });
            }
            let answer = Redeemed {
                // As the row keeps it (to the millisecond), so the first answer, its repeats
                // and the listed redemption all show the same time.
                redemption: Redemption {
                    redeem_time: time(ms(redemption.redeem_time)),
                    ..redemption.clone()
                },
                remaining: match quota {
                    Quota::Limited(n) => (n - used).max(0),
                    Quota::Unlimited => 0,
                },
                unlimited: quota == Quota::Unlimited,
            };
            insert(txn, redemption).await?;
            crate::stale::record_customer(txn, &redemption.customer_id).await?;
            let bytes = to_json(&answer)?.into_bytes();
            Ok((answer, bytes))
        })
        .await?;
    match outcome {
        Outcome::Done(answer) => Ok(answer),
        Outcome::Replayed(bytes) => Ok(stored_answer(&bytes)?),
    }
}

/// A customer's redemptions newest first, after the `before` id; only `code`'s when given.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    code: Option<&str>,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<Redemption>, Error> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT redemption_id, customer_id, benefit_code, partner_id, cycle_key, tier, \
             client, channel, request_id, redeem_ms FROM redemptions WHERE customer_id = $1 \
             AND redemption_id < $2 AND ($3 = '' OR benefit_code = $3) \
             ORDER BY redemption_id DESC LIMIT $4",
            [
                customer_id.into(),
                before.unwrap_or("\u{10FFFF}").into(),
                code.unwrap_or("").into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    rows.iter().map(redemption).collect()
}

fn redemption(row: &QueryResult) -> Result<Redemption, Error> {
    let get = |column: &str| row.try_get::<String>("", column);
    Ok(Redemption {
        redemption_id: get("redemption_id")?,
        customer_id: get("customer_id")?,
        benefit_code: get("benefit_code")?,
        partner_id: get("partner_id")?,
        cycle_key: get("cycle_key")?,
        tier: get("tier")?,
        client: get("client")?,
        channel: get("channel")?,
        request_id: get("request_id")?,
        redeem_time: time(row.try_get("", "redeem_ms")?),
    })
}

async fn insert<C: ConnectionTrait>(txn: &C, r: &Redemption) -> Result<(), Error> {
    txn.execute_raw(statement(
        txn,
        "INSERT INTO redemptions (redemption_id, customer_id, benefit_code, partner_id, \
         cycle_key, tier, client, channel, request_id, redeem_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            r.redemption_id.clone().into(),
            r.customer_id.clone().into(),
            r.benefit_code.clone().into(),
            r.partner_id.clone().into(),
            r.cycle_key.clone().into(),
            r.tier.clone().into(),
            r.client.clone().into(),
            r.channel.clone().into(),
            r.request_id.clone().into(),
            ms(r.redeem_time).into(),
        ],
    ))
    .await?;
    Ok(())
}
