//! What can go wrong in the profile service, in domain words. The gRPC layer maps each case to
//! a status code; storage trouble is sorted into "try again later" and "our bug".

use vipcare_storage::StorageError;
use vipcare_storage::idempotency::KeyReused;

use crate::domain::Violation;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field was refused; nothing was written.
    #[error("invalid {}: {}", .0.field, .0.reason)]
    Invalid(Violation),
    /// No such resource (`kind` is "customer", "relation", …).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// No customer has the mobile number asked for. The number is personal data, so neither
    /// the message nor the details repeat it.
    #[error("no customer has this msisdn")]
    MsisdnNotFound,
    /// Another customer already has this mobile number.
    #[error("msisdn already belongs to another customer")]
    MsisdnTaken,
    /// The customer changed since the caller read it.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
    /// The customer's personal data was erased; it can no longer be changed.
    #[error("customer {0} has been erased")]
    Erased(String),
    /// The database cannot be reached; the call may be retried.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A bug or corrupt data: logged, never shown to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn customer_not_found(id: impl Into<String>) -> Error {
        Error::NotFound {
            kind: "customer",
            id: id.into(),
        }
    }
}

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Error::Invalid(violation)
    }
}

/// A request_id first used with another request: refused, nothing happens.
impl From<KeyReused> for Error {
    fn from(reused: KeyReused) -> Self {
        Error::Invalid(reused.into())
    }
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(reason) => Error::Unavailable(reason),
            // Callers that expect a conflict (msisdn, request_id) match it before converting.
            StorageError::UniqueViolation(reason) | StorageError::Other(reason) => {
                Error::Internal(reason)
            }
        }
    }
}

impl From<vipcare_storage::sea_orm::DbErr> for Error {
    fn from(err: vipcare_storage::sea_orm::DbErr) -> Self {
        StorageError::from(err).into()
    }
}
