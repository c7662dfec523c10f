//! What a policy change reschedules: the complaints whose clock is not yet resolved, a page at
//! a time by id, each with the escalation levels already fired on its current clock, so the
//! recomputed next check never fires a level twice. Two reads per page, never one per
//! complaint.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;

use super::codec::coded;
use super::{StoreError, StoredComplaint, complaints, statement};
use crate::domain::Level;

/// A complaint not yet resolved and the levels fired on its clock, lowest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClock {
    pub stored: StoredComplaint,
    pub fired: Vec<Level>,
}

/// At most `limit` complaints not yet resolved with ids after `after` (empty: from the
/// start), by id.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    after: &str,
    limit: u64,
) -> Result<Vec<OpenClock>, StoreError> {
    let open = complaints::unresolved(conn, after, limit).await?;
    let Some(last) = open.last() else {
        return Ok(Vec::new());
    };
    // The page's id range, joined to the clock each complaint is on now: levels of clocks
    // before a reopen are left behind, as the domain wants.
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT e.complaint_id, e.level FROM complaint_escalations e \
             JOIN complaints c ON c.complaint_id = e.complaint_id \
             AND c.clock_started_ms = e.clock_started_ms \
             WHERE c.clock_resolved_ms IS NULL AND e.complaint_id > $1 AND e.complaint_id <= $2",
            [after.into(), last.complaint.id.clone().into()],
        ))
        .await?;
    let mut fired: HashMap<String, Vec<Level>> = HashMap::new();
    for row in &rows {
        let id: String = row.try_get("", "complaint_id")?;
        fired
            .entry(id)
            .or_default()
            .push(coded("level", row, Level::from_code)?);
    }
    Ok(open
        .into_iter()
        .map(|stored| {
            let mut fired = fired.remove(&stored.complaint.id).unwrap_or_default();
            fired.sort();
            OpenClock { stored, fired }
        })
        .collect())
}
