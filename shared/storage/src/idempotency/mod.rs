//! `request_id`, as payment APIs do it: one flow every side-effecting RPC of every service goes
//! through.
//!
//! - A key is scoped by (calling client, method, request_id): two clients, or two methods, may
//!   use the same request_id without meeting.
//! - The key keeps a fingerprint of the request (SHA-256 of its encoding). The same key with a
//!   different request is refused ([`KeyReused`]) and nothing happens.
//! - The key is claimed *inside* the effect's transaction, before the effect runs. A concurrent
//!   call with the same key waits on that row (PostgreSQL) or the single writer (SQLite), then
//!   finds it and answers the first call's stored response: one effect, one answer.
//! - A failed effect rolls its claim back with it, so a retry acts again.
//! - Keys expire after a retention period (`database.idempotency_retention_hours`): an expired
//!   key is treated as unused, and [`Idempotency::keep_pruned`] deletes them in the background.
//! - A service whose store records cache invalidations inside its writes may have the flow
//!   settle them ([`Idempotency::settling`]): after each commit, before the call answers, so the
//!   caller's next read through the gateway sees the change.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait, Value};
use sha2::{Digest, Sha256};
use vipcare_domain::{Invalid, Violation};

use crate::invalidation::StaleViews;
use crate::sql::statement;
use crate::{Database, StorageError};

/// Longest request_id accepted, in bytes.
pub const MAX_REQUEST_ID: usize = 128;

/// The field name every contract uses for the key.
pub const FIELD: &str = "request_id";

/// A request_id was used before, by the same client for the same method, with another request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request_id was reused with a different request")]
pub struct KeyReused;

/// Why a request_id cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadKey {
    #[error("at most {MAX_REQUEST_ID} characters")]
    TooLong,
    #[error("must be printable ASCII without spaces")]
    NotPrintable,
}

impl From<KeyReused> for Violation {
    fn from(reused: KeyReused) -> Violation {
        Invalid::new(reused.to_string()).at(FIELD)
    }
}

impl From<BadKey> for Violation {
    fn from(bad: BadKey) -> Violation {
        Invalid::new(bad.to_string()).at(FIELD)
    }
}

/// One call's idempotency key: who, what, which key, and the request's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    client: String,
    method: String,
    request_id: String,
    fingerprint: [u8; 32],
}

impl RequestKey {
    /// The key of a call of `method` by `client` with `request_id`, whose request encodes to
    /// `encoded`. `None` when `request_id` is empty: the call is not idempotent.
    pub fn new(
        client: &str,
        method: &str,
        request_id: &str,
        encoded: &[u8],
    ) -> Result<Option<RequestKey>, BadKey> {
        if request_id.is_empty() {
            return Ok(None);
        }
        if request_id.len() > MAX_REQUEST_ID {
            return Err(BadKey::TooLong);
        }
        if !request_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BadKey::NotPrintable);
        }
        Ok(Some(RequestKey {
            client: client.to_owned(),
            method: method.to_owned(),
            request_id: request_id.to_owned(),
            fingerprint: Sha256::digest(encoded).into(),
        }))
    }

    /// The key of a call of `method` by `client` carrying `request` (whose `request_id` is
    /// given): the request's encoding is its fingerprint. A bad `request_id` is a field
    /// violation, ready for the service's error map.
    pub fn of(
        client: &str,
        method: &str,
        request_id: &str,
        request: &impl prost::Message,
    ) -> Result<Option<RequestKey>, Violation> {
        RequestKey::new(client, method, request_id, &request.encode_to_vec())
            .map_err(Violation::from)
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    fn values(&self) -> [Value; 3] {
        [
            self.client.as_str().into(),
            self.method.as_str().into(),
            self.request_id.as_str().into(),
        ]
    }
}

/// What a keyed call does: act, or answer what the first call answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// The effect ran now and this is its result.
    Done(T),
    /// An earlier call with this key acted; this is the response it stored.
    Replayed(Vec<u8>),
}

/// The idempotency flow of one service's database.
#[derive(Debug, Clone)]
pub struct Idempotency {
    conn: DatabaseConnection,
    retention: Duration,
    /// Settles what effects recorded, after their commit (see [`Idempotency::settling`]).
    stale: Option<StaleViews>,
}

/// What [`Idempotency::start`] found.
#[derive(Debug)]
pub enum Start<'a> {
    /// Answer this stored response; do nothing.
    Replay(Vec<u8>),
    /// Nothing stored yet: check what must be checked, then [`Fresh::run`] the effect.
    Fresh(Fresh<'a>),
}

/// A call that may act, once its effect runs in [`Fresh::run`].
#[derive(Debug)]
pub struct Fresh<'a> {
    flow: &'a Idempotency,
    key: Option<&'a RequestKey>,
}

impl Idempotency {
    pub fn new(db: &Database, retention: Duration) -> Idempotency {
        Idempotency {
            conn: db.conn().clone(),
            retention,
            stale: None,
        }
    }

    /// After every effect's commit, settles the cache invalidations committed so far with
    /// `stale` (the effect's own among them, recorded wherever its store writes), before the
    /// call answers: the caller's next read never meets the view the effect made stale.
    pub fn settling(mut self, stale: StaleViews) -> Idempotency {
        self.stale = Some(stale);
        self
    }

    /// Looks the key up before any work: a repeat is answered without checking or calling
    /// anything again. A key first used with another request is [`KeyReused`].
    pub async fn start<'a, E>(&'a self, key: Option<&'a RequestKey>) -> Result<Start<'a>, E>
    where
        E: From<StorageError> + From<KeyReused>,
    {
        if let Some(key) = key
            && let Some(stored) = self.recall::<_, E>(&self.conn, key).await?
        {
            return Ok(Start::Replay(stored));
        }
        Ok(Start::Fresh(Fresh { flow: self, key }))
    }

    /// [`start`](Self::start) then [`Fresh::run`], for calls with nothing to check in between.
    pub async fn run<T, E, F>(&self, key: Option<&RequestKey>, effect: F) -> Result<Outcome<T>, E>
    where
        E: From<StorageError> + From<KeyReused>,
        F: AsyncFnOnce(&DatabaseTransaction) -> Result<(T, Vec<u8>), E>,
    {
        match self.start::<E>(key).await? {
            Start::Replay(stored) => Ok(Outcome::Replayed(stored)),
            Start::Fresh(fresh) => fresh.run(effect).await,
        }
    }

    /// The stored response of `key`, if it is live; [`KeyReused`] if it was another request's.
    async fn recall<C: ConnectionTrait, E>(
        &self,
        conn: &C,
        key: &RequestKey,
    ) -> Result<Option<Vec<u8>>, E>
    where
        E: From<StorageError> + From<KeyReused>,
    {
        let mut values = key.values().to_vec();
        values.push(self.oldest_live_ms().into());
        let row = conn
            .query_one_raw(statement(
                conn,
                "SELECT fingerprint, response FROM request_keys \
                 WHERE client = $1 AND method = $2 AND request_id = $3 AND created_ms >= $4",
                values,
            ))
            .await
            .map_err(StorageError::from)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let fingerprint: Vec<u8> = row.try_get("", "fingerprint").map_err(StorageError::from)?;
        if fingerprint != key.fingerprint {
            return Err(KeyReused.into());
        }
        let response: Option<Vec<u8>> = row.try_get("", "response").map_err(StorageError::from)?;
        // Claims are written with their response in one transaction, so a visible key has one.
        Ok(response)
    }

    fn oldest_live_ms(&self) -> i64 {
        crate::outbox::now_ms()
            - <i64 as TryFrom<u128>>::try_from(self.retention.as_millis()).unwrap_or(i64::MAX)
    }
}

impl Fresh<'_> {
    /// Runs `effect` in a transaction that first claims the key; the effect returns its result
    /// and the bytes a repeat will be answered with. If a concurrent call with the same key got
    /// there first, its stored response is the outcome and `effect` never runs.
    pub async fn run<T, E, F>(self, effect: F) -> Result<Outcome<T>, E>
    where
        E: From<StorageError> + From<KeyReused>,
        F: AsyncFnOnce(&DatabaseTransaction) -> Result<(T, Vec<u8>), E>,
    {
        let flow = self.flow;
        let txn = flow.conn.begin().await.map_err(StorageError::from)?;
        if let Some(key) = self.key {
            match claim(&txn, key, flow.oldest_live_ms()).await {
                Ok(()) => {}
                Err(StorageError::UniqueViolation(_)) => {
                    // The other call committed while this one waited on its row.
                    txn.rollback().await.map_err(StorageError::from)?;
                    return match flow.recall::<_, E>(&flow.conn, key).await? {
                        Some(stored) => Ok(Outcome::Replayed(stored)),
                        None => Err(StorageError::Other("request key vanished".into()).into()),
                    };
                }
                Err(err) => return Err(err.into()),
            }
        }
        let (result, response) = match effect(&txn).await {
            Ok(done) => done,
            Err(err) => {
                // The claim goes with the effect: a retry acts again.
                txn.rollback().await.map_err(StorageError::from)?;
                return Err(err);
            }
        };
        if let Some(key) = self.key {
            let mut values = vec![response.into()];
            values.extend(key.values());
            txn.execute_raw(statement(
                &txn,
                "UPDATE request_keys SET response = $1 \
                 WHERE client = $2 AND method = $3 AND request_id = $4",
                values,
            ))
            .await
            .map_err(StorageError::from)?;
        }
        txn.commit().await.map_err(StorageError::from)?;
        if let Some(stale) = &flow.stale {
            stale.settle_committed(&flow.conn).await;
        }
        Ok(Outcome::Done(result))
    }
}

/// Inserts the key without a response; an expired row of the same key is replaced.
async fn claim(
    txn: &DatabaseTransaction,
    key: &RequestKey,
    oldest_live_ms: i64,
) -> Result<(), StorageError> {
    let mut values = key.values().to_vec();
    values.push(oldest_live_ms.into());
    txn.execute_raw(statement(
        txn,
        "DELETE FROM request_keys \
         WHERE client = $1 AND method = $2 AND request_id = $3 AND created_ms < $4",
        values,
    ))
    .await?;
    let mut values = key.values().to_vec();
    values.push(key.fingerprint.to_vec().into());
    values.push(crate::outbox::now_ms().into());
    txn.execute_raw(statement(
        txn,
        "INSERT INTO request_keys (client, method, request_id, fingerprint, created_ms) \
         VALUES ($1, $2, $3, $4, $5)",
        values,
    ))
    .await?;
    Ok(())
}

mod many;
mod messages;
mod table;

pub use many::{Recalled, claim_many, unclaim_many};
pub use messages::Begun;

pub(crate) use table::RequestKeysTable;
