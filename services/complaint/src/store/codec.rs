//! Complaint rows to stored complaints and back, and the decoding every table shares. Codes
//! are the domain's stable text codes; a row that does not decode is corrupt data, an internal
//! error, never a half-read complaint.
//!
//! A stored complaint is two rows: the complaint's (`complaints`, read as `c`) and its
//! schedule's (`complaint_schedules`, read as `s`, with the change stamp; see migrations m0005
//! and m0006 for why apart). Every read joins them, so queries name their columns by those
//! aliases.

use sea_orm::{QueryResult, Value};
use serde::{Deserialize, Serialize};

use super::error::corrupt;
use super::{Schedule, StoreError, StoredComplaint, ms, time};
use crate::domain::{
    Category, Channel, Complaint, ComplaintState, Resolution, RootCauseGap, Severity, SlaClock,
};

/// The complaint columns, in the order [`complaint_values`] binds them; the id first.
pub(super) const COMPLAINT_COLUMNS: [&str; COMPLAINT_WIDTH] = [
    "complaint_id",
    "customer_id",
    "channel",
    "category",
    "severity",
    "state",
    "first_contact_owner",
    "handler",
    "tier_at_opening",
    "summary",
    "description",
    "reopen_count",
    "version",
    "opened_ms",
    "resolved_ms",
    "resolution_text",
    "root_cause_gap",
    "cannot_be_solved",
    "resolved_by",
    "related_ids",
    "clock_started_ms",
    "clock_pauses",
    "clock_responded_ms",
    "clock_resolved_ms",
];
pub(super) const COMPLAINT_WIDTH: usize = 24;

/// The schedule columns, in the order [`schedule_values`] binds them; the id first.
pub(super) const SCHEDULE_COLUMNS: [&str; SCHEDULE_WIDTH] = [
    "complaint_id",
    "version",
    "opened_ms",
    "state",
    "overdue_ms",
    "next_check_ms",
    "update_ms",
];
pub(super) const SCHEDULE_WIDTH: usize = 7;

/// What a stored complaint reads from its schedule row, by the alias `s`.
pub(super) const SCHEDULE_READ: &str = "s.overdue_ms, s.next_check_ms, s.update_ms";

/// `SELECT <every complaint column> FROM <complaint and schedule>`.
pub(super) fn select_complaints() -> String {
    select_complaints_with("")
}

/// [`select_complaints`] with `extra` (`, c.column, …`) selected too.
pub(super) fn select_complaints_with(extra: &str) -> String {
    let columns: Vec<String> = COMPLAINT_COLUMNS.iter().map(|c| format!("c.{c}")).collect();
    format!(
        "SELECT {}, {SCHEDULE_READ}{extra} FROM complaints c \
         JOIN complaint_schedules s ON s.complaint_id = c.complaint_id",
        columns.join(", ")
    )
}

/// One pause of the clock as the `clock_pauses` JSON holds it.
#[derive(Debug, Serialize, Deserialize)]
struct StoredPause {
    from: i64,
    until: Option<i64>,
    reason: String,
}

/// The row of `c`.
pub(super) fn complaint_values(
    c: &StoredComplaint,
) -> Result<[Value; COMPLAINT_WIDTH], StoreError> {
    let StoredComplaint {
        complaint: k,
        clock,
        pause_reasons,
        schedule: _,
        update_time: _,
    } = c;
    if pause_reasons.len() != clock.pauses().len() {
        return Err(StoreError::Internal(format!(
            "complaint {} has {} pauses and {} pause reasons",
            k.id,
            clock.pauses().len(),
            pause_reasons.len()
        )));
    }
    let pauses: Vec<StoredPause> = clock
        .pauses()
        .iter()
        .zip(pause_reasons)
        .map(|((from, until), reason)| StoredPause {
            from: ms(*from),
            until: until.map(ms),
            reason: reason.clone(),
        })
        .collect();
    let json = |what: &str, v: Result<String, serde_json::Error>| {
        v.map_err(|e| StoreError::Internal(format!("{what} do not encode: {e}")))
    };
    let pauses = json("pauses", serde_json::to_string(&pauses))?;
    let related = json("related ids", serde_json::to_string(&k.related_ids))?;
    let r = k.resolution.as_ref();
    Ok([
        k.id.clone().into(),
        k.customer_id.clone().into(),
        k.channel.code().into(),
        k.category.code().into(),
        k.severity.code().into(),
        k.state.code().into(),
        k.first_contact_owner.clone().into(),
        k.handler.clone().into(),
        k.tier_at_opening.clone().into(),
        k.summary.clone().into(),
        k.description.clone().into(),
        i64::from(k.reopen_count).into(),
        version(k.version)?.into(),
        ms(k.opened_at).into(),
        r.map(|r| ms(r.resolved_at)).into(),
        r.map(|r| r.text.clone()).into(),
        r.map(|r| r.root_cause_gap.code().to_owned()).into(),
        r.and_then(|r| r.cannot_be_solved.clone()).into(),
        r.map(|r| r.resolved_by.clone()).into(),
        related.into(),
        ms(clock.started_at()).into(),
        pauses.into(),
        clock.responded_at().map(ms).into(),
        clock.resolved_at().map(ms).into(),
    ])
}

/// The schedule row of `c`: at its version, with the opening and state the overdue list reads,
/// and the watch's change stamp (see migration m0006).
pub(super) fn schedule_values(c: &StoredComplaint) -> Result<[Value; SCHEDULE_WIDTH], StoreError> {
    let k = &c.complaint;
    Ok([
        k.id.clone().into(),
        version(k.version)?.into(),
        ms(k.opened_at).into(),
        k.state.code().into(),
        c.schedule.overdue_at.map(ms).into(),
        c.schedule.next_check.map(ms).into(),
        ms(c.update_time).into(),
    ])
}

/// A version as the store keeps it.
pub(super) fn version(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Internal(format!("version {v} out of range")))
}

/// A stored complaint read by name from a row holding [`COMPLAINT_COLUMNS`] and the schedule's
/// instants ([`select_complaints`]). It carries no timeline: that is read by pages.
pub(super) fn complaint(row: &QueryResult) -> Result<StoredComplaint, StoreError> {
    let at = |column: &str| row.try_get::<i64>("", column).map(time);
    let maybe_at = |column: &str| row.try_get::<Option<i64>>("", column).map(|t| t.map(time));
    let pauses: String = row.try_get("", "clock_pauses")?;
    let pauses: Vec<StoredPause> =
        serde_json::from_str(&pauses).map_err(|e| corrupt("clock pauses", e))?;
    let related: String = row.try_get("", "related_ids")?;
    let related_ids: Vec<String> =
        serde_json::from_str(&related).map_err(|e| corrupt("related ids", e))?;
    let clock = SlaClock::from_facts(
        at("clock_started_ms")?,
        pauses
            .iter()
            .map(|p| (time(p.from), p.until.map(time)))
            .collect(),
        maybe_at("clock_responded_ms")?,
        maybe_at("clock_resolved_ms")?,
    )
    .map_err(|e| corrupt("clock facts", e))?;
    let resolution = match maybe_at("resolved_ms")? {
        None => None,
        Some(resolved_at) => Some(Resolution {
            text: row.try_get("", "resolution_text")?,
            root_cause_gap: coded("root_cause_gap", row, RootCauseGap::from_code)?,
            cannot_be_solved: row.try_get("", "cannot_be_solved")?,
            resolved_by: row.try_get("", "resolved_by")?,
            resolved_at,
        }),
    };
    let stored_version: i64 = row.try_get("", "version")?;
    Ok(StoredComplaint {
        complaint: Complaint {
            id: row.try_get("", "complaint_id")?,
            customer_id: row.try_get("", "customer_id")?,
            channel: coded("channel", row, Channel::from_code)?,
            category: coded("category", row, Category::from_code)?,
            severity: coded("severity", row, Severity::from_code)?,
            summary: row.try_get("", "summary")?,
            description: row.try_get("", "description")?,
            first_contact_owner: row.try_get("", "first_contact_owner")?,
            handler: row.try_get("", "handler")?,
            state: coded("state", row, ComplaintState::from_code)?,
            opened_at: at("opened_ms")?,
            tier_at_opening: row.try_get("", "tier_at_opening")?,
            reopen_count: count(row, "reopen_count")?,
            resolution,
            related_ids,
            timeline: Vec::new(),
            version: u64::try_from(stored_version)
                .map_err(|_| corrupt("version", stored_version))?,
        },
        clock,
        pause_reasons: pauses.into_iter().map(|p| p.reason).collect(),
        schedule: Schedule {
            overdue_at: maybe_at("overdue_ms")?,
            next_check: maybe_at("next_check_ms")?,
        },
        update_time: at("update_ms")?,
    })
}

/// A code column decoded by `from_code`.
pub(super) fn coded<T>(
    column: &str,
    row: &QueryResult,
    from_code: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    let text: String = row.try_get("", column)?;
    from_code(&text).ok_or_else(|| corrupt(column, text))
}

/// A non-negative count column.
pub(super) fn count(row: &QueryResult, column: &str) -> Result<u32, StoreError> {
    let n: i64 = row.try_get("", column)?;
    u32::try_from(n).map_err(|_| corrupt(column, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_binds_one_value_per_column() {
        let mut names = COMPLAINT_COLUMNS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMPLAINT_WIDTH, "no column twice");
        assert_eq!(COMPLAINT_COLUMNS[0], "complaint_id");
        assert_eq!(SCHEDULE_COLUMNS[0], "complaint_id");
        // The schedule's instants and the change stamp are read from the schedule alone.
        for instant in ["overdue_ms", "next_check_ms", "update_ms"] {
            assert!(!COMPLAINT_COLUMNS.contains(&instant));
            assert!(SCHEDULE_COLUMNS.contains(&instant));
        }
    }
}
