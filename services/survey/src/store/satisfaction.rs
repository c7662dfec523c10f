//! Each customer's latest satisfaction, what the customer view and the tiering run read: the
//! peak-end of the latest response that has one, the NPS of the latest that answered it, and
//! the latest response itself. Upserted with every response, each part only by a newer one:
//! a response stored late (an older submission, an import) never replaces a newer figure.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::one_of;

use super::error::corrupt;
use super::{StoreError, StoredResponse, ms, statement, time};

/// Most customers asked for at once (BatchGetSatisfaction).
pub const MAX_BATCH: usize = 1_000;

/// A customer's latest satisfaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Satisfaction {
    pub customer_id: String,
    /// Of the latest response with an end moment, and when it was given.
    pub peak_end: Option<(f64, DateTime<Utc>)>,
    /// Of the latest response with an NPS answer, and when it was given.
    pub nps: Option<(u8, DateTime<Utc>)>,
    /// The latest response.
    pub scenario_code: String,
    pub response_id: String,
    pub submit_time: DateTime<Utc>,
}

/// Each part moves only to a strictly newer figure; the latest response goes by (time, id).
const UPSERT: &str = "ON CONFLICT (customer_id) DO UPDATE SET \
     peak_end = CASE WHEN excluded.peak_end_ms > COALESCE(satisfaction.peak_end_ms, -1) \
       THEN excluded.peak_end ELSE satisfaction.peak_end END, \
     peak_end_ms = CASE WHEN excluded.peak_end_ms > COALESCE(satisfaction.peak_end_ms, -1) \
       THEN excluded.peak_end_ms ELSE satisfaction.peak_end_ms END, \
     nps = CASE WHEN excluded.nps_ms > COALESCE(satisfaction.nps_ms, -1) \
       THEN excluded.nps ELSE satisfaction.nps END, \
     nps_ms = CASE WHEN excluded.nps_ms > COALESCE(satisfaction.nps_ms, -1) \
       THEN excluded.nps_ms ELSE satisfaction.nps_ms END, \
     scenario_code = CASE WHEN (excluded.submit_ms, excluded.response_id) > \
       (satisfaction.submit_ms, satisfaction.response_id) \
       THEN excluded.scenario_code ELSE satisfaction.scenario_code END, \
     response_id = CASE WHEN (excluded.submit_ms, excluded.response_id) > \
       (satisfaction.submit_ms, satisfaction.response_id) \
       THEN excluded.response_id ELSE satisfaction.response_id END, \
     submit_ms = CASE WHEN excluded.submit_ms > satisfaction.submit_ms \
       THEN excluded.submit_ms ELSE satisfaction.submit_ms END";

/// Counts each of `newest` in its customer's latest satisfaction, in one statement: at most
/// one response per customer (a statement may not update one row twice).
pub(super) async fn record_many<C: ConnectionTrait>(
    conn: &C,
    newest: &[&StoredResponse],
) -> Result<(), StoreError> {
    let mut upsert =
        BulkInsert::new("satisfaction", &COLUMNS.split(", ").collect::<Vec<_>>()).then(UPSERT);
    for r in newest {
        let at = ms(r.submit_time);
        let peak_end = r.score.peak_end.as_ref().ok().map(|pe| pe.value);
        let nps = r.nps.map(i64::from);
        upsert.row([
            r.customer_id.clone().into(),
            peak_end.into(),
            peak_end.map(|_| at).into(),
            nps.into(),
            nps.map(|_| at).into(),
            r.scenario_code.clone().into(),
            r.response_id.clone().into(),
            at.into(),
        ]);
    }
    upsert.execute(conn).await?;
    Ok(())
}

const COLUMNS: &str =
    "customer_id, peak_end, peak_end_ms, nps, nps_ms, scenario_code, response_id, submit_ms";

/// The customer's latest satisfaction, or NOT_FOUND when they never answered.
pub async fn get<C: ConnectionTrait>(conn: &C, customer: &str) -> Result<Satisfaction, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM satisfaction WHERE customer_id = $1");
    let row = conn
        .query_one_raw(statement(conn, &sql, [customer.into()]))
        .await?;
    row.as_ref()
        .map(stored)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("satisfaction of customer", customer))
}

/// The latest satisfaction of each of `customers` who ever answered, in one statement; at
/// most [`MAX_BATCH`].
pub async fn get_many<C: ConnectionTrait>(
    conn: &C,
    customers: &[&str],
) -> Result<Vec<Satisfaction>, StoreError> {
    if customers.len() > MAX_BATCH {
        let reason = format!("at most {MAX_BATCH} customers");
        return Err(StoreError::invalid("customer_ids", reason));
    }
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let (which, values) = one_of(conn, "customer_id", 1, customers);
    let sql = format!("SELECT {COLUMNS} FROM satisfaction WHERE {which} ORDER BY customer_id");
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter().map(stored).collect()
}

fn stored(row: &QueryResult) -> Result<Satisfaction, StoreError> {
    let peak_end: Option<f64> = row.try_get("", "peak_end")?;
    let peak_end_ms: Option<i64> = row.try_get("", "peak_end_ms")?;
    let nps: Option<i64> = row.try_get("", "nps")?;
    let nps_ms: Option<i64> = row.try_get("", "nps_ms")?;
    let nps = nps
        .map(|n| u8::try_from(n).map_err(|e| corrupt("nps", e)))
        .transpose()?;
    Ok(Satisfaction {
        customer_id: row.try_get("", "customer_id")?,
        peak_end: peak_end.zip(peak_end_ms.map(time)),
        nps: nps.zip(nps_ms.map(time)),
        scenario_code: row.try_get("", "scenario_code")?,
        response_id: row.try_get("", "response_id")?,
        submit_time: time(row.try_get("", "submit_ms")?),
    })
}
