//! What WatchComplaints reads. Changes are found the way every replica can find them: by the
//! update time each change leaves on its complaint's schedule row (a move, a promise, a
//! follow-up, an escalation, compensation), read in (update time, id) order. Each row comes
//! with its [`Marks`] — counts that only grow, one set per kind of change — so a watcher that
//! saw a complaint before tells what changed since by comparing them, even when two changes
//! land in the same millisecond.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};

use super::codec::{complaint, select_complaints, select_complaints_with};
use super::{StoreError, StoredComplaint, ms, statement};
use crate::domain::{Channel, Complaint, Severity};

/// Which complaints a watcher wants; `None` (or no staff) matches any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchFilter {
    pub channel: Option<Channel>,
    /// Owned or handled by one of these.
    pub staff_ids: BTreeSet<String>,
    /// At least this serious.
    pub min_severity: Option<Severity>,
}

impl WatchFilter {
    pub fn matches(&self, c: &Complaint) -> bool {
        self.channel.is_none_or(|ch| ch == c.channel)
            && self.min_severity.is_none_or(|s| c.severity >= s)
            && (self.staff_ids.is_empty()
                || self.staff_ids.contains(&c.first_contact_owner)
                || self.staff_ids.contains(&c.handler))
    }
}

/// The kinds of change besides moves (which the version counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Promise,
    FollowUp,
    Escalation,
    Compensation,
}

/// How much has happened to a complaint, by kind: every change raises one of these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    /// Moves: one entry each.
    pub version: u64,
    pub promises_made: u64,
    pub promises_fulfilled: u64,
    pub promises_escalated: u64,
    pub follow_ups: u64,
    pub escalations: u64,
    pub compensations: u64,
    pub compensations_decided: u64,
}

impl Marks {
    /// The kinds besides moves that changed since `before`, in kind order.
    pub fn parts_changed_since(&self, before: &Marks) -> Vec<Part> {
        let promise = (
            self.promises_made,
            self.promises_fulfilled,
            self.promises_escalated,
        ) != (
            before.promises_made,
            before.promises_fulfilled,
            before.promises_escalated,
        );
        let compensation = (self.compensations, self.compensations_decided)
            != (before.compensations, before.compensations_decided);
        [
            (promise, Part::Promise),
            (self.follow_ups != before.follow_ups, Part::FollowUp),
            (self.escalations != before.escalations, Part::Escalation),
            (compensation, Part::Compensation),
        ]
        .into_iter()
        .filter_map(|(changed, part)| changed.then_some(part))
        .collect()
    }
}

#[path = "watch_stamps.rs"]
mod stamps;

pub use stamps::{entries_after, entries_since, parts_changed_at_or_after};

/// A complaint as a watcher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub stored: StoredComplaint,
    pub marks: Marks,
}

/// (update ms, id) or (opened ms, id) of the last row of a page.
pub type Cursor = (i64, String);

/// Each mark, counted on its own table for the complaint of the outer row.
const MARKS: [(&str, &str, &str); 7] = [
    ("promises_made", "COUNT(*)", "complaint_promises"),
    (
        "promises_fulfilled",
        "COUNT(fulfilled_ms)",
        "complaint_promises",
    ),
    (
        "promises_escalated",
        "COUNT(escalated_ms)",
        "complaint_promises",
    ),
    ("follow_ups", "COUNT(*)", "complaint_follow_ups"),
    ("escalations", "COUNT(*)", "complaint_escalations"),
    ("compensations", "COUNT(*)", "compensations"),
    (
        "compensations_decided",
        "COUNT(decided_ms)",
        "compensations",
    ),
];

/// Complaints last changed at `since` or later, in (update time, id) order after `after`, at
/// most `limit`, with their marks.
pub async fn changed_since<C: ConnectionTrait>(
    conn: &C,
    since: DateTime<Utc>,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Vec<Watched>, StoreError> {
    let marks: Vec<String> = MARKS
        .iter()
        .map(|(name, count, table)| {
            format!(
                "(SELECT {count} FROM {table} m WHERE m.complaint_id = c.complaint_id) \
                 AS {name}"
            )
        })
        .collect();
    let mut values: Vec<Value> = vec![ms(since).into()];
    let mut sql = format!(
        "{} WHERE s.update_ms >= $1",
        select_complaints_with(&format!(", {}", marks.join(", ")))
    );
    // By the schedule's columns: its index on the stamp (see migration m0006) gives the order.
    if let Some((at, id)) = after {
        values.extend([(*at).into(), id.clone().into()]);
        sql.push_str(" AND (s.update_ms > $2 OR (s.update_ms = $2 AND s.complaint_id > $3))");
    }
    sql.push_str(&format!(
        " ORDER BY s.update_ms, s.complaint_id LIMIT {limit}"
    ));
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            Ok(Watched {
                stored: complaint(row)?,
                marks: marks_of(row)?,
            })
        })
        .collect()
}

fn marks_of(row: &QueryResult) -> Result<Marks, StoreError> {
    let n = |column: &str| {
        row.try_get::<i64>("", column)
            .map(|n| u64::try_from(n).unwrap_or_default())
    };
    let version: i64 = row.try_get("", "version")?;
    Ok(Marks {
        version: u64::try_from(version).unwrap_or_default(),
        promises_made: n("promises_made")?,
        promises_fulfilled: n("promises_fulfilled")?,
        promises_escalated: n("promises_escalated")?,
        follow_ups: n("follow_ups")?,
        escalations: n("escalations")?,
        compensations: n("compensations")?,
        compensations_decided: n("compensations_decided")?,
    })
}

/// Complaints not yet resolved that `filter` matches, most recently opened first, after
/// `after`, at most `limit`; with the cursor of the next page, `None` on the last.
pub async fn owed<C: ConnectionTrait>(
    conn: &C,
    filter: &WatchFilter,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<(Vec<StoredComplaint>, Option<Cursor>), StoreError> {
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    // The clock is resolved exactly while the complaint is RESOLVED or CLOSED.
    let mut clauses = vec!["c.clock_resolved_ms IS NULL".to_owned()];
    if let Some(channel) = filter.channel {
        clauses.push(format!("c.channel = {}", bind(channel.code().into())));
    }
    if let Some(min) = filter.min_severity {
        let codes: Vec<String> = Severity::ALL
            .iter()
            .filter(|s| **s >= min)
            .map(|s| bind(s.code().into()))
            .collect();
        clauses.push(format!("c.severity IN ({})", codes.join(", ")));
    }
    if !filter.staff_ids.is_empty() {
        let ids: Vec<String> = filter
            .staff_ids
            .iter()
            .map(|id| bind(id.clone().into()))
            .collect();
        let ids = ids.join(", ");
        clauses.push(format!(
            "(c.first_contact_owner IN ({ids}) OR c.handler IN ({ids}))"
        ));
    }
    if let Some((opened, id)) = after {
        let (opened, id) = (bind((*opened).into()), bind(id.clone().into()));
        clauses.push(format!(
            "(c.opened_ms < {opened} OR (c.opened_ms = {opened} AND c.complaint_id < {id}))"
        ));
    }
    let sql = format!(
        "{} WHERE {} ORDER BY c.opened_ms DESC, c.complaint_id DESC LIMIT {limit}",
        select_complaints(),
        clauses.join(" AND ")
    );
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let found = rows.iter().map(complaint).collect::<Result<Vec<_>, _>>()?;
    let next = match found.last() {
        Some(last) if found.len() as u64 == limit => {
            Some((ms(last.complaint.opened_at), last.complaint.id.clone()))
        }
        _ => None,
    };
    Ok((found, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_tell_which_kinds_changed() {
        let before = Marks {
            version: 3,
            promises_made: 1,
            compensations: 2,
            ..Marks::default()
        };
        assert!(before.parts_changed_since(&before).is_empty());
        let fulfilled_and_decided = Marks {
            promises_fulfilled: 1,
            compensations_decided: 1,
            ..before
        };
        assert_eq!(
            fulfilled_and_decided.parts_changed_since(&before),
            [Part::Promise, Part::Compensation]
        );
        let moved_and_escalated = Marks {
            version: 4,
            escalations: 1,
            follow_ups: 1,
            ..before
        };
        assert_eq!(
            moved_and_escalated.parts_changed_since(&before),
            [Part::FollowUp, Part::Escalation],
            "moves are told by the version, not here"
        );
    }
}
