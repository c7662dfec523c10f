//! What can go wrong in the reminder service, in domain words. The gRPC layer maps each case to
//! a status (`grpc::status`); store, profile and tiering trouble is sorted here into "try again
//! later" and "our bug", and the store's refusals keep their meaning.

use vipcare_domain::Violation;
use vipcare_storage::StorageError;
use vipcare_storage::idempotency::KeyReused;

use crate::domain::IllegalMove;
use crate::store::StoreError;
use crate::upstream::UpstreamError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Request fields were refused; nothing was written.
    #[error("invalid {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// No such customer, rule, template, reminder or attempt (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The rule changed since the caller read it.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
    /// The reminder's state forbids what was asked (cancelling one already sent).
    #[error(transparent)]
    IllegalMove(#[from] IllegalMove),
    /// Another writer changed the resource meanwhile; the call may be retried as it is.
    #[error("changed concurrently: {0}")]
    Conflict(String),
    /// The database, the profile or tiering cannot be reached; the call may be retried.
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
            id: id.into(),
        }
    }
}

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Error::invalid(violation)
    }
}

impl From<Vec<Violation>> for Error {
    fn from(violations: Vec<Violation>) -> Self {
        Error::Invalid(violations)
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
        StoreError::from(err).into()
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { kind, id } => Error::NotFound { kind, id },
            StoreError::StaleEtag { given, current } => Error::StaleEtag { given, current },
            StoreError::IllegalMove(illegal) => Error::IllegalMove(illegal),
            StoreError::Invalid(violations) => Error::Invalid(violations),
            StoreError::Conflict(reason) => Error::Conflict(reason),
            // A caller outside a lease met a worker's claim (a receipt while a retry is being
            // sent): the reminder moved under it, so the call is retried as any conflict.
            StoreError::LeaseLost { reminder_ids } => {
                Error::Conflict(format!("reminders claimed meanwhile: {reminder_ids:?}"))
            }
            StoreError::Unavailable(reason) => Error::Unavailable(reason),
            StoreError::Internal(reason) => Error::Internal(reason),
        }
    }
}

/// The profile or tiering could not say who the customer is: try again later. An answer that
/// breaks the contract is a fault, logged as ours.
impl From<UpstreamError> for Error {
    fn from(err: UpstreamError) -> Self {
        match err {
            UpstreamError::Unavailable { .. } => Error::Unavailable(err.to_string()),
            UpstreamError::Unexpected { .. } => Error::Internal(err.to_string()),
        }
    }
}

impl From<vipcare_storage::sea_orm::DbErr> for Error {
    fn from(err: vipcare_storage::sea_orm::DbErr) -> Self {
        StorageError::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Reason, ReminderState};
    use vipcare_domain::Invalid;

    #[test]
    fn store_refusals_keep_their_meaning() {
        let illegal = IllegalMove {
            from: ReminderState::Sent,
            to: ReminderState::Cancelled,
            reason: Reason::CancelRequested,
        };
        assert!(matches!(
            Error::from(StoreError::IllegalMove(illegal.clone())),
            Error::IllegalMove(i) if i == illegal
        ));
        assert!(matches!(
            Error::from(StoreError::not_found("reminder", "r-1")),
            Error::NotFound { kind: "reminder", id } if id == "r-1"
        ));
        assert!(matches!(
            Error::from(StoreError::LeaseLost {
                reminder_ids: vec!["r-1".into()]
            }),
            Error::Conflict(_)
        ));
        assert!(matches!(
            Error::from(StorageError::Unavailable("down".into())),
            Error::Unavailable(_)
        ));
        assert!(matches!(
            Error::from(StorageError::UniqueViolation("dup".into())),
            Error::Internal(_)
        ));
    }

    #[test]
    fn a_reused_request_id_names_the_field() {
        let Error::Invalid(found) = Error::from(KeyReused) else {
            panic!("a reused key is a refused field");
        };
        assert_eq!(found[0].field, "request_id");
        let Error::Invalid(found) = Error::from(Invalid::new("bad").at("deadline")) else {
            panic!("a violation is a refused field");
        };
        assert_eq!(found[0].field, "deadline");
    }
}
