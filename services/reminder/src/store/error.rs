//! What the store refuses, in domain words. The service's error maps each case to a status:
//! NotFound, StaleEtag (ABORTED), IllegalMove (FAILED_PRECONDITION), Invalid (INVALID_ARGUMENT),
//! Conflict (ABORTED: try again), LeaseLost (the worker drops its copy), Unavailable, Internal.

use vipcare_domain::Violation;
use vipcare_storage::StorageError;
use vipcare_storage::sea_orm::DbErr;

use crate::domain::IllegalMove;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// No such rule, template or reminder (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The rule or template changed since the caller read it.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
    /// The reminder's state forbids the move (cancelling one already sent, say).
    #[error(transparent)]
    IllegalMove(#[from] IllegalMove),
    /// Values refused (a rule change leaving an invalid rule, a page token not ours).
    #[error("invalid {}", .0.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// Another writer changed the row meanwhile, more often than retrying could absorb.
    #[error("changed concurrently: {0}")]
    Conflict(String),
    /// The caller's lease on these reminders ran out and another worker claimed them (or a
    /// receipt ended them): its result must not overwrite theirs.
    #[error("lease lost on {}", .reminder_ids.join(", "))]
    LeaseLost { reminder_ids: Vec<String> },
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
            // Writes that expect a conflict (dedupe keys, defaults) match it before this.
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
