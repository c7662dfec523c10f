//! What can go wrong in the complaint service, in domain words. The gRPC layer maps each case
//! to a status (`grpc::status`) in one place; the domain's refusals and the store's keep their
//! meaning, and store, profile and tiering trouble is sorted into "try again later" and "our
//! bug".

use vipcare_domain::Violation;
use vipcare_storage::StorageError;
use vipcare_storage::idempotency::KeyReused;

use crate::domain::{
    AlreadyFulfilled, ClockError, CompensationState, DecisionRefusal, IllegalMove, Refusal,
};
use crate::store::StoreError;
use crate::upstream::UpstreamError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Request fields were refused; nothing was written.
    #[error("invalid {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// No such customer, complaint, promise or compensation (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The complaint's state forbids the move, whatever its values.
    #[error(transparent)]
    IllegalMove(#[from] IllegalMove),
    /// Allowed from this state but not now, or no longer possible (a promise kept already, a
    /// compensation decided): `reason` is a stable code, `message` says why.
    #[error("{message}")]
    Precondition {
        reason: &'static str,
        message: String,
    },
    /// The complaint moved on since the caller read it (`expected_version`).
    #[error("complaint is at version {current}, not {expected}")]
    VersionMismatch { expected: u64, current: u64 },
    /// The SLA policy changed since the caller read it.
    #[error("etag {given:?} is stale; the current one is {current:?}")]
    StaleEtag { given: String, current: String },
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

    fn decided(state: CompensationState) -> Error {
        Error::Precondition {
            reason: "COMPENSATION_DECIDED",
            message: format!("the compensation is {} already", state.code()),
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

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Illegal(illegal) => Error::IllegalMove(illegal),
            Refusal::Invalid(violation) => Error::invalid(violation),
            Refusal::TooEarly { .. } => Error::Precondition {
                reason: "TOO_EARLY",
                message: refusal.to_string(),
            },
            Refusal::TooLate { .. } => Error::Precondition {
                reason: "TOO_LATE",
                message: refusal.to_string(),
            },
        }
    }
}

impl From<AlreadyFulfilled> for Error {
    fn from(done: AlreadyFulfilled) -> Self {
        Error::Precondition {
            reason: "PROMISE_FULFILLED",
            message: done.to_string(),
        }
    }
}

impl From<DecisionRefusal> for Error {
    fn from(refusal: DecisionRefusal) -> Self {
        match refusal {
            DecisionRefusal::Decided { state } => Error::decided(state),
            DecisionRefusal::Invalid(violation) => Error::invalid(violation),
        }
    }
}

/// The lifecycle decides which clock facts a move records, so a clock refusing one is a
/// disagreement between the two: our bug, never the caller's.
impl From<ClockError> for Error {
    fn from(err: ClockError) -> Self {
        Error::Internal(format!("SLA clock: {err}"))
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { kind, id } => Error::NotFound { kind, id },
            StoreError::VersionMismatch { expected, current } => {
                Error::VersionMismatch { expected, current }
            }
            StoreError::StaleEtag { given, current } => Error::StaleEtag { given, current },
            StoreError::AlreadyFulfilled(done) => done.into(),
            StoreError::Decided(state) => Error::decided(state),
            StoreError::Invalid(violations) => Error::Invalid(violations),
            StoreError::Unavailable(reason) => Error::Unavailable(reason),
            StoreError::Internal(reason) => Error::Internal(reason),
        }
    }
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        StoreError::from(err).into()
    }
}

impl From<vipcare_storage::sea_orm::DbErr> for Error {
    fn from(err: vipcare_storage::sea_orm::DbErr) -> Self {
        StoreError::from(err).into()
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::{ComplaintState, MoveName};

    #[test]
    fn refusals_keep_their_meaning() {
        let illegal = IllegalMove {
            from: ComplaintState::Closed,
            move_name: MoveName::Transfer,
        };
        assert!(matches!(
            Error::from(Refusal::Illegal(illegal.clone())),
            Error::IllegalMove(i) if i == illegal
        ));
        let late = Refusal::TooLate {
            move_name: MoveName::Reopen,
            not_after: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        };
        assert!(matches!(
            Error::from(late),
            Error::Precondition {
                reason: "TOO_LATE",
                ..
            }
        ));
        assert!(matches!(
            Error::from(StoreError::Decided(CompensationState::Approved)),
            Error::Precondition {
                reason: "COMPENSATION_DECIDED",
                ..
            }
        ));
    }

    #[test]
    fn store_trouble_is_sorted() {
        assert!(matches!(
            Error::from(StoreError::VersionMismatch {
                expected: 3,
                current: 4
            }),
            Error::VersionMismatch {
                expected: 3,
                current: 4
            }
        ));
        assert!(matches!(
            Error::from(StorageError::Unavailable("down".into())),
            Error::Unavailable(_)
        ));
        assert!(matches!(
            Error::from(StorageError::UniqueViolation("dup".into())),
            Error::Internal(_)
        ));
        let Error::Invalid(found) = Error::from(KeyReused) else {
            panic!("a reused key is a refused field");
        };
        assert_eq!(found[0].field, "request_id");
    }
}
