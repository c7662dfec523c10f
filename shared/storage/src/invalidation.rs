//! Cache invalidations as durable as the writes that cause them. A write records the cache tags
//! it makes stale in its own transaction ([`record`]); after the commit the service bumps them
//! and the rows go ([`settle`], [`settle_tags`]). A bump that does not reach the cache (Redis
//! down, or the process killed between commit and bump) leaves its rows, and the [`Replayer`]
//! bumps them later: every row at start-up, before the service serves, and rows left for a few
//! seconds while it runs. A bump only makes entries stale, so bumping a tag twice, or two
//! replicas replaying the same rows, is harmless.
//!
//! [`StaleViews`] is the settling every service shares: after a write's commit, or after any
//! commit for writes that record deep inside their store.
//!
//! This crate does not know the cache: a service passes its cache's bump as a [`Bump`].

use futures::future::BoxFuture;
use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::StorageError;
use crate::bulk::BulkInsert;
use crate::outbox::now_ms;
use crate::sql::statement;

mod replayer;
mod stale_views;
mod table;

pub use replayer::{Replayed, Replayer};
pub use stale_views::StaleViews;
pub(crate) use table::{JournalTable, PackedColumn};

const TABLE: &str = "cache_invalidations";
/// Writes with more tags than this pack them into rows, joined by [`TAG_SEPARATOR`].
const ONE_ROW_OVER: usize = 32;
/// Tags are `kind:id` of printable characters, so a line break never occurs in one.
const TAG_SEPARATOR: &str = "\n";

/// Bytes of tags packed into one row: small enough that PostgreSQL stores the row as it is
/// (rows over ~2 kB are compressed on insert, which a tier run paid for on every batch).
const PACKED_BYTES: usize = 1_800;

/// `tags` joined by [`TAG_SEPARATOR`] into rows of at most [`PACKED_BYTES`] (a longer tag alone).
fn packed_rows(tags: &[String]) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    for tag in tags {
        match rows.last_mut() {
            Some(row) if row.len() + TAG_SEPARATOR.len() + tag.len() <= PACKED_BYTES => {
                row.push_str(TAG_SEPARATOR);
                row.push_str(tag);
            }
            _ => rows.push(tag.clone()),
        }
    }
    rows
}

/// One journal row: its key and the tags it holds.
#[derive(Debug)]
pub(crate) struct Row {
    write_id: i64,
    /// A tag; or, for a packed row, `#n` (its part of the write), which no tag can be.
    tag: String,
    /// A packed row's tags, joined by [`TAG_SEPARATOR`].
    packed: Option<String>,
}

impl Row {
    fn read(row: &sea_orm::QueryResult) -> Result<Row, sea_orm::DbErr> {
        Ok(Row {
            write_id: row.try_get("", "write_id")?,
            tag: row.try_get("", "tag")?,
            packed: row.try_get("", "packed")?,
        })
    }

    /// The tags the row holds. Rows packed before the `packed` column existed joined their
    /// tags in `tag` itself, so those are split too.
    fn tags(&self) -> impl Iterator<Item = String> + '_ {
        self.packed
            .as_deref()
            .unwrap_or(&self.tag)
            .split(TAG_SEPARATOR)
            .map(str::to_owned)
    }
}

/// Values bound per SQLite statement, as in `bulk`: binding costs SQLite more the more a
/// statement has.
const SQLITE_VALUES: usize = 300;

/// Makes cache tags stale; implemented for closures such as `vipcare_cache::Cache::invalidator`.
pub trait Bump: Send + Sync + 'static {
    /// Bumps `tags`; true once every bump is written where every process reads. False leaves
    /// the rows for a replay.
    fn bump(&self, tags: Vec<String>) -> BoxFuture<'static, bool>;
}

impl<F> Bump for F
where
    F: Fn(Vec<String>) -> BoxFuture<'static, bool> + Send + Sync + 'static,
{
    fn bump(&self, tags: Vec<String>) -> BoxFuture<'static, bool> {
        self(tags)
    }
}

/// The rows one write recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    write_id: i64,
    tags: Vec<String>,
}

impl Recorded {
    /// The tags, each once.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }
}

/// Records that `tags` are stale once the caller's transaction commits: one statement however
/// many tags (a batch of thousands of customers included). Nothing is recorded if it rolls back.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    tags: &[String],
) -> Result<Recorded, StorageError> {
    let mut tags = tags.to_vec();
    tags.sort_unstable();
    tags.dedup();
    // Random, so replicas need no sequence; non-negative, so a replay's cursor can start at -1.
    let write_id = rand::random::<i64>() & i64::MAX;
    let now = now_ms();
    if tags.len() > ONE_ROW_OVER {
        // A batch's thousands of tags packed into few rows: a row per tag made a tier run a
        // quarter slower (index entries written and then deleted). The tags travel outside
        // the indexed key, so the indexes hold a short `#n` (a packed key was 2 kB per entry, in
        // two indexes, compared by collation). A packed row is only ever settled by its write
        // id or replayed, never looked up by tag.
        let mut insert = BulkInsert::new(TABLE, &["write_id", "tag", "created_ms", "packed"])
            .then("ON CONFLICT DO NOTHING");
        for (part, packed) in packed_rows(&tags).into_iter().enumerate() {
            insert.row([
                write_id.into(),
                format!("#{part}").into(),
                now.into(),
                packed.into(),
            ]);
        }
        insert.execute(txn).await?;
        return Ok(Recorded { write_id, tags });
    }
    // Two writes drawing the same id and tag (once in 2^63) must not fail the write itself.
    let mut insert =
        BulkInsert::new(TABLE, &["write_id", "tag", "created_ms"]).then("ON CONFLICT DO NOTHING");
    for tag in &tags {
        insert.row([write_id.into(), tag.as_str().into(), now.into()]);
    }
    insert.execute(txn).await?;
    Ok(Recorded { write_id, tags })
}

/// After the commit: bumps what the write recorded and, once that reached the cache, deletes
/// its rows. Never fails the caller, whose write is done: rows that stay are replayed.
pub async fn settle<C: ConnectionTrait>(conn: &C, recorded: Recorded, bump: &dyn Bump) {
    if recorded.tags.is_empty() || !bump.bump(recorded.tags).await {
        return;
    }
    let deleted = conn
        .execute_raw(statement(
            conn,
            "DELETE FROM cache_invalidations WHERE write_id = $1",
            [recorded.write_id.into()],
        ))
        .await;
    if let Err(err) = deleted {
        tracing::warn!(%err, "bumped invalidations stay recorded; they will be bumped again");
    }
}

/// As [`settle`], for a write whose recording happened where its [`Recorded`] could not be
/// kept: the rows of these tags are read *before* the bump, so only rows committed before it,
/// which it covers, are deleted; a write committing meanwhile keeps its own.
pub async fn settle_tags<C: ConnectionTrait>(conn: &C, tags: Vec<String>, bump: &dyn Bump) {
    if tags.is_empty() {
        return;
    }
    let rows = match rows_of(conn, &tags).await {
        Ok(rows) => rows,
        Err(err) => {
            tracing::warn!(%err, "cannot read recorded invalidations; bumping anyway");
            Vec::new()
        }
    };
    if bump.bump(tags).await
        && let Err(err) = forget(conn, &rows).await
    {
        tracing::warn!(%err, "bumped invalidations stay recorded; they will be bumped again");
    }
}

/// Every tag recorded and not yet known to be bumped, each once (what an operator, or a
/// test, looks at).
pub async fn tags_left<C: ConnectionTrait>(conn: &C) -> Result<Vec<String>, StorageError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT write_id, tag, packed FROM cache_invalidations",
            [],
        ))
        .await?;
    let mut tags = Vec::new();
    for row in &rows {
        tags.extend(Row::read(row)?.tags());
    }
    tags.sort_unstable();
    tags.dedup();
    Ok(tags)
}

/// The (write, tag) rows recorded for any of `tags`.
async fn rows_of<C: ConnectionTrait>(
    conn: &C,
    tags: &[String],
) -> Result<Vec<(i64, String)>, StorageError> {
    let backend = conn.get_database_backend();
    let statements = match backend {
        DbBackend::Postgres => vec![Statement::from_sql_and_values(
            backend,
            "SELECT write_id, tag FROM cache_invalidations WHERE tag = ANY($1::text[])",
            [text_array(tags)],
        )],
        _ => tags
            .chunks(SQLITE_VALUES)
            .map(|chunk| {
                let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
                let text = format!(
                    "SELECT write_id, tag FROM cache_invalidations WHERE tag IN ({})",
                    marks.join(", ")
                );
                statement(conn, &text, chunk.iter().map(|t| t.as_str().into()))
            })
            .collect(),
    };
    let mut found = Vec::new();
    for statement in statements {
        for row in conn.query_all_raw(statement).await? {
            found.push((row.try_get("", "write_id")?, row.try_get("", "tag")?));
        }
    }
    Ok(found)
}

/// Deletes exactly these (write, tag) rows.
async fn forget<C: ConnectionTrait>(conn: &C, rows: &[(i64, String)]) -> Result<(), StorageError> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        let ids = rows.iter().map(|(id, _)| Value::from(*id)).collect();
        let tags: Vec<String> = rows.iter().map(|(_, tag)| tag.clone()).collect();
        let text = "DELETE FROM cache_invalidations WHERE (write_id, tag) IN \
                    (SELECT * FROM unnest($1::int8[], $2::text[]))";
        let values = [
            Value::Array(ArrayType::BigInt, Some(Box::new(ids))),
            text_array(&tags),
        ];
        conn.execute_raw(Statement::from_sql_and_values(backend, text, values))
            .await?;
        return Ok(());
    }
    for chunk in rows.chunks(SQLITE_VALUES / 2) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let text = format!(
            "DELETE FROM cache_invalidations WHERE (write_id, tag) IN (VALUES {})",
            pairs.join(", ")
        );
        let values = chunk
            .iter()
            .flat_map(|(id, tag)| [Value::from(*id), tag.as_str().into()]);
        conn.execute_raw(statement(conn, &text, values)).await?;
    }
    Ok(())
}

fn text_array(items: &[String]) -> Value {
    let values = items.iter().map(|t| Value::from(t.as_str())).collect();
    Value::Array(ArrayType::String, Some(Box::new(values)))
}
