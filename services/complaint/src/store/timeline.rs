//! A complaint's timeline: one entry per accepted move, numbered by the version it made (1 for
//! the opening). Entries are only appended, in the transaction of the move they record, so a
//! complaint's version and its timeline never disagree. GetComplaintTimeline reads them oldest
//! first by pages behind an opaque token.

use sea_orm::ConnectionTrait;
use vipcare_domain::Invalid;
use vipcare_storage::page;

use super::codec::coded;
use super::{StoreError, complaints, ms, statement, time};
use crate::domain::{EntryKind, TimelineEntry};

/// An entry with the version it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedEntry {
    pub version: u64,
    pub entry: TimelineEntry,
}

/// One page and the token of the next (empty on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelinePage {
    pub entries: Vec<NumberedEntry>,
    pub next_page_token: String,
}

/// Appends the entry that made `version`. Run it inside the move's transaction.
pub(super) async fn append<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    version: u64,
    entry: &TimelineEntry,
) -> Result<(), StoreError> {
    let seq = super::codec::version(version)?;
    conn.execute_raw(statement(
        conn,
        "INSERT INTO complaint_timeline (complaint_id, seq, at_ms, actor, kind, text) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        [
            complaint_id.into(),
            seq.into(),
            ms(entry.at).into(),
            entry.actor.clone().into(),
            entry.kind.code().into(),
            entry.text.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The page of at most `size` entries after the one `token` points to (empty: the first).
/// NOT_FOUND for an unknown complaint.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    token: &str,
    size: u64,
) -> Result<TimelinePage, StoreError> {
    let after = if token.is_empty() {
        0
    } else {
        cursor(token, complaint_id)?
    };
    let sql = format!(
        "SELECT seq, at_ms, actor, kind, text FROM complaint_timeline \
         WHERE complaint_id = $1 AND seq > $2 ORDER BY seq LIMIT {}",
        size.saturating_add(1)
    );
    let rows = conn
        .query_all_raw(statement(conn, &sql, [complaint_id.into(), after.into()]))
        .await?;
    if rows.is_empty() && token.is_empty() {
        // Every complaint has its opening entry: none means no complaint.
        complaints::get(conn, complaint_id).await?;
    }
    let mut entries = rows
        .iter()
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
        .collect::<Result<Vec<_>, StoreError>>()?;
    let next_page_token = page::next_token(&mut entries, size, |e| {
        format!("{}:{complaint_id}", e.version)
    });
    Ok(TimelinePage {
        entries,
        next_page_token,
    })
}

/// The version a token points after; refused unless it was issued for this complaint.
fn cursor(token: &str, complaint_id: &str) -> Result<i64, StoreError> {
    page::decode(token)
        .and_then(|c| {
            let (seq, id) = c.split_once(':')?;
            (id == complaint_id).then_some(())?;
            seq.parse().ok()
        })
        .ok_or_else(|| {
            StoreError::Invalid(vec![
                Invalid::new("not a token this service issued for this complaint").at("page_token"),
            ])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_belong_to_their_complaint() {
        let token = page::encode("7:c-1");
        assert_eq!(cursor(&token, "c-1").unwrap(), 7);
        for bad in [&token, "garbage", &page::encode("x:c-2")] {
            assert!(
                matches!(cursor(bad, "c-2"), Err(StoreError::Invalid(v)) if v[0].field == "page_token")
            );
        }
    }
}
