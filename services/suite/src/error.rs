//! Why the suite could not start or stopped. Setting problems are kept apart from the rest so
//! `vipcare up` can exit with code 2 and one line naming the key.

use vipcare_runtime::settings::SettingsError;

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// A setting is wrong; nothing was started.
    #[error("invalid setting {key}: {reason}")]
    Setting { key: String, reason: String },
    /// The settings could not be read at all (a missing file, a syntax error).
    #[error("{0}")]
    Settings(String),
    /// A service could not be built (its port is taken, its database is unreachable, ...).
    #[error("{service} did not start: {reason}")]
    Start {
        service: &'static str,
        reason: String,
    },
    /// A service was started but never reported SERVING on its health check.
    #[error("{service} never reported SERVING")]
    NotReady { service: &'static str },
    /// A running service failed or stopped by itself; the suite stopped with it.
    #[error("{service} stopped: {reason}")]
    Stopped {
        service: &'static str,
        reason: String,
    },
}

impl SuiteError {
    /// Whether the operator has to fix the settings (exit code 2) rather than the environment.
    pub fn is_setting(&self) -> bool {
        matches!(self, SuiteError::Setting { .. } | SuiteError::Settings(_))
    }
}

impl From<SettingsError> for SuiteError {
    fn from(err: SettingsError) -> Self {
        match err {
            SettingsError::Invalid { key, reason } => SuiteError::Setting { key, reason },
            SettingsError::Source(reason) => SuiteError::Settings(reason),
        }
    }
}

impl From<vipcare_cache::CacheError> for SuiteError {
    fn from(err: vipcare_cache::CacheError) -> Self {
        match err {
            vipcare_cache::CacheError::InvalidUrl(reason) => SuiteError::Setting {
                key: "cache.redis_url".into(),
                reason,
            },
        }
    }
}

impl From<vipcare_gateway::AppError> for SuiteError {
    fn from(err: vipcare_gateway::AppError) -> Self {
        match err {
            vipcare_gateway::AppError::Setting { key, reason } => {
                SuiteError::Setting { key, reason }
            }
            vipcare_gateway::AppError::Serve(err) => SuiteError::Start {
                service: "gateway",
                reason: err.to_string(),
            },
        }
    }
}
