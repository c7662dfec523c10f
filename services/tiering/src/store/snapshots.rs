//! What each run decided from, per customer: the value summary, the standing it started from,
//! the override in force and the time. Deciding is deterministic, so the explanation of any
//! stored decision is computed again from this and the run's policy version; a run of 200,000
//! customers stores a few hundred bytes each instead of every explanation in words. Kept per
//! batch as the JSON of its list of bases keyed by its first and last customer, replaced if the
//! batch is written again after a resume.

use sea_orm::ConnectionTrait;

use super::codec::{from_json, to_json};
use super::statement;
use crate::domain::Basis;
use crate::error::Error;

/// Stores one batch's bases, in customer id order.
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    run_id: &str,
    bases: &[Basis],
) -> Result<(), Error> {
    let (Some(first), Some(last)) = (bases.first(), bases.last()) else {
        return Ok(());
    };
    let blob = to_json(bases)?;
    txn.execute_raw(statement(
        txn,
        "INSERT INTO run_snapshots (run_id, first_customer_id, last_customer_id, snapshots) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, first_customer_id) \
         DO UPDATE SET last_customer_id = excluded.last_customer_id, snapshots = excluded.snapshots",
        [
            run_id.into(),
            first.summary.customer_id.clone().into(),
            last.summary.customer_id.clone().into(),
            blob.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Up to `limit` stored bases after customer id `after`, in id order; only `customer_id`'s
/// when given.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    run_id: &str,
    customer_id: Option<&str>,
    after: &str,
    limit: usize,
) -> Result<Vec<Basis>, Error> {
    let (from, to) = match customer_id {
        Some(id) => (id.max(after), id),
        None => (after, "\u{10FFFF}"),
    };
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT snapshots FROM run_snapshots WHERE run_id = $1 AND last_customer_id > $2 \
             AND first_customer_id <= $3 AND last_customer_id >= $4 ORDER BY first_customer_id",
            [run_id.into(), after.into(), to.into(), from.into()],
        ))
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let batch: Vec<Basis> =
            from_json("run snapshots", &row.try_get::<String>("", "snapshots")?)?;
        out.extend(batch.into_iter().filter(|b| {
            let id = b.summary.customer_id.as_str();
            id > after && customer_id.is_none_or(|c| c == id) && id >= from
        }));
        if out.len() >= limit {
            break;
        }
    }
    out.truncate(limit);
    Ok(out)
}
