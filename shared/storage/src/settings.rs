//! `[database]` and the top-level `data_dir`: where each service keeps its data.

use std::time::Duration;

use serde::Deserialize;
use vipcare_domain::{Invalid, Violation};

/// Built-in defaults of `data_dir` and `[database]`.
pub const DEFAULTS: &str = include_str!("settings/defaults.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Unset or empty: embedded SQLite under `data_dir`.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub url: Option<String>,
    pub max_connections: u32,
    pub connect_timeout_ms: u64,
    /// How long a `request_id` is remembered; a repeat after that acts again.
    pub idempotency_retention_hours: u64,
}

impl DatabaseSettings {
    /// How long a `request_id` is remembered.
    pub fn idempotency_retention(&self) -> Duration {
        Duration::from_secs(self.idempotency_retention_hours.saturating_mul(3600))
    }

    /// Checks what serde cannot; the violation names the key under `database.`.
    pub fn check(&self) -> Result<(), Violation> {
        if let Some(url) = &self.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(Invalid::new(
                "must start with postgres:// (leave unset for embedded SQLite)",
            )
            .at("database.url"));
        }
        if self.idempotency_retention_hours == 0 {
            return Err(
                Invalid::new("must be at least 1").at("database.idempotency_retention_hours")
            );
        }
        if self.max_connections == 0 {
            return Err(Invalid::new("must be at least 1").at("database.max_connections"));
        }
        Ok(())
    }
}

/// `""` and unset alike mean embedded (an empty `VIPCARE__DATABASE__URL=` included).
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(d)?;
    Ok(value.filter(|s| !s.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded() -> DatabaseSettings {
        DatabaseSettings {
            url: None,
            max_connections: 16,
            connect_timeout_ms: 30_000,
            idempotency_retention_hours: 24,
        }
    }

    #[test]
    fn refusals_name_the_key() {
        assert_eq!(embedded().check(), Ok(()));
        let mysql = DatabaseSettings {
            url: Some("mysql://x".into()),
            ..embedded()
        };
        assert_eq!(mysql.check().unwrap_err().field, "database.url");
        let forgetful = DatabaseSettings {
            idempotency_retention_hours: 0,
            ..embedded()
        };
        assert_eq!(
            forgetful.check().unwrap_err().field,
            "database.idempotency_retention_hours"
        );
        let no_pool = DatabaseSettings {
            max_connections: 0,
            ..embedded()
        };
        assert_eq!(
            no_pool.check().unwrap_err().field,
            "database.max_connections"
        );
    }
}
