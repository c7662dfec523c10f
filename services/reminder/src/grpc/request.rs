//! What a handler reads besides the message: who is calling (as the gateway identified them,
//! or a sibling service), and the request_id flow every side-effecting call goes through. A
//! repeat is answered from the stored response before anything is checked or called again.

use prost::Message;
use sea_orm::DatabaseTransaction;
use tonic::metadata::MetadataMap;
use vipcare_runtime::Caller;
pub use vipcare_storage::idempotency::Begun;
use vipcare_storage::idempotency::{Fresh, Idempotency, RequestKey};
use vipcare_storage::outbox::grpc::REQUEST_ID_HEADER;

use crate::error::Error;

/// Who is calling, as the gateway identified it.
#[derive(Debug, Clone)]
pub struct Calling {
    pub caller: Caller,
}

impl Calling {
    pub fn from(metadata: &MetadataMap) -> Calling {
        Calling {
            caller: Caller::from_metadata(metadata),
        }
    }

    /// Who reminders, rules and templates record as their author: the client, or "internal"
    /// for a sibling service calling without a client of its own.
    pub fn client(&self) -> String {
        if self.caller.client.is_empty() {
            "internal".to_owned()
        } else {
            self.caller.client.clone()
        }
    }

    /// The key of a call of `method` carrying `request` with `request_id`; a bad request_id is
    /// a field violation.
    pub fn key(
        &self,
        method: &str,
        request_id: &str,
        request: &impl Message,
    ) -> Result<Option<RequestKey>, Error> {
        Ok(RequestKey::of(
            &self.caller.client,
            method,
            request_id,
            request,
        )?)
    }
}

/// The request id an outbox relay sends in metadata (the row's key), empty when none came.
pub fn relayed_request_id(metadata: &MetadataMap) -> String {
    metadata
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Looks the key up before any work: a repeat gets the first call's answer as it was.
pub async fn begin<'a, R: Message + Default>(
    requests: &'a Idempotency,
    key: Option<&'a RequestKey>,
) -> Result<Begun<'a, R>, Error> {
    requests.begin::<R, Error>(key).await
}

/// Runs `effect` in the transaction that claims the key and stores its answer (see
/// [`Fresh::finish`]).
pub async fn finish<R, F>(fresh: Fresh<'_>, effect: F) -> Result<R, Error>
where
    R: Message + Default,
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<R, Error>,
{
    fresh.finish::<R, Error, _>(effect).await
}
