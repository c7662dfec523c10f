//! One escalation pass over the store, and its floor. The pass is the service's own
//! ([`Sweep::pass`]), built over the same database with the service's rules and batch size and
//! a clock stopped at the instant the store was seeded for, so it finds exactly the complaints
//! seeded due, however long loading took. The floor reads those same rows and nothing more: a
//! keyset walk of the schedules' due index in batches of the pass's size, each with its
//! complaint row, every column the pass reads fetched, nothing decoded, decided or written. The floor runs first: the pass moves what it escalates off the
//! due index.
//!
//! Peak memory is the kernel's high-water mark of resident memory, reset just before the pass,
//! with what was resident then printed beside it as the floor of the peak.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use vipcare_complaint::settings::ComplaintSettings;
use vipcare_complaint::sweep::{Sweep, Swept};
use vipcare_domain::FixedClock;
use vipcare_storage::Database;
use vipcare_storage::sea_orm::{ConnectionTrait, Value};

use crate::reminders::backlog::{peak_rss_mb, reset_peak_rss, rss_mb};

/// What the floor read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Floor {
    pub rows: u64,
    pub seconds: f64,
}

/// What the pass did, and its memory.
#[derive(Debug, Clone)]
pub(super) struct Passed {
    pub swept: Swept,
    pub seconds: f64,
    /// Whether the peak was reset at the start of the pass (else it covers the process).
    pub peak_reset: bool,
    pub peak_rss_mb: Option<f64>,
    pub start_rss_mb: Option<f64>,
}

/// Reads every row due for a check at `now` by the due index, `batch` at a time.
pub(super) async fn floor(db: &Database, now: DateTime<Utc>, batch: u32) -> anyhow::Result<Floor> {
    let conn = db.conn();
    let sql = format!(
        "SELECT c.*, s.overdue_ms, s.next_check_ms, s.update_ms FROM complaint_schedules s \
         JOIN complaints c ON c.complaint_id = s.complaint_id \
         WHERE s.next_check_ms IS NOT NULL AND s.next_check_ms <= $1 \
         AND (s.next_check_ms > $2 OR (s.next_check_ms = $2 AND s.complaint_id > $3)) \
         ORDER BY s.next_check_ms, s.complaint_id LIMIT {batch}"
    );
    let started = Instant::now();
    let (mut after_check, mut after_id) = (i64::MIN, String::new());
    let mut rows = 0;
    loop {
        let values: [Value; 3] = [
            now.timestamp_millis().into(),
            after_check.into(),
            after_id.clone().into(),
        ];
        let page = conn
            .query_all_raw(vipcare_storage::statement(conn, &sql, values))
            .await?;
        let Some(last) = page.last() else { break };
        after_check = last.try_get("", "next_check_ms")?;
        after_id = last.try_get("", "complaint_id")?;
        rows += page.len() as u64;
    }
    Ok(Floor {
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Runs one pass of the service's own over `db` as of `now`.
pub(super) async fn pass(
    db: &Database,
    settings: &ComplaintSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<Passed> {
    let sweep = Sweep::new(
        db.clone(),
        Arc::new(FixedClock(now)),
        // No relay listens to this one: a running suite's relay finds the rows on its own poll.
        Arc::new(Notify::new()),
        Arc::new(settings.rules()?),
        settings.sweep_batch,
    );
    let peak_reset = reset_peak_rss();
    let start_rss_mb = rss_mb();
    let started = Instant::now();
    let swept = sweep.pass().await?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Passed {
        swept,
        seconds,
        peak_reset,
        peak_rss_mb: peak_rss_mb(),
        start_rss_mb,
    })
}
