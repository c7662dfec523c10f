//! What a handler reads besides the message: who is calling (as the gateway identified them,
//! or a sibling service), and the key of the request_id flow every side-effecting call goes
//! through (`Idempotency::begin` → check → `Fresh::finish`). A repeat is answered from the
//! stored response before anything is checked or called again — before any version check too,
//! so a retried move whose first answer was lost gets that answer, not ABORTED.

use prost::Message;
use tonic::metadata::MetadataMap;
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::RequestKey;

use crate::error::Error;

/// The key of a call of `method` carrying `request` with `request_id`, scoped to the calling
/// client; `None` without a request_id. A malformed request_id is a field violation.
pub fn key(
    metadata: &MetadataMap,
    method: &str,
    request_id: &str,
    request: &impl Message,
) -> Result<Option<RequestKey>, Error> {
    let caller = Caller::from_metadata(metadata);
    Ok(RequestKey::of(&caller.client, method, request_id, request)?)
}
