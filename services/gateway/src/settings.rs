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
    /// Calls per second of the built-in `survey-link` client: customers opening and answering
    /// an invitation from its link, with no API key. 0: no call goes through without a key.
    pub survey_link_per_second: f64,
    /// How many calls the `survey-link` client may make at once above its rate.
    pub survey_link_burst: u32,
}

impl GatewaySettings {
    /// Checks what serde cannot: the address, each client, each origin, the survey link.
    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("gateway.listen", &self.listen)?;
        check_cors_origins(&self.cors_origins)?;
        if !(self.survey_link_per_second.is_finite() && self.survey_link_per_second >= 0.0) {
            return Err(invalid(
                "gateway.survey_link_per_second",
                "must be 0 (no survey link without a key) or above",
            ));
        }
        if self.survey_link_burst == 0 {
            return Err(invalid("gateway.survey_link_burst", "must be at least 1"));
        }
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
