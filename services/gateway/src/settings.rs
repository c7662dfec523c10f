//! What the gateway reads of the settings file: its own `[gateway]` section (the API clients,
//! the browser origins, the view cache) and the shared sections it runs on.

use serde::Deserialize;
use vipcare_cache::CacheSettings;
use vipcare_runtime::cli::ServiceSettings;
use vipcare_runtime::settings::{
    self, InternalSettings, PeerSettings, Sections, ServerSettings, SettingsError,
    TelemetrySettings, invalid,
};

mod clients;

pub use clients::{CHANNELS, ClientSettings};

/// Built-in defaults of `[gateway]`.
pub const DEFAULTS: &str = include_str!("settings/defaults.toml");

/// `[gateway]`.
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

impl GatewaySettings {
    /// Checks what serde cannot: the address, each client, each origin.
    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("gateway.listen", &self.listen)?;
        check_cors_origins(&self.cors_origins)?;
        clients::check(&self.clients)
    }
}

/// The sections the gateway runs on.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub internal: InternalSettings,
    /// The services it routes to and composes views from.
    pub services: PeerSettings,
    pub gateway: GatewaySettings,
}

impl Sections for Settings {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
        DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.gateway.check()?;
        self.cache.check()?;
        self.telemetry.check()?;
        self.server.check()?;
        self.services.check()?;
        self.internal.check()
    }
}

impl ServiceSettings for Settings {
    fn telemetry(&self) -> &TelemetrySettings {
        &self.telemetry
    }

    fn internal(&self) -> &InternalSettings {
        &self.internal
    }
}

/// Each CORS origin exactly as a browser sends it in `Origin`, or the gateway would never match.
fn check_cors_origins(origins: &[String]) -> Result<(), SettingsError> {
    for (i, origin) in origins.iter().enumerate() {
        let canonical = origin
            .parse::<http::Uri>()
            .ok()
            .filter(|uri| matches!(uri.scheme_str(), Some("http" | "https")))
            .and_then(|uri| {
                let authority = uri.authority()?;
                Some(format!("{}://{authority}", uri.scheme_str()?).to_ascii_lowercase())
            });
        if canonical.as_deref() != Some(origin.as_str()) || origin.contains('@') {
            return Err(invalid(
                format!("gateway.cors_origins[{i}]"),
                format!(
                    "'{origin}' is not an origin: scheme://host[:port] in lower case, no path \
                     (e.g. https://hall.example.cn)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
