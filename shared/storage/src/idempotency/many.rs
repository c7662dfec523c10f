//! The request_id flow for calls gathered into one transaction (a batch of concurrent
//! submissions written together): the same rules as one call's flow, a statement per batch
//! instead of a few per call.
//!
//! - [`Idempotency::recall_many`] looks every key up at once before any work, as
//!   [`Idempotency::start`] does for one: a repeat is answered, a key reused with another
//!   request is [`KeyReused`].
//! - [`claim_many`] claims the keys inside the batch's transaction *with their answers*, which
//!   such callers know before they write: a key a concurrent call holds is not claimed (the
//!   statement waits for that call's transaction on PostgreSQL, as one call's claim does), and
//!   its call is answered from that call's record after the commit; an expired key is taken over.
//! - [`unclaim_many`] gives back, in the same transaction, the keys of calls that turned out to
//!   have no effect (their effect was refused inside the transaction): a retry acts again.

use std::collections::HashSet;

use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Value};

use super::{Idempotency, KeyReused, RequestKey};
use crate::StorageError;
use crate::sql::statement;

/// What an earlier call left under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recalled {
    /// No live call used it: act.
    Unused,
    /// Answer this stored response; do nothing.
    Answered(Vec<u8>),
    /// An earlier call used it with another request.
    Reused(KeyReused),
}

impl Idempotency {
    /// What each of `keys` holds, in their order, read in one statement.
    pub async fn recall_many(&self, keys: &[&RequestKey]) -> Result<Vec<Recalled>, StorageError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut values: Vec<Value> = vec![self.oldest_live_ms().into()];
        let keys_in = key_set(self.conn.get_database_backend(), keys, 2, &mut values);
        let sql = format!(
            "SELECT client, method, request_id, fingerprint, response FROM request_keys \
             WHERE created_ms >= $1 AND (client, method, request_id) IN ({keys_in})"
        );
        let found = self
            .conn
            .query_all_raw(statement(&self.conn, &sql, values))
            .await?;
        let mut stored = std::collections::HashMap::with_capacity(found.len());
        for row in found {
            let id: (String, String, String) = (
                row.try_get("", "client")?,
                row.try_get("", "method")?,
                row.try_get("", "request_id")?,
            );
            let fingerprint: Vec<u8> = row.try_get("", "fingerprint")?;
            let response: Option<Vec<u8>> = row.try_get("", "response")?;
            stored.insert(id, (fingerprint, response));
        }
        Ok(keys
            .iter()
            .map(|key| match stored.get(&key.id()) {
                None => Recalled::Unused,
                Some((fingerprint, _)) if *fingerprint != key.fingerprint => {
                    Recalled::Reused(KeyReused)
                }
                // Claims are written with their response, so a visible key has one.
                Some((_, response)) => Recalled::Answered(response.clone().unwrap_or_default()),
            })
            .collect())
    }
}

/// Claims each of `claims` (a key, and the answer a repeat gets) in `txn`, one statement for
/// all; whether each was claimed, in their order. Not claimed: a live call holds the key (it
/// committed, or commits while this statement waits for it). The keys must be distinct.
pub async fn claim_many(
    txn: &DatabaseTransaction,
    flow: &Idempotency,
    claims: &[(&RequestKey, Vec<u8>)],
) -> Result<Vec<bool>, StorageError> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = vec![flow.oldest_live_ms().into(), crate::outbox::now_ms().into()];
    let rows = match txn.get_database_backend() {
        DbBackend::Postgres => {
            let keys: Vec<&RequestKey> = claims.iter().map(|(key, _)| *key).collect();
            values.extend(key_arrays(&keys));
            let fingerprints = claims.iter().map(|(k, _)| k.fingerprint.to_vec().into());
            let answers = claims.iter().map(|(_, answer)| answer.clone().into());
            values.push(Value::Array(
                ArrayType::Bytes,
                Some(Box::new(fingerprints.collect())),
            ));
            values.push(Value::Array(
                ArrayType::Bytes,
                Some(Box::new(answers.collect())),
            ));
            "SELECT c, m, r, f, a, $2 FROM unnest($3::text[], $4::text[], $5::text[], \
             $6::bytea[], $7::bytea[]) AS t(c, m, r, f, a)"
                .to_owned()
        }
        _ => {
            let mut rows = Vec::with_capacity(claims.len());
            for (key, answer) in claims {
                let n = values.len();
                rows.push(format!(
                    "(${}, ${}, ${}, ${}, ${}, $2)",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                ));
                values.extend(key.values());
                values.push(key.fingerprint.to_vec().into());
                values.push(answer.clone().into());
            }
            format!("VALUES {}", rows.join(", "))
        }
    };
    // An expired row of the same key is taken over; a live one is left and not returned.
    let sql = format!(
        "INSERT INTO request_keys (client, method, request_id, fingerprint, response, created_ms) \
         {rows} ON CONFLICT (client, method, request_id) DO UPDATE SET \
         fingerprint = excluded.fingerprint, response = excluded.response, \
         created_ms = excluded.created_ms WHERE request_keys.created_ms < $1 \
         RETURNING client, method, request_id"
    );
    let claimed: HashSet<(String, String, String)> = txn
        .query_all_raw(statement(txn, &sql, values))
        .await?
        .into_iter()
        .map(|row| {
            Ok((
                row.try_get("", "client")?,
                row.try_get("", "method")?,
                row.try_get("", "request_id")?,
            ))
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(claims
        .iter()
        .map(|(key, _)| claimed.contains(&key.id()))
        .collect())
}

/// Deletes in `txn` the claims of `keys` made earlier in it, for calls whose effect was refused
/// after their claim: the transaction commits the others', and a retry of these acts again.
pub async fn unclaim_many(
    txn: &DatabaseTransaction,
    keys: &[&RequestKey],
) -> Result<(), StorageError> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut values = Vec::new();
    let keys_in = key_set(txn.get_database_backend(), keys, 1, &mut values);
    let sql = format!("DELETE FROM request_keys WHERE (client, method, request_id) IN ({keys_in})");
    txn.execute_raw(statement(txn, &sql, values)).await?;
    Ok(())
}

/// The (client, method, request_id) of `keys` as a row source from placeholder `first`, their
/// values pushed to `values`: three arrays on PostgreSQL, so the statement's text (and plan) is
/// the same whatever the batch's size; `VALUES` rows on SQLite.
fn key_set(
    backend: DbBackend,
    keys: &[&RequestKey],
    first: usize,
    values: &mut Vec<Value>,
) -> String {
    if backend == DbBackend::Postgres {
        values.extend(key_arrays(keys));
        return format!(
            "SELECT * FROM unnest(${first}::text[], ${}::text[], ${}::text[])",
            first + 1,
            first + 2
        );
    }
    let mut rows = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let n = first + 3 * i;
        rows.push(format!("(${n}, ${}, ${})", n + 1, n + 2));
        values.extend(key.values());
    }
    format!("VALUES {}", rows.join(", "))
}

/// The clients, methods and request_ids of `keys`, one text array each.
fn key_arrays(keys: &[&RequestKey]) -> [Value; 3] {
    let column = |part: fn(&RequestKey) -> &str| {
        let texts: Vec<Value> = keys.iter().map(|k| part(k).into()).collect();
        Value::Array(ArrayType::String, Some(Box::new(texts)))
    };
    [
        column(|k| &k.client),
        column(|k| &k.method),
        column(|k| &k.request_id),
    ]
}

impl RequestKey {
    /// The key with its scope, as one text: two keys are one key exactly when these are equal.
    pub fn scoped(&self) -> String {
        format!("{}\n{}\n{}", self.client, self.method, self.request_id)
    }

    fn id(&self) -> (String, String, String) {
        (
            self.client.clone(),
            self.method.clone(),
            self.request_id.clone(),
        )
    }
}
