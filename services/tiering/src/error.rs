//! What can go wrong in the tiering service, in domain words. The gRPC layer maps each case to
//! a status code; storage and profile trouble is sorted into "try again later" and "our bug".

use vipcare_storage::StorageError;
use vipcare_storage::idempotency::KeyReused;

use crate::domain::{Refusal, Violation};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Request fields were refused; nothing was written.
    #[error("invalid {}", .0.iter().map(|v| format!("{}: {}", v.field, v.reason)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// No such resource (`kind` is "customer", "benefit", "run", …). `id` is None when the
    /// caller named it by personal data (a mobile number): that is never repeated back.
    #[error("{kind} {} not found", .id.as_deref().unwrap_or("(unnamed)"))]
    NotFound {
        kind: &'static str,
        id: Option<String>,
    },
    /// The policy changed since the caller read it.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
    /// A run of this period is already under way.
    #[error("run {run_id} of {period} is already running")]
    RunInProgress { run_id: String, period: String },
    /// The benefit may not be used now.
    #[error("not entitled: {message}")]
    NotEntitled { refusal: Refusal, message: String },
    /// The call is allowed but not for this caller (a partner naming another partner).
    #[error("{0}")]
    Forbidden(String),
    /// A policy would drop tiers that active benefits name.
    #[error("the policy drops tiers that benefits name")]
    TiersInUse(Vec<crate::domain::TierInUse>),
    /// The request is valid but the state forbids it (a period before the last evaluated one).
    #[error("{0}")]
    Precondition(String),
    /// The database or a peer the call needs (the profile; the survey in a run) cannot be
    /// reached; the call may be retried.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or corrupt data: logged, never shown to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(violation: Violation) -> Error {
        Error::Invalid(vec![violation])
    }

    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Error {
        Error::NotFound {
            kind,
            id: Some(id.into()),
        }
    }

    /// Not found, looked up by personal data the answer must not repeat.
    pub fn not_found_unnamed(kind: &'static str) -> Error {
        Error::NotFound { kind, id: None }
    }
}

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Error::invalid(violation)
    }
}

/// A request_id first used with another request: refused, nothing happens.
impl From<KeyReused> for Error {
    fn from(reused: KeyReused) -> Self {
        Error::Invalid(vec![reused.into()])
    }
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(reason) => Error::Unavailable(reason),
            // Callers that expect a conflict (request_id, a running period) match it first.
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
