//! What one complaint stamped: its timeline entries after a version or since an instant, and
//! the kinds of change (besides moves) it recorded since an instant — what a watcher sends for
//! a complaint that changed.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};

use super::super::codec::coded;
use super::super::timeline::NumberedEntry;
use super::super::{StoreError, ms, statement, time};
use super::Part;
use crate::domain::{EntryKind, TimelineEntry};

/// The complaint's timeline entries after `version`, oldest first.
pub async fn entries_after<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    version: u64,
) -> Result<Vec<NumberedEntry>, StoreError> {
    let after = i64::try_from(version).unwrap_or(i64::MAX);
    entries(conn, "seq > $2", [complaint_id.into(), after.into()]).await
}

/// The complaint's timeline entries made at `since` or later, oldest first.
pub async fn entries_since<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<NumberedEntry>, StoreError> {
    entries(conn, "at_ms >= $2", [complaint_id.into(), ms(since).into()]).await
}

async fn entries<C: ConnectionTrait>(
    conn: &C,
    condition: &str,
    values: [Value; 2],
) -> Result<Vec<NumberedEntry>, StoreError> {
    let sql = format!(
        "SELECT seq, at_ms, actor, kind, text FROM complaint_timeline \
         WHERE complaint_id = $1 AND {condition} ORDER BY seq"
    );
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            let seq: i64 = row.try_get("", "seq")?;
            Ok(NumberedEntry {
                version: u64::try_from(seq).unwrap_or_default(),
                entry: TimelineEntry {
                    at: time(row.try_get("", "at_ms")?),
                    actor: row.try_get("", "actor")?,
                    kind: coded("kind", row, EntryKind::from_code)?,
                    text: row.try_get("", "text")?,
                },
            })
        })
        .collect()
}

/// The kinds besides moves with a change at `since` or later: what changed on a complaint a
/// watcher has no marks of (it last changed before the watcher's window).
pub async fn parts_changed_at_or_after<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Part>, StoreError> {
    let checks = [
        (
            Part::Promise,
            "complaint_promises",
            "made_ms >= $2 OR fulfilled_ms >= $2 OR escalated_ms >= $2",
        ),
        (Part::FollowUp, "complaint_follow_ups", "scheduled_ms >= $2"),
        (
            Part::Escalation,
            "complaint_escalations",
            "escalated_ms >= $2",
        ),
        (
            Part::Compensation,
            "compensations",
            "proposed_ms >= $2 OR decided_ms >= $2",
        ),
    ];
    let mut found = Vec::new();
    for (part, table, condition) in checks {
        let sql = format!(
            "SELECT 1 AS hit FROM {table} WHERE complaint_id = $1 AND ({condition}) LIMIT 1"
        );
        let row = conn
            .query_one_raw(statement(
                conn,
                &sql,
                [complaint_id.into(), ms(since).into()],
            ))
            .await?;
        if row.is_some() {
            found.push(part);
        }
    }
    Ok(found)
}
