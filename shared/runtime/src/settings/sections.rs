//! The sections this crate defines: how servers serve (`[server]`), what they log and trace
//! (`[telemetry]`) and where the services reach each other (`[services]`).

use std::net::SocketAddr;

use serde::Deserialize;

use super::{SettingsError, empty_as_none, invalid};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub otlp_endpoint: Option<String>,
    pub log_level: String,
    pub log_format: String,
    /// host:port of the Prometheus scrape endpoint (`GET /metrics`); unset: none.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub metrics_listen: Option<String>,
}

impl TelemetrySettings {
    pub fn check(&self) -> Result<(), SettingsError> {
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(invalid(
                "telemetry.log_format",
                "must be \"text\" or \"json\"",
            ));
        }
        if let Some(listen) = &self.metrics_listen {
            check_listen("telemetry.metrics_listen", listen)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub max_message_bytes: usize,
    pub default_deadline_ms: u64,
    pub max_concurrent_requests: usize,
    /// After the stop signal: answering on while reporting NOT_SERVING.
    pub drain_ms: u64,
    /// Then: the most in-flight calls get to finish.
    pub shutdown_grace_ms: u64,
}

impl ServerSettings {
    pub fn check(&self) -> Result<(), SettingsError> {
        if self.max_concurrent_requests == 0 {
            return Err(invalid(
                "server.max_concurrent_requests",
                "must be at least 1",
            ));
        }
        if self.max_message_bytes < 1024 {
            return Err(invalid("server.max_message_bytes", "must be at least 1024"));
        }
        Ok(())
    }
}

/// Where the gateway and the services reach each other.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSettings {
    pub profile: String,
    pub tiering: String,
    pub reminder: String,
    pub complaint: String,
    pub survey: String,
}

impl PeerSettings {
    pub fn check(&self) -> Result<(), SettingsError> {
        for (key, url) in [
            ("services.profile", &self.profile),
            ("services.tiering", &self.tiering),
            ("services.reminder", &self.reminder),
            ("services.complaint", &self.complaint),
            ("services.survey", &self.survey),
        ] {
            // Parsed as the peers' channels will parse it, so a bad one stops nothing half-started.
            let parsed = url.parse::<http::Uri>().ok().filter(|uri| {
                matches!(uri.scheme_str(), Some("http" | "https")) && uri.authority().is_some()
            });
            if parsed.is_none() {
                return Err(invalid(
                    key,
                    format!("'{url}' must be an http:// or https:// URL with a host"),
                ));
            }
        }
        Ok(())
    }
}

/// A listen address (`<section>.listen`): host:port, port 0 for any free one.
pub fn check_listen(key: &str, listen: &str) -> Result<(), SettingsError> {
    listen
        .parse::<SocketAddr>()
        .map(drop)
        .map_err(|_| invalid(key, format!("'{listen}' is not host:port")))
}

impl Default for ServerSettings {
    /// The built-in `[server]` section.
    fn default() -> Self {
        config::Config::builder()
            .add_source(config::File::from_str(
                super::DEFAULTS,
                config::FileFormat::Toml,
            ))
            .build()
            .and_then(|defaults| defaults.get("server"))
            .expect("the built-in [server] section is valid")
    }
}
