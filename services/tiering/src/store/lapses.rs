//! Overrides that ran out. Reading a tier already ignores an override past its expiry; closing
//! it is what tells: the override is cleared from the record and the return to the evaluated
//! tier is written to the history with its notice, at the expiry time, in the caller's
//! transaction. The clear is conditional on the record still holding that override, so however
//! many expiry passes and OverrideTier calls race, one of them records the end and the others
//! find nothing to do.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend};

use super::records::{COLUMNS, record};
use super::{history, ms, statement, time};
use crate::domain::{Override, TierRecord};
use crate::error::Error;

/// Closes the lapsed overrides of `due` (records read in this transaction); returns the ids
/// of the customers whose override this call closed, whose cached answers are stale.
pub async fn close<C: ConnectionTrait>(
    txn: &C,
    notice: history::Notice<'_>,
    due: &[TierRecord],
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    let mut closed = Vec::new();
    let mut changes = Vec::new();
    for record in due {
        let Some(manual) = record.lapsed_override(now) else {
            continue;
        };
        let Some(expiry) = manual.expire_time else {
            continue;
        };
        if !clear_override(txn, &record.customer_id, manual, now).await? {
            continue;
        }
        // The evaluated tier when it ran out. Usually the one on the record now; but an
        // evaluation between the expiry and this close may have moved it since, and then the
        // first change it recorded starts from the tier in force right after the expiry.
        let evaluated = match history::tier_just_after(txn, &record.customer_id, expiry).await? {
            Some(tier) => tier,
            None => record.standing.tier.clone(),
        };
        changes.extend(record.lapse(manual, &evaluated));
        closed.push(record.customer_id.clone());
    }
    history::record(txn, &changes, notice).await?;
    Ok(closed)
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
            "SELECT MIN(override_expire_ms) AS next_ms FROM tier_records \
             WHERE override_tier IS NOT NULL AND override_expire_ms > $1",
            [now_ms.into()],
        ))
        .await?;
    let next: Option<i64> = match row {
        Some(row) => row.try_get("", "next_ms")?,
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
