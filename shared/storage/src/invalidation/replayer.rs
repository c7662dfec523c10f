//! Bumps invalidations whose writer did not: at start-up every row (a process that died after
//! its commit left them, or Redis was down until it died), and while running, rows older than a
//! few seconds (another replica died between commit and bump). Rows go once their bump reached
//! the cache; rows whose bump did not stay, and the cache keeps those tags in memory, replaying
//! them before it reads Redis again, so this process never serves what they made stale.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::ConnectionTrait;

use super::{Bump, Row, forget};
use crate::outbox::now_ms;
use crate::sql::statement;
use crate::{Database, StorageError};

/// Rows read, bumped and deleted per round.
const PAGE: u64 = 5_000;
/// A row this old was most likely left behind: a writer bumps and deletes its rows right after
/// its commit. One whose writer is still at it (a long transaction) is merely bumped twice.
const LEFT_AFTER: Duration = Duration::from_secs(5);
/// Between two looks for rows left behind: an empty table costs one indexed query.
const EVERY: Duration = Duration::from_secs(2);

/// What one replay did, in rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    /// Bumped in the cache and deleted.
    pub written: usize,
    /// Not written (the cache is unreachable): kept, and held by the cache until it is back.
    pub kept: usize,
}

/// Replays one service's recorded invalidations.
pub struct Replayer {
    db: Database,
    bump: Arc<dyn Bump>,
    left_after: Duration,
    every: Duration,
}

impl std::fmt::Debug for Replayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayer")
            .field("left_after", &self.left_after)
            .field("every", &self.every)
            .finish()
    }
}

impl Replayer {
    pub fn new(db: Database, bump: impl Bump) -> Replayer {
        Replayer {
            db,
            bump: Arc::new(bump),
            left_after: LEFT_AFTER,
            every: EVERY,
        }
    }

    /// Counts a row as left behind after `age` instead of a few seconds (tests use zero).
    pub fn left_after(mut self, age: Duration) -> Replayer {
        self.left_after = age;
        self
    }

    /// Looks for rows left behind every `every` instead of every few seconds.
    pub fn every(mut self, every: Duration) -> Replayer {
        self.every = every;
        self
    }

    /// Bumps every recorded row; call it before the service (and anything sharing its cache)
    /// serves. With the cache unreachable every page is still handed to it, so it holds them all
    /// and reads nothing from Redis until they are written.
    pub async fn replay_all(&self) -> Result<Replayed, StorageError> {
        let replayed = self.replay(i64::MAX, false).await?;
        if replayed != Replayed::default() {
            tracing::info!(
                written = replayed.written,
                kept = replayed.kept,
                "cache invalidations left by a stopped process replayed"
            );
        }
        Ok(replayed)
    }

    /// Bumps rows older than the left-behind age; stops at the first page the cache refuses.
    pub async fn replay_left_behind(&self) -> Result<Replayed, StorageError> {
        let cutoff = now_ms() - self.left_after.as_millis() as i64;
        self.replay(cutoff, true).await
    }

    /// Replays rows left behind every few seconds (see [`Replayer::every`]), forever (the service aborts it at shutdown).
    /// Database trouble is logged and retried, never fatal.
    pub async fn run(self) {
        loop {
            tokio::time::sleep(self.every).await;
            match self.replay_left_behind().await {
                Ok(replayed) if replayed.written > 0 => tracing::info!(
                    written = replayed.written,
                    "cache invalidations left behind replayed"
                ),
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "cannot replay recorded cache invalidations"),
            }
        }
    }

    async fn replay(&self, cutoff_ms: i64, stop_when_kept: bool) -> Result<Replayed, StorageError> {
        replay(
            self.db.conn(),
            self.bump.as_ref(),
            cutoff_ms,
            stop_when_kept,
        )
        .await
    }
}

/// Bumps the rows recorded at or before `cutoff_ms`, a page at a time, and deletes each page
/// once its bump is written. With `stop_when_kept`, stops at the first page the cache refuses.
pub(super) async fn replay<C: ConnectionTrait>(
    conn: &C,
    bump: &dyn Bump,
    cutoff_ms: i64,
    stop_when_kept: bool,
) -> Result<Replayed, StorageError> {
    let mut done = Replayed::default();
    let mut after = (-1_i64, String::new());
    loop {
        let rows = page(conn, cutoff_ms, &after).await?;
        let full = rows.len() as u64 >= PAGE;
        let Some(last) = rows.last().map(|row| (row.write_id, row.tag.clone())) else {
            break;
        };
        let mut tags: Vec<String> = rows.iter().flat_map(Row::tags).collect();
        tags.sort_unstable();
        tags.dedup();
        // Read before the bump, so every row deleted was committed before it.
        if bump.bump(tags).await {
            let keys: Vec<(i64, String)> = rows.into_iter().map(|r| (r.write_id, r.tag)).collect();
            forget(conn, &keys).await?;
            done.written += keys.len();
        } else {
            done.kept += rows.len();
            if stop_when_kept {
                break;
            }
        }
        if !full {
            break;
        }
        after = last;
    }
    Ok(done)
}

/// Rows recorded at or before `cutoff_ms`, after `after` in (write_id, tag) order.
async fn page<C: ConnectionTrait>(
    conn: &C,
    cutoff_ms: i64,
    after: &(i64, String),
) -> Result<Vec<Row>, StorageError> {
    let text = "SELECT write_id, tag, packed FROM cache_invalidations WHERE created_ms <= $1 \
                AND (write_id > $2 OR (write_id = $2 AND tag > $3)) \
                ORDER BY write_id, tag LIMIT $4";
    let values = [
        cutoff_ms.into(),
        after.0.into(),
        after.1.as_str().into(),
        (PAGE as i64).into(),
    ];
    let rows = conn.query_all_raw(statement(conn, text, values)).await?;
    Ok(rows
        .iter()
        .map(Row::read)
        .collect::<Result<_, sea_orm::DbErr>>()?)
}
