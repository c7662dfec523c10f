//! Escalations: the levels fired on each SLA clock of a complaint, by hand or by the pass that
//! checks complaints as their `next_check` instant comes. Passes may run on every replica at
//! once and may run twice: a level is recorded with an insert that does nothing when the level
//! already fired on that clock, and only the call that inserted it acts on it.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};

use super::codec::{coded, complaint, select_complaints};
use super::{StoreError, StoredComplaint, complaints, ms, settle, statement, time};
use crate::domain::Level;

/// One escalation fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub level: Level,
    /// The start of the clock it fired on.
    pub clock_started_at: DateTime<Utc>,
    /// By hand (EscalateComplaint) rather than by the clock.
    pub manual: bool,
    /// Who escalated it by hand; `None` for the clock's.
    pub escalated_by: Option<String>,
    pub reason: String,
    pub escalated_at: DateTime<Utc>,
}

/// Complaints whose next check has come by `now`, soonest first (then by id), at most `limit`.
/// Only those rows are read, found by the schedules' due index: the others have no check, or a
/// later one.
pub async fn due_for_check<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<StoredComplaint>, StoreError> {
    let sql = format!(
        "{} WHERE s.next_check_ms IS NOT NULL AND s.next_check_ms <= $1 \
         ORDER BY s.next_check_ms, s.complaint_id LIMIT {limit}",
        select_complaints()
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [ms(now).into()]))
        .await?;
    rows.iter().map(complaint).collect()
}

/// Records `escalation` of the complaint unless its level already fired on that clock.
/// `true` when this call fired it (and must act: the staff task, the notice), `false` when
/// someone had. The complaint's update time moves only when it fired.
pub async fn record<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    complaint_id: &str,
    escalation: &Escalation,
) -> Result<bool, StoreError> {
    let txn = conn.begin().await?;
    let result = async {
        let inserted = txn
            .execute_raw(statement(
                &txn,
                "INSERT INTO complaint_escalations \
             (complaint_id, clock_started_ms, level, manual, escalated_by, reason, escalated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (complaint_id, clock_started_ms, level) DO NOTHING",
                [
                    complaint_id.into(),
                    ms(escalation.clock_started_at).into(),
                    escalation.level.code().into(),
                    escalation.manual.into(),
                    escalation.escalated_by.clone().into(),
                    escalation.reason.clone().into(),
                    ms(escalation.escalated_at).into(),
                ],
            ))
            .await?;
        let fired = inserted.rows_affected() == 1;
        if fired {
            complaints::touch(&txn, complaint_id, None, escalation.escalated_at).await?;
        }
        Ok(fired)
    }
    .await;
    settle(txn, result).await
}

/// The levels fired on the clock started at `clock_started_at`, lowest first: what
/// [`crate::domain::due_levels`] and [`crate::domain::next_check`] are told.
pub async fn fired_levels<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    clock_started_at: DateTime<Utc>,
) -> Result<Vec<Level>, StoreError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT level FROM complaint_escalations \
             WHERE complaint_id = $1 AND clock_started_ms = $2",
            [complaint_id.into(), ms(clock_started_at).into()],
        ))
        .await?;
    let mut levels = rows
        .iter()
        .map(|row| coded("level", row, Level::from_code))
        .collect::<Result<Vec<_>, _>>()?;
    levels.sort();
    Ok(levels)
}

/// Every escalation of the complaint, over all its clocks, oldest first.
pub async fn of_complaint<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
) -> Result<Vec<Escalation>, StoreError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT clock_started_ms, level, manual, escalated_by, reason, escalated_ms \
             FROM complaint_escalations WHERE complaint_id = $1 \
             ORDER BY escalated_ms, clock_started_ms, level",
            [complaint_id.into()],
        ))
        .await?;
    rows.iter().map(escalation).collect()
}

fn escalation(row: &QueryResult) -> Result<Escalation, StoreError> {
    Ok(Escalation {
        level: coded("level", row, Level::from_code)?,
        clock_started_at: time(row.try_get("", "clock_started_ms")?),
        manual: row.try_get("", "manual")?,
        escalated_by: row.try_get("", "escalated_by")?,
        reason: row.try_get("", "reason")?,
        escalated_at: time(row.try_get("", "escalated_ms")?),
    })
}
