//! What can go wrong, in the gateway's words: at start ([`AppError`]) and per request
//! ([`GatewayError`], turned into a gRPC status in `grpc::status`).

use tonic::Code;
use vipcare_runtime::server::ServeError;

/// Why the gateway could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid setting {key}: {reason}")]
    Setting { key: String, reason: String },
    #[error(transparent)]
    Serve(#[from] ServeError),
}

impl From<vipcare_runtime::settings::SettingsError> for AppError {
    fn from(err: vipcare_runtime::settings::SettingsError) -> Self {
        use vipcare_runtime::settings::SettingsError;
        match err {
            SettingsError::Invalid { key, reason } => AppError::Setting { key, reason },
            SettingsError::Source(reason) => AppError::Setting {
                key: "(settings)".into(),
                reason,
            },
        }
    }
}

impl AppError {
    pub fn setting(key: impl Into<String>, reason: impl Into<String>) -> AppError {
        AppError::Setting {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// Why a ChannelService call failed.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The request is malformed; nothing was asked of the services.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    /// The edge did not identify the caller (only possible if the handler is reached directly).
    #[error("unauthenticated")]
    Unauthenticated,
    /// A service answered with a status meant for the client (not found, invalid, ...): passed on.
    #[error("{service} answered {}", .status.code())]
    Refused {
        service: &'static str,
        status: tonic::Status,
    },
    #[error("the {0} service is unavailable")]
    Unavailable(&'static str),
    #[error("the {0} service did not answer in time")]
    DeadlineExceeded(&'static str),
    /// Something that should not happen; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl GatewayError {
    /// Classifies a status a service answered with.
    pub fn from_upstream(service: &'static str, status: tonic::Status) -> GatewayError {
        match status.code() {
            Code::InvalidArgument
            | Code::NotFound
            | Code::AlreadyExists
            | Code::PermissionDenied
            | Code::FailedPrecondition
            | Code::Aborted
            | Code::OutOfRange
            | Code::ResourceExhausted => GatewayError::Refused { service, status },
            Code::Unavailable => GatewayError::Unavailable(service),
            Code::DeadlineExceeded | Code::Cancelled => GatewayError::DeadlineExceeded(service),
            Code::Ok
            | Code::Unknown
            | Code::Unimplemented
            | Code::Internal
            | Code::DataLoss
            | Code::Unauthenticated => GatewayError::Internal(format!(
                "{service} answered {:?}: {}",
                status.code(),
                status.message()
            )),
        }
    }
}
