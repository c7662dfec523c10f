//! `[[gateway.clients]]`: who may call, from which channel, with which scopes and how fast.
//! Only each API key's SHA-256 is configured, never the key.

use serde::Deserialize;
use vipcare_runtime::settings::{SettingsError, invalid};

/// The channels a gateway client can belong to.
pub const CHANNELS: &[&str] = &[
    "hall",
    "hotline",
    "web",
    "account_manager",
    "partner",
    "admin",
];

/// One API client of the gateway.
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

/// Names, channels, digests and rates; scopes and keys used twice are judged when the clients
/// are built (`edge::Clients`), where the policy table is known.
pub(super) fn check(clients: &[ClientSettings]) -> Result<(), SettingsError> {
    let mut names = std::collections::HashSet::new();
    for (i, client) in clients.iter().enumerate() {
        let key = |field: &str| format!("gateway.clients[{i}].{field}");
        if client.name.trim().is_empty() {
            return Err(invalid(key("name"), "must not be empty"));
        }
        if client.name == crate::edge::survey_link::CLIENT_NAME {
            // Services trust this name to mean a customer with a one-time token, nothing more.
            return Err(invalid(
                key("name"),
                format!(
                    "'{}' is the gateway's built-in client of the survey link",
                    client.name
                ),
            ));
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
