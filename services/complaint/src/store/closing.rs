//! The complaints the automatic close looks for: RESOLVED ones whose resolution is old enough
//! that the customer, having said nothing, is taken to be content. Only the id and version are
//! read: each is then closed as a move of its own, over that version, so a move made meanwhile
//! (a reopen, a confirmation) wins.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{StoreError, ms, statement};
use crate::domain::ComplaintState;

/// A resolved complaint as the close pass needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedComplaint {
    pub complaint_id: String,
    /// The version it was read at: the close is written only over it.
    pub version: u64,
}

/// RESOLVED complaints resolved at `resolved_by` or earlier, by id after `after` (empty: from
/// the start), at most `limit`. Paging by id lets a pass see each once even when some are left
/// RESOLVED (one that lost its close to a note added meanwhile).
pub async fn resolved_by<C: ConnectionTrait>(
    conn: &C,
    resolved_by: DateTime<Utc>,
    after: &str,
    limit: u64,
) -> Result<Vec<ResolvedComplaint>, StoreError> {
    let sql = format!(
        "SELECT complaint_id, version FROM complaints \
         WHERE state = $1 AND resolved_ms <= $2 AND complaint_id > $3 \
         ORDER BY complaint_id LIMIT {limit}"
    );
    let values = [
        ComplaintState::Resolved.code().into(),
        ms(resolved_by).into(),
        after.into(),
    ];
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            let version: i64 = row.try_get("", "version")?;
            Ok(ResolvedComplaint {
                complaint_id: row.try_get("", "complaint_id")?,
                version: u64::try_from(version)
                    .map_err(|_| super::error::corrupt("version", version))?,
            })
        })
        .collect()
}
