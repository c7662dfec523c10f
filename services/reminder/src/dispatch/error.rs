//! What a delivery receipt can be refused for, in domain words; the service maps each case to a
//! status (NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE, and the store's own cases).

use vipcare_domain::Violation;

use crate::store::StoreError;
use crate::upstream::UpstreamError;

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// No such reminder, or no such attempt of it (`kind` says which).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// A value the receipt may not carry (an outcome providers do not report).
    #[error("{0}")]
    Invalid(Violation),
    /// The customer's channels are needed to plan what follows a failure and the directory
    /// cannot tell them now; nothing was recorded, so the receipt may be sent again.
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the service reports a refused receipt: each case keeps its meaning.
impl From<DispatchError> for crate::error::Error {
    fn from(err: DispatchError) -> Self {
        match err {
            DispatchError::NotFound { kind, id } => crate::error::Error::NotFound { kind, id },
            DispatchError::Invalid(violation) => crate::error::Error::Invalid(vec![violation]),
            DispatchError::Upstream(e) => e.into(),
            DispatchError::Store(e) => e.into(),
        }
    }
}
