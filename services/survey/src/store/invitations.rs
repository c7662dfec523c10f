//! Invitations, found by their one-time token. The token goes out once, in the message; only
//! its SHA-256 is kept, so a copy of the database answers no survey. An invitation is marked
//! answered once, conditionally, in the transaction that stores the response: of two
//! submissions of one token at once exactly one marks it, and the other's transaction is
//! refused and rolled back.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{ConnectionTrait, QueryResult};
use sha2::{Digest, Sha256};

use super::error::corrupt;
use super::{StoreError, ms, statement, time};
use crate::domain::{SurveyChannel, SurveyContext};

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvitation {
    pub invitation_id: String,
    pub customer_id: String,
    pub scenario_code: String,
    pub scenario_version: u32,
    pub context: SurveyContext,
    pub channel: SurveyChannel,
    pub create_time: DateTime<Utc>,
    pub expire_time: DateTime<Utc>,
    /// When it was answered and by which response.
    pub answered: Option<(DateTime<Utc>, String)>,
}

/// A new one-time token: 256 random bits, URL-safe (hex).
pub fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the store keeps of a token, and looks it up by.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const COLUMNS: &str = "invitation_id, customer_id, scenario_code, scenario_version, \
    complaint_id, hall_id, staff_id, event_id, channel, create_ms, expire_ms, answered_ms, \
    response_id";

/// Stores a new invitation, found later by `token_hash` (see [`token_hash`]).
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    invitation: &StoredInvitation,
    token_hash: &str,
) -> Result<(), StoreError> {
    let i = invitation;
    let c = &i.context;
    let (answered_ms, response_id) = match &i.answered {
        Some((at, id)) => (Some(ms(*at)), Some(id.clone())),
        None => (None, None),
    };
    conn.execute_raw(statement(
        conn,
        &format!(
            "INSERT INTO invitations ({COLUMNS}, token_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ),
        [
            i.invitation_id.clone().into(),
            i.customer_id.clone().into(),
            i.scenario_code.clone().into(),
            i64::from(i.scenario_version).into(),
            c.complaint_id.clone().into(),
            c.hall_id.clone().into(),
            c.staff_id.clone().into(),
            c.event_id.clone().into(),
            i.channel.code().into(),
            ms(i.create_time).into(),
            ms(i.expire_time).into(),
            answered_ms.into(),
            response_id.into(),
            token_hash.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The invitation whose token hashes to `token_hash`.
pub async fn by_token_hash<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
) -> Result<StoredInvitation, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1");
    let row = conn
        .query_one_raw(statement(conn, &sql, [token_hash.into()]))
        .await?;
    // The hash is not an id worth echoing: the caller knows which token it sent.
    row.as_ref()
        .map(stored)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("invitation", "for this token"))
}

/// When `customer` was last invited, to any survey; `None`: never.
pub async fn last_invited<C: ConnectionTrait>(
    conn: &C,
    customer: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let sql = "SELECT MAX(create_ms) AS last FROM invitations WHERE customer_id = $1";
    let row = conn
        .query_one_raw(statement(conn, sql, [customer.into()]))
        .await?;
    match row {
        Some(row) => Ok(row.try_get::<Option<i64>>("", "last")?.map(time)),
        None => Ok(None),
    }
}

/// Holds back every other transaction that calls this for `customer` until the caller's
/// transaction ends, so two invitations of one customer at once cannot both pass the fatigue
/// rule: the second reads the first's row. A transaction-scoped advisory lock on PostgreSQL;
/// SQLite has one writer, which serializes them already.
pub async fn hold_customer<C: ConnectionTrait>(conn: &C, customer: &str) -> Result<(), StoreError> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        conn.query_one_raw(statement(
            conn,
            "SELECT 1 AS held FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 11))) AS l",
            [customer.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Marks the invitation answered by `response_id` at `at`, unless it was answered already;
/// whether this call marked it.
pub async fn mark_answered<C: ConnectionTrait>(
    conn: &C,
    invitation_id: &str,
    response_id: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE invitations SET answered_ms = $2, response_id = $3 \
             WHERE invitation_id = $1 AND answered_ms IS NULL",
            [invitation_id.into(), ms(at).into(), response_id.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

fn stored(row: &QueryResult) -> Result<StoredInvitation, StoreError> {
    let channel: String = row.try_get("", "channel")?;
    let version: i64 = row.try_get("", "scenario_version")?;
    let answered_ms: Option<i64> = row.try_get("", "answered_ms")?;
    let response_id: Option<String> = row.try_get("", "response_id")?;
    Ok(StoredInvitation {
        invitation_id: row.try_get("", "invitation_id")?,
        customer_id: row.try_get("", "customer_id")?,
        scenario_code: row.try_get("", "scenario_code")?,
        scenario_version: u32::try_from(version).map_err(|e| corrupt("scenario version", e))?,
        context: SurveyContext {
            complaint_id: row.try_get("", "complaint_id")?,
            hall_id: row.try_get("", "hall_id")?,
            staff_id: row.try_get("", "staff_id")?,
            event_id: row.try_get("", "event_id")?,
        },
        channel: SurveyChannel::from_code(&channel)
            .ok_or_else(|| corrupt("invitation channel", &channel))?,
        create_time: time(row.try_get("", "create_ms")?),
        expire_time: time(row.try_get("", "expire_ms")?),
        answered: answered_ms.map(|at| (time(at), response_id.unwrap_or_default())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_kept_as_their_sha256() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
