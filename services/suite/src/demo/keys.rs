//! Demo API keys: one client per channel plus an admin, with fresh random keys on every run.
//! Only the keys' SHA-256 digests go into the gateway's settings, as for real clients; the keys
//! themselves are printed once for the operator and never stored.

use rand::RngCore;
use sha2::{Digest, Sha256};
use vipcare_gateway::settings::ClientSettings;
use vipcare_runtime::Caller;

/// Every scope the gateway knows (the admin holds them all).
const ALL_SCOPES: &[&str] = vipcare_gateway::scopes::ALL;

/// The demo partner: the airport lounges of the seeded catalogue.
pub const DEMO_PARTNER: &str = "airport-lounges";

/// Requests per second a demo client may make: far above what one machine can send.
const DEMO_RATE: f64 = 1_000_000.0;

/// The demo clients: channel and the scopes a system of that channel needs.
const DEMO_CLIENTS: &[(&str, &[&str])] = &[
    (
        "hall",
        &[
            "customer:read",
            "customer:write",
            "note:write",
            "caller:lookup",
            "tier:read",
            "benefit:verify",
            "complaint:read",
            "complaint:write",
            "survey:read",
            "survey:write",
        ],
    ),
    (
        "hotline",
        &[
            "caller:lookup",
            "customer:read",
            "note:write",
            "tier:read",
            "complaint:read",
            "complaint:write",
            "survey:read",
            "survey:write",
        ],
    ),
    ("web", &["customer:read", "tier:read"]),
    (
        "account_manager",
        &[
            "customer:read",
            "customer:write",
            "note:write",
            "pii:read",
            "consumption:write",
            "tier:read",
            "churn:read",
            "benefit:verify",
            "complaint:read",
            "complaint:write",
            "survey:read",
            "survey:write",
        ],
    ),
    // A partner only verifies and redeems benefits, as itself: its client name is the partner
    // id the benefit catalogue lists.
    ("partner", &["benefit:verify"]),
    ("admin", ALL_SCOPES),
];

/// One generated client and its key.
#[derive(Clone)]
pub struct DemoKey {
    /// The client's name, e.g. `demo-hall`.
    pub client: String,
    pub channel: &'static str,
    pub scopes: &'static [&'static str],
    /// The bearer key, 64 hex digits.
    pub key: String,
}

impl std::fmt::Debug for DemoKey {
    // Keys stay out of logs; they are printed once, on purpose, by the banner.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoKey")
            .field("client", &self.client)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl DemoKey {
    /// The gateway client this key belongs to. Demo clients are not throttled in practice, so
    /// a local benchmark can drive them; real clients get `gateway.clients[].rate_per_second`.
    pub fn client_settings(&self) -> ClientSettings {
        ClientSettings {
            name: self.client.clone(),
            channel: self.channel.to_owned(),
            api_key_sha256: sha256_hex(&self.key),
            scopes: self.scopes.iter().map(|s| (*s).to_owned()).collect(),
            rate_per_second: DEMO_RATE,
            burst: DEMO_RATE as u32,
        }
    }

    /// The identity the gateway would give this client's calls, for talking to a service
    /// directly (the demo loader does).
    pub fn caller(&self) -> Caller {
        Caller::new(&self.client, self.channel, self.scopes)
    }
}

/// The keys of one `vipcare up --demo` run.
#[derive(Debug, Clone)]
pub struct DemoKeys {
    keys: Vec<DemoKey>,
}

impl DemoKeys {
    /// 32 random bytes per key from the OS-seeded generator.
    pub fn generate() -> DemoKeys {
        let mut rng = rand::rng();
        let keys = DEMO_CLIENTS
            .iter()
            .map(|&(channel, scopes)| {
                let mut bytes = [0_u8; 32];
                rng.fill_bytes(&mut bytes);
                DemoKey {
                    client: match channel {
                        "partner" => DEMO_PARTNER.to_owned(),
                        _ => format!("demo-{}", channel.replace('_', "-")),
                    },
                    channel,
                    scopes,
                    key: hex::encode(bytes),
                }
            })
            .collect();
        DemoKeys { keys }
    }

    pub fn iter(&self) -> impl Iterator<Item = &DemoKey> {
        self.keys.iter()
    }

    /// The key of `channel` ("hall", "hotline", "web", "account_manager", "partner", "admin").
    pub fn for_channel(&self, channel: &str) -> &DemoKey {
        self.keys
            .iter()
            .find(|k| k.channel == channel)
            .unwrap_or_else(|| panic!("no demo key for channel {channel}"))
    }

    pub fn admin(&self) -> &DemoKey {
        self.for_channel("admin")
    }

    /// Adds the demo clients to the gateway's configured ones (before the gateway starts).
    pub fn register(&self, clients: &mut Vec<ClientSettings>) {
        clients.extend(self.keys.iter().map(DemoKey::client_settings));
    }
}

/// Lowercase hex SHA-256, the form `gateway.clients[].api_key_sha256` takes.
pub fn sha256_hex(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_per_channel_plus_admin_all_different() {
        let keys = DemoKeys::generate();
        let channels: Vec<_> = keys.iter().map(|k| k.channel).collect();
        assert_eq!(
            channels,
            [
                "hall",
                "hotline",
                "web",
                "account_manager",
                "partner",
                "admin"
            ]
        );
        let mut distinct: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 6);
        assert!(keys.iter().all(|k| k.key.len() == 64));
        assert_ne!(DemoKeys::generate().admin().key, keys.admin().key);
    }

    #[test]
    fn settings_carry_the_digest_not_the_key() {
        let keys = DemoKeys::generate();
        let mut clients = Vec::new();
        keys.register(&mut clients);
        let hall = clients.iter().find(|c| c.channel == "hall").unwrap();
        assert_eq!(
            hall.api_key_sha256,
            sha256_hex(&keys.for_channel("hall").key)
        );
        assert_ne!(hall.api_key_sha256, keys.for_channel("hall").key);
        assert_eq!(hall.name, "demo-hall");
        let admin = clients.iter().find(|c| c.channel == "admin").unwrap();
        assert_eq!(admin.scopes.len(), ALL_SCOPES.len());
        let web = clients.iter().find(|c| c.channel == "web").unwrap();
        assert_eq!(web.scopes, ["customer:read", "tier:read"]);
        let partner = clients.iter().find(|c| c.channel == "partner").unwrap();
        assert_eq!(partner.name, DEMO_PARTNER);
        assert_eq!(partner.scopes, ["benefit:verify"]);
        assert!(web.rate_per_second > 100_000.0 && web.burst > 100_000);
    }

    #[test]
    fn the_digest_is_lowercase_sha256_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
