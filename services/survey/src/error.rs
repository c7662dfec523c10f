//! What can go wrong in the survey service, in domain words. The gRPC layer maps each case to a
//! status (`grpc::status`) in one place; the domain's refusals (a token used or expired, an
//! invitation too soon) and the store's keep their meaning, and store, profile and tiering
//! trouble is sorted into "try again later" and "our bug".

use vipcare_domain::Violation;
use vipcare_storage::StorageError;
use vipcare_storage::idempotency::KeyReused;

use crate::domain::{TokenRefusal, TooSoon};
use crate::store::StoreError;
use crate::upstream::UpstreamError;

/// The precondition a too-early invitation breaks.
pub const SURVEY_FATIGUE: &str = "SURVEY_FATIGUE";
/// A token answered already.
pub const TOKEN_USED: &str = "TOKEN_USED";
/// A token past its 7 days.
pub const TOKEN_EXPIRED: &str = "TOKEN_EXPIRED";

/// Clone: a batch's shared failure (the database or a peer down) is every call's answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Request fields were refused; nothing was written.
    #[error("invalid {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// No such scenario, invitation, response or customer (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// Allowed in general but not now: `reason` is a stable code (`SURVEY_FATIGUE`,
    /// `TOKEN_USED`, `TOKEN_EXPIRED`), `message` says why and until when.
    #[error("{message}")]
    Precondition {
        reason: &'static str,
        message: String,
    },
    /// The caller may not do this the way it asked (a token-only client answering without one).
    #[error("{0}")]
    PermissionDenied(String),
    /// The scenario changed since the caller read it (`expected_version`).
    #[error("scenario is at version {current}, not {expected}")]
    VersionMismatch { expected: u32, current: u32 },
    /// The policy changed since the caller read it.
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
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Error {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }
}

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Error::Invalid(vec![violation])
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

/// The fatigue rule's refusal carries when the next invitation may go, in its message.
impl From<TooSoon> for Error {
    fn from(too_soon: TooSoon) -> Self {
        Error::Precondition {
            reason: SURVEY_FATIGUE,
            message: too_soon.to_string(),
        }
    }
}

impl From<TokenRefusal> for Error {
    fn from(refusal: TokenRefusal) -> Self {
        let reason = match refusal {
            TokenRefusal::Used { .. } => TOKEN_USED,
            TokenRefusal::Expired { .. } => TOKEN_EXPIRED,
        };
        Error::Precondition {
            reason,
            message: refusal.to_string(),
        }
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

    #[test]
    fn refusals_keep_their_meaning() {
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        assert!(matches!(
            Error::from(TokenRefusal::Used { at }),
            Error::Precondition {
                reason: TOKEN_USED,
                ..
            }
        ));
        assert!(matches!(
            Error::from(TokenRefusal::Expired { at }),
            Error::Precondition {
                reason: TOKEN_EXPIRED,
                ..
            }
        ));
        let too_soon = TooSoon {
            last_invited_at: at,
            next_allowed_at: Utc.with_ymd_and_hms(2026, 6, 15, 0, 0, 0).unwrap(),
            min_days: 14,
        };
        let Error::Precondition { reason, message } = Error::from(too_soon) else {
            panic!("too soon is a precondition");
        };
        assert_eq!(reason, SURVEY_FATIGUE);
        assert!(message.contains("2026-06-15"), "{message}");
    }

    #[test]
    fn store_trouble_is_sorted() {
        assert!(matches!(
            Error::from(StoreError::VersionMismatch {
                expected: 1,
                current: 2
            }),
            Error::VersionMismatch {
                expected: 1,
                current: 2
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
