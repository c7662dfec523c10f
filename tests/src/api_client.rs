//! The gateway clients every e2e suite is configured with: one per channel the flows act as,
//! each with a known key (only its SHA-256 goes into the settings, as in production), plus the
//! two ways of not being a client at all.

use sha2::{Digest, Sha256};
use tonic::metadata::{AsciiMetadataValue, MetadataKey};
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// Who the test calls the gateway as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiClient {
    /// Operator administration: every scope, personal data unmasked.
    Admin,
    /// A service hall: reads and writes customers, consumption and notes; sees masked data.
    Hall,
    /// The hotline: caller look-up and masked reads.
    Hotline,
    /// The web hall: masked reads only.
    Web,
    /// A lounge partner with a tight rate limit (burst 2, then one request per 10 s).
    Partner,
    /// The airport lounge partner of the default benefit catalogue: verifies and redeems
    /// benefits by number, nothing else. Its client name is its partner id.
    Lounge,
    /// No `authorization` header.
    NoKey,
    /// A bearer key no client was given.
    UnknownKey,
}

impl ApiClient {
    /// The configured clients (the two key-less callers are not configured).
    pub const CONFIGURED: [ApiClient; 6] = [
        ApiClient::Admin,
        ApiClient::Hall,
        ApiClient::Hotline,
        ApiClient::Web,
        ApiClient::Partner,
        ApiClient::Lounge,
    ];

    /// The name the gateway knows the client by (and writes into audit records).
    pub fn name(self) -> &'static str {
        match self {
            ApiClient::Admin => "e2e-admin",
            ApiClient::Hall => "e2e-hall",
            ApiClient::Hotline => "e2e-hotline",
            ApiClient::Web => "e2e-web",
            ApiClient::Partner => "e2e-partner",
            ApiClient::Lounge => "airport-lounges",
            ApiClient::NoKey => "no key",
            ApiClient::UnknownKey => "unknown key",
        }
    }

    /// The bearer key the client presents, if any.
    pub fn key(self) -> Option<String> {
        match self {
            ApiClient::NoKey => None,
            ApiClient::UnknownKey => Some("e2e-nobody-was-given-this-key".to_owned()),
            known => Some(format!("{}-key-5f0c1d", known.name())),
        }
    }

    fn channel(self) -> &'static str {
        match self {
            ApiClient::Admin => "admin",
            ApiClient::Hall => "hall",
            ApiClient::Hotline => "hotline",
            ApiClient::Web => "web",
            ApiClient::Partner | ApiClient::Lounge => "partner",
            ApiClient::NoKey | ApiClient::UnknownKey => "",
        }
    }

    fn scopes(self) -> &'static [&'static str] {
        match self {
            ApiClient::Admin => &[
                "customer:read",
                "customer:write",
                "customer:erase",
                "consumption:write",
                "batch:read",
                "note:write",
                "audit:read",
                "caller:lookup",
                "pii:read",
                "tier:read",
                "tier:admin",
                "churn:read",
                "reminder:read",
                "reminder:write",
                "reminder:admin",
                "event:ingest",
                "complaint:read",
                "complaint:write",
                "complaint:admin",
                "survey:read",
                "survey:write",
                "survey:admin",
                "survey:respond",
            ],
            ApiClient::Hall => &[
                "customer:read",
                "customer:write",
                "consumption:write",
                "note:write",
            ],
            ApiClient::Hotline => &[
                "caller:lookup",
                "customer:read",
                "complaint:read",
                "complaint:write",
            ],
            ApiClient::Web | ApiClient::Partner => &["customer:read"],
            ApiClient::Lounge => &["benefit:verify"],
            ApiClient::NoKey | ApiClient::UnknownKey => &[],
        }
    }

    /// `(rate_per_second, burst)`: generous except for the partner, whose limit a flow hits.
    fn rate(self) -> (f64, u32) {
        match self {
            ApiClient::Partner => (0.1, 2),
            _ => (1000.0, 2000),
        }
    }

    /// The client's `[[gateway.clients]]` entry.
    pub fn settings_toml(self) -> String {
        let key = self.key().expect("configured clients have a key");
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        let scopes: Vec<String> = self.scopes().iter().map(|s| format!("\"{s}\"")).collect();
        let (rate, burst) = self.rate();
        format!(
            "[[gateway.clients]]\nname = \"{}\"\nchannel = \"{}\"\napi_key_sha256 = \"{digest}\"\n\
             scopes = [{}]\nrate_per_second = {rate:?}\nburst = {burst}\n",
            self.name(),
            self.channel(),
            scopes.join(", ")
        )
    }

    /// Metadata the client sends on every call.
    pub fn credentials(self) -> Credentials {
        let mut credentials = Credentials::default();
        if let Some(key) = self.key() {
            credentials = credentials.with("authorization", &format!("Bearer {key}"));
        }
        credentials
    }
}

/// Headers added to every request of a generated client.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    headers: Vec<(MetadataKey<tonic::metadata::Ascii>, AsciiMetadataValue)>,
}

impl Credentials {
    /// One more header, e.g. a forged `x-vipcare-scopes` the gateway must drop.
    pub fn with(mut self, name: &str, value: &str) -> Credentials {
        let name = MetadataKey::from_bytes(name.as_bytes()).expect("valid header name");
        let value = value.parse().expect("valid header value");
        self.headers.push((name, value));
        self
    }
}

impl Interceptor for Credentials {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        for (name, value) in &self.headers {
            request.metadata_mut().insert(name.clone(), value.clone());
        }
        Ok(request)
    }
}
