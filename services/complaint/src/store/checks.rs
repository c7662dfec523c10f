//! The escalation pass's reads and writes for a page of complaints at once: the levels fired
//! on their clocks, their schedules written over the versions read, and the levels the clock
//! fired recorded — one statement each per page (a few on SQLite, in chunks), not one per
//! complaint, so a pass over 100,000 due complaints costs hundreds of round trips rather than
//! a million. The rules are those of [`super::escalations`] and [`super::complaints::reschedule`]:
//! a level fires once per clock (the insert does nothing on a conflict and returns only what it
//! inserted) and a schedule read from a stale version is not written. Schedules are written to
//! their narrow rows alone, with the change stamp of those escalating (the complaint rows'
//! fourteen indexes are what made this pass slow).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use vipcare_storage::rows::{Kind, Rows};

use super::codec::{coded, version};
use super::{Schedule, StoreError, ms};
use crate::domain::Level;

/// How an absent instant travels in a bulk row (the arrays carry no NULLs): never a real time.
const ABSENT: i64 = i64::MIN;

/// The levels fired on each complaint's given clock (complaint id, clock start), lowest first;
/// complaints with none are left out.
pub async fn fired_on_clocks<C: ConnectionTrait>(
    conn: &C,
    clocks: &[(&str, DateTime<Utc>)],
) -> Result<HashMap<String, Vec<Level>>, StoreError> {
    let mut rows = Rows::new(&[("id", Kind::Text), ("clock", Kind::Int)]);
    for (id, started) in clocks {
        rows.row([(*id).into(), ms(*started).into()]);
    }
    let mut fired: HashMap<String, Vec<Level>> = HashMap::new();
    if rows.is_empty() {
        return Ok(fired);
    }
    let text = |source: &str| {
        format!(
            "SELECT e.complaint_id, e.level FROM complaint_escalations e \
             JOIN {source} AS v ON e.complaint_id = v.id AND e.clock_started_ms = v.clock"
        )
    };
    for statement in rows.statements(conn.get_database_backend(), &[], text) {
        for row in conn.query_all_raw(statement).await? {
            let id: String = row.try_get("", "complaint_id")?;
            fired
                .entry(id)
                .or_default()
                .push(coded("level", &row, Level::from_code)?);
        }
    }
    for levels in fired.values_mut() {
        levels.sort();
    }
    Ok(fired)
}

/// One complaint's schedule as the pass writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rescheduled<'a> {
    pub complaint_id: &'a str,
    /// The version it was read at: written only if still there.
    pub version: u64,
    pub schedule: Schedule,
    /// The pass escalates it: its change stamp moves on too, in the same write.
    pub escalates: bool,
}

/// Writes each complaint's schedule if it is still at the version given, moving the change
/// stamp of those that escalate to `at` (never back); the ids written.
///
/// The stamp moves here, not where the levels are recorded, so the pass writes each schedule
/// row once. Should another replica's pass have recorded the level first, the stamp moved with
/// nothing new behind it, which a watcher, comparing marks, passes over.
pub async fn reschedule_many<C: ConnectionTrait>(
    conn: &C,
    schedules: &[Rescheduled<'_>],
    at: DateTime<Utc>,
) -> Result<HashSet<String>, StoreError> {
    let mut rows = Rows::new(&[
        ("id", Kind::Text),
        ("version", Kind::Int),
        ("overdue", Kind::Int),
        ("next_check", Kind::Int),
        ("stamp", Kind::Int),
    ]);
    for r in schedules {
        let instant = |t: Option<DateTime<Utc>>| Value::from(t.map_or(ABSENT, ms));
        rows.row([
            r.complaint_id.into(),
            version(r.version)?.into(),
            instant(r.schedule.overdue_at),
            instant(r.schedule.next_check),
            instant(r.escalates.then_some(at)),
        ]);
    }
    let mut written = HashSet::new();
    if rows.is_empty() {
        return Ok(written);
    }
    // ABSENT is below every stamp, so a complaint not escalating keeps its own.
    let text = |source: &str| {
        format!(
            "UPDATE complaint_schedules SET overdue_ms = NULLIF(v.overdue, $1), \
             next_check_ms = NULLIF(v.next_check, $1), \
             update_ms = CASE WHEN complaint_schedules.update_ms < v.stamp THEN v.stamp \
             ELSE complaint_schedules.update_ms END FROM {source} AS v \
             WHERE complaint_schedules.complaint_id = v.id \
             AND complaint_schedules.version = v.version RETURNING complaint_id"
        )
    };
    let backend = conn.get_database_backend();
    for statement in rows.statements(backend, &[ABSENT.into()], text) {
        for row in conn.query_all_raw(statement).await? {
            written.insert(row.try_get::<String>("", "complaint_id")?);
        }
    }
    Ok(written)
}

/// One level the clock fires on a complaint's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockLevel {
    pub complaint_id: String,
    pub clock_started_at: DateTime<Utc>,
    pub level: Level,
    /// Why, as the escalation records it.
    pub reason: String,
}

/// Records each level fired by the clock at `at` unless it already fired on that clock; returns
/// those this call recorded (complaint id, level): only for them is anyone told. The
/// complaints' change stamps moved with their schedules ([`reschedule_many`]).
pub async fn record_by_clock<C: ConnectionTrait>(
    conn: &C,
    levels: &[ClockLevel],
    at: DateTime<Utc>,
) -> Result<Vec<(String, Level)>, StoreError> {
    let mut rows = Rows::new(&[
        ("id", Kind::Text),
        ("clock", Kind::Int),
        ("level", Kind::Text),
        ("reason", Kind::Text),
    ]);
    for l in levels {
        rows.row([
            l.complaint_id.clone().into(),
            ms(l.clock_started_at).into(),
            l.level.code().into(),
            l.reason.clone().into(),
        ]);
    }
    let mut recorded = Vec::new();
    if rows.is_empty() {
        return Ok(recorded);
    }
    // `WHERE true`: SQLite reads an ON CONFLICT after a bare SELECT as part of a join.
    let text = |source: &str| {
        format!(
            "INSERT INTO complaint_escalations \
             (complaint_id, clock_started_ms, level, manual, escalated_by, reason, escalated_ms) \
             SELECT v.id, v.clock, v.level, false, NULL, v.reason, $1 FROM {source} AS v \
             WHERE true ON CONFLICT (complaint_id, clock_started_ms, level) DO NOTHING \
             RETURNING complaint_id, level"
        )
    };
    let backend = conn.get_database_backend();
    for statement in rows.statements(backend, &[ms(at).into()], text) {
        for row in conn.query_all_raw(statement).await? {
            let id: String = row.try_get("", "complaint_id")?;
            recorded.push((id, coded("level", &row, Level::from_code)?));
        }
    }
    Ok(recorded)
}
