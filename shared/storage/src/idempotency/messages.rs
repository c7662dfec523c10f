//! The request_id flow for calls whose answer is a protobuf message: the answer is stored as
//! its encoding and a repeat is answered with it decoded, so every service's handlers go
//! `begin` → check the request → `finish` the same way.

use prost::Message;
use sea_orm::DatabaseTransaction;

use super::{Fresh, Idempotency, KeyReused, Outcome, RequestKey, Start};
use crate::StorageError;

/// A keyed call, once its key was looked up.
pub enum Begun<'a, R> {
    /// An earlier call with the key acted: its answer.
    Replayed(R),
    /// Check the request, then [`Fresh::finish`] the effect.
    Fresh(Fresh<'a>),
}

impl Idempotency {
    /// Looks the key up before any work: a repeat gets the first call's answer as it was.
    pub async fn begin<'a, R, E>(&'a self, key: Option<&'a RequestKey>) -> Result<Begun<'a, R>, E>
    where
        R: Message + Default,
        E: From<StorageError> + From<KeyReused>,
    {
        match self.start::<E>(key).await? {
            Start::Replay(stored) => Ok(Begun::Replayed(decode(&stored)?)),
            Start::Fresh(fresh) => Ok(Begun::Fresh(fresh)),
        }
    }
}

impl Fresh<'_> {
    /// Runs `effect` in the transaction that claims the key and stores its answer; a concurrent
    /// call with the same key that got there first answers instead, and `effect` never runs.
    pub async fn finish<R, E, F>(self, effect: F) -> Result<R, E>
    where
        R: Message + Default,
        E: From<StorageError> + From<KeyReused>,
        F: AsyncFnOnce(&DatabaseTransaction) -> Result<R, E>,
    {
        let outcome = self
            .run::<R, E, _>(async move |txn| {
                let answer = effect(txn).await?;
                let bytes = answer.encode_to_vec();
                Ok((answer, bytes))
            })
            .await?;
        match outcome {
            Outcome::Done(answer) => Ok(answer),
            Outcome::Replayed(stored) => Ok(decode(&stored)?),
        }
    }
}

/// A stored answer that no longer decodes is corrupt data, never the caller's fault.
fn decode<R: Message + Default>(bytes: &[u8]) -> Result<R, StorageError> {
    R::decode(bytes).map_err(|e| StorageError::Other(format!("stored answer does not decode: {e}")))
}
