//! What the store refuses, in domain words. The service's error maps each case to a status:
//! NotFound, VersionMismatch and StaleEtag (ABORTED), AlreadyFulfilled and Decided
//! (FAILED_PRECONDITION), Invalid (INVALID_ARGUMENT), Unavailable, Internal.

use vipcare_domain::Violation;
use vipcare_storage::StorageError;
use vipcare_storage::sea_orm::DbErr;

use crate::domain::{AlreadyFulfilled, CompensationState};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// No such complaint, promise or compensation (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The complaint moved on since the caller read it: nothing was written.
    #[error("complaint is at version {current}, not {expected}")]
    VersionMismatch { expected: u64, current: u64 },
    /// The SLA policy changed since the caller read it: nothing was written.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
    /// The promise was kept already, perhaps by a concurrent call.
    #[error(transparent)]
    AlreadyFulfilled(#[from] AlreadyFulfilled),
    /// The compensation was approved or rejected already, perhaps by a concurrent call.
    #[error("the compensation is {} already", .0.code())]
    Decided(CompensationState),
    /// Values refused (a page token not ours, or not of these filters).
    #[error("invalid {}", .0.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// The database cannot be reached; the call may be retried.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or corrupt data: logged, never shown to a caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> StoreError {
        StoreError::NotFound {
            kind,
            id: id.into(),
        }
    }
}

impl From<StorageError> for StoreError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(reason) => StoreError::Unavailable(reason),
            // Writes that expect a conflict (a level fired twice) say so in SQL, not here.
            StorageError::UniqueViolation(reason) | StorageError::Other(reason) => {
                StoreError::Internal(reason)
            }
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StorageError::from(err).into()
    }
}

/// A stored value that no longer decodes: corrupt data, reported as an internal error.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("stored {what} does not decode: {detail}"))
}
