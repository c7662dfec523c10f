//! Layered settings: built-in defaults, then a TOML file, then `VIPCARE__SECTION__KEY`
//! environment variables. Invalid settings are refused at start with one line naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

mod trust;

pub use trust::InternalSettings;

const DEFAULTS: &str = include_str!("defaults.toml");

/// The channels a gateway client can belong to.
pub const CHANNELS: &[&str] = &[
    "hall",
    "hotline",
    "web",
    "account_manager",
    "partner",
    "admin",
];

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid setting {key}: {reason}")]
    Invalid { key: String, reason: String },
    #[error("cannot read settings: {0}")]
    Source(String),
}

fn invalid(key: impl Into<String>, reason: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub profile: ServiceSettings,
    pub tiering: ServiceSettings,
    pub reminder: ServiceSettings,
    pub complaint: ServiceSettings,
    pub survey: ServiceSettings,
    pub gateway: GatewaySettings,
    pub services: PeerSettings,
    pub internal: InternalSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub url: Option<String>,
    pub max_connections: u32,
    pub connect_timeout_ms: u64,
    /// How long a `request_id` is remembered; a repeat after that acts again.
    pub idempotency_retention_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub redis_url: Option<String>,
    pub timeout_ms: u64,
    pub key_prefix: String,
    pub local_capacity: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub otlp_endpoint: Option<String>,
    pub log_level: String,
    pub log_format: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub max_message_bytes: usize,
    pub default_deadline_ms: u64,
    pub max_concurrent_requests: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettings {
    pub listen: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    pub listen: String,
    pub view_ttl_seconds: u64,
    pub grpc_web: bool,
    #[serde(default)]
    pub clients: Vec<ClientSettings>,
    /// Browser origins (`https://host[:port]`) allowed to call over gRPC-Web; empty: none.
    #[serde(default)]
    pub cors_origins: Vec<String>,
}

/// One API client of the gateway. Only the key's SHA-256 is configured, never the key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    pub name: String,
    pub channel: String,
    pub api_key_sha256: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default = "default_rate")]
    pub rate_per_second: f64,
    #[serde(default = "default_burst")]
    pub burst: u32,
}

fn default_rate() -> f64 {
    200.0
}

fn default_burst() -> u32 {
    400
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

impl DatabaseSettings {
    /// How long a `request_id` is remembered.
    pub fn idempotency_retention(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.idempotency_retention_hours.saturating_mul(3600))
    }
}

fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(d)?;
    Ok(value.filter(|s| !s.trim().is_empty()))
}

impl Default for Settings {
    fn default() -> Self {
        Self::from_toml("").expect("built-in defaults are valid")
    }
}

impl Settings {
    /// Defaults, then `file` (or the file named by `VIPCARE_CONFIG`), then environment variables.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        let env_file = std::env::var_os("VIPCARE_CONFIG").map(PathBuf::from);
        let file = file.map(Path::to_path_buf).or(env_file);
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(path) = file {
            if !path.exists() {
                return Err(SettingsError::Source(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            trust::refuse_secret_in_file(&path)?;
            builder = builder.add_source(File::from(path).format(FileFormat::Toml));
        }
        let env = Environment::with_prefix("VIPCARE")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true);
        Self::finish(builder.add_source(env))
    }

    /// Defaults, then `toml`. Environment variables are not read: tests and the suite use this.
    pub fn from_toml(toml: &str) -> Result<Settings, SettingsError> {
        Self::from_toml_layers(&[toml])
    }

    /// Defaults, then each TOML text in turn (later ones win). Environment variables are not read.
    pub fn from_toml_layers(layers: &[&str]) -> Result<Settings, SettingsError> {
        let builder = layers.iter().fold(
            Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml)),
            |builder, layer| builder.add_source(File::from_str(layer, FileFormat::Toml)),
        );
        Self::finish(builder)
    }

    fn finish(
        builder: config::ConfigBuilder<config::builder::DefaultState>,
    ) -> Result<Settings, SettingsError> {
        let mut settings: Settings = builder
            .build()
            .and_then(Config::try_deserialize)
            .map_err(describe_config_error)?;
        trust::read_secret_file(&mut settings)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what serde cannot: addresses, URLs, client definitions.
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (key, listen) in [
            ("profile.listen", &self.profile.listen),
            ("tiering.listen", &self.tiering.listen),
            ("reminder.listen", &self.reminder.listen),
            ("complaint.listen", &self.complaint.listen),
            ("survey.listen", &self.survey.listen),
            ("gateway.listen", &self.gateway.listen),
        ] {
            listen
                .parse::<SocketAddr>()
                .map_err(|_| invalid(key, format!("'{listen}' is not host:port")))?;
        }
        if let Some(url) = &self.database.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                "must start with postgres:// (leave unset for embedded SQLite)",
            ));
        }
        if let Some(url) = &self.cache.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(invalid(
                "cache.redis_url",
                "must start with redis:// or rediss://",
            ));
        }
        if self.database.idempotency_retention_hours == 0 {
            return Err(invalid(
                "database.idempotency_retention_hours",
                "must be at least 1",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if self.server.max_concurrent_requests == 0 {
            return Err(invalid(
                "server.max_concurrent_requests",
                "must be at least 1",
            ));
        }
        if self.server.max_message_bytes < 1024 {
            return Err(invalid("server.max_message_bytes", "must be at least 1024"));
        }
        if !matches!(self.telemetry.log_format.as_str(), "text" | "json") {
            return Err(invalid(
                "telemetry.log_format",
                "must be \"text\" or \"json\"",
            ));
        }
        for (key, url) in [
            ("services.profile", &self.services.profile),
            ("services.tiering", &self.services.tiering),
            ("services.reminder", &self.services.reminder),
            ("services.complaint", &self.services.complaint),
            ("services.survey", &self.services.survey),
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
        trust::validate_cors_origins(&self.gateway.cors_origins)?;
        self.validate_clients()
    }

    fn validate_clients(&self) -> Result<(), SettingsError> {
        let mut names = std::collections::HashSet::new();
        for (i, client) in self.gateway.clients.iter().enumerate() {
            let key = |field: &str| format!("gateway.clients[{i}].{field}");
            if client.name.trim().is_empty() {
                return Err(invalid(key("name"), "must not be empty"));
            }
            if !names.insert(client.name.as_str()) {
                return Err(invalid(
                    key("name"),
                    format!("'{}' is used twice", client.name),
                ));
            }
            if !CHANNELS.contains(&client.channel.as_str()) {
                return Err(invalid(
                    key("channel"),
                    format!("'{}' is not one of {}", client.channel, CHANNELS.join(", ")),
                ));
            }
            let digest = &client.api_key_sha256;
            if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(
                    key("api_key_sha256"),
                    "must be 64 hex digits (SHA-256)",
                ));
            }
            if !(client.rate_per_second.is_finite() && client.rate_per_second > 0.0) {
                return Err(invalid(key("rate_per_second"), "must be above 0"));
            }
            if client.burst == 0 {
                return Err(invalid(key("burst"), "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// One line naming the key, whatever the config crate or serde tripped over.
fn describe_config_error(err: config::ConfigError) -> SettingsError {
    use config::ConfigError;
    match err {
        ConfigError::Type {
            key: Some(ref key), ..
        } => {
            let text = err.to_string();
            invalid(key.clone(), text)
        }
        // The config crate writes `clients[0]name`; the key a person types is `clients[0].name`.
        ConfigError::NotFound(key) => {
            invalid(key.replace("]", "].").replace("].[", "]["), "missing")
        }
        ConfigError::At { error, key, .. } => match *error {
            ConfigError::Message(text) => keyed_message(key.as_deref(), &text),
            other => SettingsError::Source(other.to_string()),
        },
        ConfigError::Message(text) => keyed_message(None, &text),
        other => SettingsError::Source(other.to_string()),
    }
}

/// A message from below `section` (None: the top level). An unknown key (a typo in a file or in
/// a `VIPCARE__…` variable) is refused like a bad value, under its full name.
fn keyed_message(section: Option<&str>, text: &str) -> SettingsError {
    let unknown = text
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'));
    match (unknown, section) {
        (Some((field, known)), _) => {
            let key = section.map_or_else(|| field.to_owned(), |s| format!("{s}.{field}"));
            let known = known.trim_start_matches([',', ' ']);
            invalid(key, format!("no such setting; {known}"))
        }
        (None, Some(section)) => invalid(section, text),
        (None, None) => SettingsError::Source(text.to_owned()),
    }
}

#[cfg(test)]
mod tests;
