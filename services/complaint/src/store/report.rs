//! What the SLA report reads: the complaints opened in a period, a page at a time in opening
//! order, each with what it is judged by besides its row — the timeline entries its earlier
//! handlings are read back from (reopened complaints only), its promises and its compensation
//! entries not rejected. Four reads per page whatever its size; nothing is written.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use super::codec::{coded, complaint, select_complaints};
use super::{StoreError, StoredComplaint, ms, statement, time};
use crate::domain::{
    Compensation, CompensationKind, CompensationState, EntryKind, Promise, TimelineEntry,
};

/// One complaint of the report's period with what it is judged by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    pub stored: StoredComplaint,
    /// The clock entries of its timeline, oldest first; empty unless it was reopened.
    pub earlier: Vec<TimelineEntry>,
    pub promises: Vec<Promise>,
    /// Proposed or approved.
    pub compensations: Vec<Compensation>,
}

/// Where a page ended: (opened ms, id) of its last complaint.
pub type Cursor = (i64, String);

/// The entries a handling's clock is read back from.
const CLOCK_KINDS: [EntryKind; 7] = [
    EntryKind::Opened,
    EntryKind::Acknowledged,
    EntryKind::WorkStarted,
    EntryKind::WaitingCustomer,
    EntryKind::WorkResumed,
    EntryKind::Resolved,
    EntryKind::Reopened,
];

/// At most `limit` complaints opened at `from` or later and before `before`, after `after`,
/// in opening order; with the cursor of the next page, `None` on the last.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    before: DateTime<Utc>,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<(Vec<ReportFacts>, Option<Cursor>), StoreError> {
    let mut values: Vec<Value> = vec![ms(from).into(), ms(before).into()];
    let mut sql = format!(
        "{} WHERE c.opened_ms >= $1 AND c.opened_ms < $2",
        select_complaints()
    );
    if let Some((opened, id)) = after {
        values.extend([(*opened).into(), id.clone().into()]);
        sql.push_str(" AND (c.opened_ms > $3 OR (c.opened_ms = $3 AND c.complaint_id > $4))");
    }
    sql.push_str(&format!(
        " ORDER BY c.opened_ms, c.complaint_id LIMIT {limit}"
    ));
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let complaints = rows.iter().map(complaint).collect::<Result<Vec<_>, _>>()?;
    let next = match complaints.last() {
        Some(last) if complaints.len() as u64 == limit => {
            Some((ms(last.complaint.opened_at), last.complaint.id.clone()))
        }
        _ => None,
    };
    let ids: Vec<String> = complaints.iter().map(|c| c.complaint.id.clone()).collect();
    let reopened: Vec<String> = complaints
        .iter()
        .filter(|c| c.complaint.reopen_count > 0)
        .map(|c| c.complaint.id.clone())
        .collect();
    let mut entries = clock_entries(conn, &reopened).await?;
    let mut promises = promises_of(conn, &ids).await?;
    let mut compensations = compensations_of(conn, &ids).await?;
    let facts = complaints
        .into_iter()
        .map(|stored| {
            let id = &stored.complaint.id;
            ReportFacts {
                earlier: entries.remove(id).unwrap_or_default(),
                promises: promises.remove(id).unwrap_or_default(),
                compensations: compensations.remove(id).unwrap_or_default(),
                stored,
            }
        })
        .collect();
    Ok((facts, next))
}

/// `$first, $first+1, ...` for `n` values.
fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn id_values(ids: &[String]) -> Vec<Value> {
    ids.iter().map(|id| id.clone().into()).collect()
}

/// Rows of `sql` (whose `{ids}` is the list of `ids`) grouped by complaint, in row order.
async fn by_complaint<C: ConnectionTrait, T>(
    conn: &C,
    ids: &[String],
    sql: &str,
    decode: fn(&QueryResult) -> Result<T, StoreError>,
) -> Result<HashMap<String, Vec<T>>, StoreError> {
    let mut found: HashMap<String, Vec<T>> = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let sql = sql.replace("{ids}", &marks(1, ids.len()));
    let rows = conn
        .query_all_raw(statement(conn, &sql, id_values(ids)))
        .await?;
    for row in &rows {
        let id: String = row.try_get("", "complaint_id")?;
        found.entry(id).or_default().push(decode(row)?);
    }
    Ok(found)
}

async fn clock_entries<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<TimelineEntry>>, StoreError> {
    let kinds: Vec<String> = CLOCK_KINDS
        .iter()
        .map(|k| format!("'{}'", k.code()))
        .collect();
    let sql = format!(
        "SELECT complaint_id, at_ms, actor, kind, text FROM complaint_timeline \
         WHERE complaint_id IN ({{ids}}) AND kind IN ({}) ORDER BY complaint_id, seq",
        kinds.join(", ")
    );
    by_complaint(conn, ids, &sql, |row| {
        Ok(TimelineEntry {
            at: time(row.try_get("", "at_ms")?),
            actor: row.try_get("", "actor")?,
            kind: coded("kind", row, EntryKind::from_code)?,
            text: row.try_get("", "text")?,
        })
    })
    .await
}

async fn promises_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<Promise>>, StoreError> {
    let sql = "SELECT complaint_id, promise_id, text, due_ms, made_by, made_ms, fulfilled_ms \
               FROM complaint_promises WHERE complaint_id IN ({ids})";
    by_complaint(conn, ids, sql, |row| {
        Ok(Promise {
            id: row.try_get("", "promise_id")?,
            text: row.try_get("", "text")?,
            due_at: time(row.try_get("", "due_ms")?),
            made_by: row.try_get("", "made_by")?,
            made_at: time(row.try_get("", "made_ms")?),
            fulfilled_at: row.try_get::<Option<i64>>("", "fulfilled_ms")?.map(time),
        })
    })
    .await
}

async fn compensations_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<Compensation>>, StoreError> {
    let sql = "SELECT complaint_id, compensation_id, kind, amount_fen, reason, proposed_by, \
               proposed_ms, state, decided_by, decided_ms FROM compensations \
               WHERE complaint_id IN ({ids}) AND state <> 'REJECTED'";
    by_complaint(conn, ids, sql, |row| {
        Ok(Compensation {
            id: row.try_get("", "compensation_id")?,
            kind: coded("kind", row, CompensationKind::from_code)?,
            amount_fen: row.try_get("", "amount_fen")?,
            reason: row.try_get("", "reason")?,
            proposed_by: row.try_get("", "proposed_by")?,
            proposed_at: time(row.try_get("", "proposed_ms")?),
            state: coded("state", row, CompensationState::from_code)?,
            decided_by: row.try_get("", "decided_by")?,
            decided_at: row.try_get::<Option<i64>>("", "decided_ms")?.map(time),
        })
    })
    .await
}
