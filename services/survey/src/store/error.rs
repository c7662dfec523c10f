//! What the store refuses, in domain words. The service's error maps each case to a status:
//! NotFound, VersionMismatch and StaleEtag (ABORTED), Invalid (INVALID_ARGUMENT), Unavailable,
//! Internal.

use vipcare_domain::{Invalid, Violation};
use vipcare_storage::StorageError;
use vipcare_storage::sea_orm::DbErr;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// No such scenario, scenario version, invitation or response (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// A scenario was changed since the caller read it (or created, when `expected` is 0):
    /// nothing was written.
    #[error("scenario is at version {current}, not {expected}")]
    VersionMismatch { expected: u32, current: u32 },
    /// The policy changed since the caller read it: nothing was written.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
    /// Values refused (a page token not ours, or not of these filters; too many ids).
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

    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> StoreError {
        StoreError::Invalid(vec![Invalid::new(reason).at(field)])
    }
}

impl From<StorageError> for StoreError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(reason) => StoreError::Unavailable(reason),
            // Writes that expect a conflict (a version taken) say so in SQL, not here.
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

/// A value that does not encode: a bug.
pub(crate) fn unencodable(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{what} does not encode: {detail}"))
}
