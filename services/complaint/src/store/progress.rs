//! When the customer of an open complaint is next told how it goes (see
//! [`ProgressIntervals`](crate::domain::ProgressIntervals)): the instant the next progress
//! notice is due, and how many were sent. The pass reads only the rows it wants — those due, and
//! those open and never scheduled — a page at a time after a cursor, and moves a complaint on
//! only from the instant and count it read, so of two passes meeting the same notice one sends
//! it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use vipcare_storage::rows::{Kind, Rows};

use super::codec::{complaint, select_complaints, select_complaints_with};
use super::error::corrupt;
use super::{StoreError, StoredComplaint, ms, statement, time};

/// What `next_progress_ms` holds for a complaint whose tier gets no notices: later than any
/// instant, so never due, and not NULL, so never taken for "not scheduled yet".
pub const NEVER_MS: i64 = i64::MAX;

/// When the next progress notice of a complaint is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextNotice {
    At(DateTime<Utc>),
    /// The tier gets none.
    Never,
}

impl NextNotice {
    fn stored(self) -> i64 {
        match self {
            NextNotice::At(t) => ms(t),
            NextNotice::Never => NEVER_MS,
        }
    }
}

/// `None` (what [`ProgressIntervals::next_progress_notice`] answers for a tier without
/// notices) is [`NextNotice::Never`].
///
/// [`ProgressIntervals::next_progress_notice`]: crate::domain::ProgressIntervals::next_progress_notice
impl From<Option<DateTime<Utc>>> for NextNotice {
    fn from(at: Option<DateTime<Utc>>) -> NextNotice {
        at.map_or(NextNotice::Never, NextNotice::At)
    }
}

/// A progress notice due, with the complaint it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotice {
    pub complaint: StoredComplaint,
    pub due_at: DateTime<Utc>,
    /// Notices sent so far: this one is number `sent + 1`.
    pub sent: u64,
}

/// Where a page of [`due`] ended: the next page starts after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCursor {
    due_ms: i64,
    complaint_id: String,
}

impl DueCursor {
    /// Before every due notice.
    pub fn start() -> DueCursor {
        DueCursor {
            due_ms: i64::MIN,
            complaint_id: String::new(),
        }
    }

    /// Just after `notice`.
    pub fn after(notice: &DueNotice) -> DueCursor {
        DueCursor {
            due_ms: ms(notice.due_at),
            complaint_id: notice.complaint.complaint.id.clone(),
        }
    }
}

/// Notices due by `now`, after `cursor`, soonest first (then by complaint id), at most
/// `limit`, whatever the complaint's state: the caller sends, holds or drops each. The cursor
/// is a row value, so the index range starts at it: notices held (while the customer is
/// awaited) are passed over once per pass, not once per page.
pub async fn due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    cursor: &DueCursor,
    limit: u64,
) -> Result<Vec<DueNotice>, StoreError> {
    let sql = format!(
        "{} WHERE c.next_progress_ms IS NOT NULL AND c.next_progress_ms <= $1 \
         AND (c.next_progress_ms, c.complaint_id) > ($2, $3) \
         ORDER BY c.next_progress_ms, c.complaint_id LIMIT {limit}",
        select_complaints_with(", c.next_progress_ms, c.progress_notices")
    );
    let rows = conn
        .query_all_raw(statement(
            conn,
            &sql,
            [
                ms(now).into(),
                cursor.due_ms.into(),
                cursor.complaint_id.clone().into(),
            ],
        ))
        .await?;
    rows.iter().map(due_notice).collect()
}

fn due_notice(row: &QueryResult) -> Result<DueNotice, StoreError> {
    let sent: i64 = row.try_get("", "progress_notices")?;
    Ok(DueNotice {
        complaint: complaint(row)?,
        due_at: time(row.try_get("", "next_progress_ms")?),
        sent: u64::try_from(sent).map_err(|_| corrupt("progress_notices", sent))?,
    })
}

/// Complaints not resolved whose next notice was never scheduled, by id after `after` (empty:
/// from the start), at most `limit`.
pub async fn unscheduled<C: ConnectionTrait>(
    conn: &C,
    after: &str,
    limit: u64,
) -> Result<Vec<StoredComplaint>, StoreError> {
    let sql = format!(
        "{} WHERE c.next_progress_ms IS NULL AND c.resolved_ms IS NULL AND c.complaint_id > $1 \
         ORDER BY c.complaint_id LIMIT {limit}",
        select_complaints()
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [after.into()]))
        .await?;
    rows.iter().map(complaint).collect()
}

/// Schedules the first notice of a complaint not scheduled yet: what opening writes (see
/// `sweep::progress::first_notice`). `false` when it was scheduled meanwhile.
pub async fn schedule_first<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    next: NextNotice,
) -> Result<bool, StoreError> {
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE complaints SET next_progress_ms = $2 \
             WHERE complaint_id = $1 AND next_progress_ms IS NULL",
            [complaint_id.into(), next.stored().into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Schedules the first notice of each complaint not scheduled yet (the pass, for a page of
/// complaints opened without it), in one statement; one scheduled meanwhile keeps its own.
pub async fn schedule_first_many<C: ConnectionTrait>(
    conn: &C,
    first: &[(&str, NextNotice)],
) -> Result<(), StoreError> {
    let mut rows = Rows::new(&[("id", Kind::Text), ("next", Kind::Int)]);
    for (id, next) in first {
        rows.row([(*id).into(), next.stored().into()]);
    }
    let text = |source: &str| {
        format!(
            "UPDATE complaints SET next_progress_ms = v.next FROM {source} AS v \
             WHERE complaints.complaint_id = v.id AND complaints.next_progress_ms IS NULL"
        )
    };
    for statement in rows.statements(conn.get_database_backend(), &[], text) {
        conn.execute_raw(statement).await?;
    }
    Ok(())
}

/// Counts each notice sent and schedules its next one, if nobody did since it was read; the
/// ids of the complaints this call did it for (and whose notice it must send in the same
/// transaction). One statement for the page.
pub async fn sent_many<C: ConnectionTrait>(
    conn: &C,
    sent: &[(&DueNotice, NextNotice)],
) -> Result<HashSet<String>, StoreError> {
    let mut rows = Rows::new(&[
        ("id", Kind::Text),
        ("due", Kind::Int),
        ("sent", Kind::Int),
        ("next", Kind::Int),
    ]);
    for (notice, next) in sent {
        let count =
            i64::try_from(notice.sent).map_err(|_| corrupt("progress_notices", notice.sent))?;
        rows.row([
            notice.complaint.complaint.id.clone().into(),
            ms(notice.due_at).into(),
            count.into(),
            next.stored().into(),
        ]);
    }
    let text = |source: &str| {
        format!(
            "UPDATE complaints SET next_progress_ms = v.next, \
             progress_notices = complaints.progress_notices + 1 FROM {source} AS v \
             WHERE complaints.complaint_id = v.id AND complaints.next_progress_ms = v.due \
             AND complaints.progress_notices = v.sent RETURNING complaint_id"
        )
    };
    let mut done = HashSet::new();
    for statement in rows.statements(conn.get_database_backend(), &[], text) {
        for row in conn.query_all_raw(statement).await? {
            done.insert(row.try_get::<String>("", "complaint_id")?);
        }
    }
    Ok(done)
}

/// Drops the notices of complaints that no longer get any (resolved or closed), each if it
/// is still the one read: the rows leave the due index, and a reopen schedules afresh.
pub async fn drop_many<C: ConnectionTrait>(
    conn: &C,
    dropped: &[&DueNotice],
) -> Result<(), StoreError> {
    let mut rows = Rows::new(&[("id", Kind::Text), ("due", Kind::Int)]);
    for notice in dropped {
        rows.row([
            notice.complaint.complaint.id.clone().into(),
            ms(notice.due_at).into(),
        ]);
    }
    let text = |source: &str| {
        format!(
            "UPDATE complaints SET next_progress_ms = NULL FROM {source} AS v \
             WHERE complaints.complaint_id = v.id AND complaints.next_progress_ms = v.due"
        )
    };
    for statement in rows.statements(conn.get_database_backend(), &[], text) {
        conn.execute_raw(statement).await?;
    }
    Ok(())
}

/// When the complaint's next notice is due: `None` while not scheduled, NOT_FOUND for an
/// unknown complaint.
pub async fn next_of<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
) -> Result<Option<NextNotice>, StoreError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT next_progress_ms FROM complaints WHERE complaint_id = $1",
            [complaint_id.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::not_found("complaint", complaint_id))?;
    let next: Option<i64> = row.try_get("", "next_progress_ms")?;
    Ok(next.map(|at| match at {
        NEVER_MS => NextNotice::Never,
        at => NextNotice::At(time(at)),
    }))
}
