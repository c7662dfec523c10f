//! The API clients from settings, found by the SHA-256 of the key they present. Only digests are
//! configured, so the keys themselves never sit in a file.

use std::collections::HashMap;
use std::sync::Arc;

use crate::settings::ClientSettings;
use http::HeaderMap;
use http::header::AUTHORIZATION;
use sha2::{Digest, Sha256};
use vipcare_runtime::Caller;

use super::rate_limit::{MonotonicClock, RateClock, TokenBucket};
use super::survey_link;
use crate::error::AppError;
use crate::scopes;

/// One configured client, with everything the hot path needs rendered once at start.
#[derive(Debug)]
pub struct Client {
    pub caller: Caller,
    /// The caller headers services receive for this client.
    headers: HeaderMap,
    /// The same identity without `pii:read`, for look-ups that must come back masked.
    masked_headers: HeaderMap,
    pub(super) bucket: TokenBucket,
}

impl Client {
    /// A client whose budget refills by the real clock.
    pub fn new(caller: Caller, rate_per_second: f64, burst: u32) -> Client {
        let clock = Arc::new(MonotonicClock::default());
        Client::with_clock(caller, rate_per_second, burst, clock)
    }

    /// A client whose budget refills by `clock`.
    pub fn with_clock(
        caller: Caller,
        rate_per_second: f64,
        burst: u32,
        clock: Arc<dyn RateClock>,
    ) -> Client {
        let mut headers = HeaderMap::new();
        caller.write_to_headers(&mut headers);
        let mut masked = caller.clone();
        masked.scopes.retain(|scope| scope != scopes::PII_READ);
        let mut masked_headers = HeaderMap::new();
        masked.write_to_headers(&mut masked_headers);
        Client {
            caller,
            headers,
            masked_headers,
            bucket: TokenBucket::with_clock(rate_per_second, burst, clock),
        }
    }

    /// Whether the services return this client's reads unmasked.
    pub fn reads_pii(&self) -> bool {
        self.caller.has_scope(scopes::PII_READ)
    }

    /// The `x-vipcare-*` headers to send on this client's behalf.
    pub fn caller_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Like [`Client::caller_headers`] but never unmasking personal data.
    pub fn masked_caller_headers(&self) -> &HeaderMap {
        &self.masked_headers
    }
}

/// Every configured client by the digest of its key, and the built-in client of the survey
/// link when it is on.
#[derive(Debug, Default)]
pub struct Clients {
    by_digest: HashMap<[u8; 32], Arc<Client>>,
    survey_link: Option<Arc<Client>>,
}

impl Clients {
    /// The configured clients, their budgets on the real clock.
    pub fn from_settings(settings: &[ClientSettings]) -> Result<Clients, AppError> {
        Clients::from_settings_with_clock(settings, Arc::new(MonotonicClock::default()))
    }

    /// The configured clients, their budgets refilling by `clock`.
    pub fn from_settings_with_clock(
        settings: &[ClientSettings],
        clock: Arc<dyn RateClock>,
    ) -> Result<Clients, AppError> {
        let mut by_digest = HashMap::with_capacity(settings.len());
        for (i, client) in settings.iter().enumerate() {
            let key = |field: &str| format!("gateway.clients[{i}].{field}");
            if let Some(unknown) = client
                .scopes
                .iter()
                .find(|s| !scopes::ALL.contains(&s.as_str()))
            {
                return Err(AppError::setting(
                    key("scopes"),
                    format!(
                        "unknown scope '{unknown}' (known: {})",
                        scopes::ALL.join(", ")
                    ),
                ));
            }
            let mut digest = [0_u8; 32];
            hex::decode_to_slice(&client.api_key_sha256, &mut digest)
                .map_err(|_| AppError::setting(key("api_key_sha256"), "must be 64 hex digits"))?;
            let caller = Caller {
                client: client.name.clone(),
                channel: client.channel.clone(),
                scopes: client.scopes.clone(),
            };
            let entry = Arc::new(Client::with_clock(
                caller,
                client.rate_per_second,
                client.burst,
                clock.clone(),
            ));
            if by_digest.insert(digest, entry).is_some() {
                return Err(AppError::setting(
                    key("api_key_sha256"),
                    "the same key is configured for another client",
                ));
            }
        }
        Ok(Clients {
            by_digest,
            survey_link: None,
        })
    }

    /// Opens the survey link: keyless GetInvitation and SubmitResponse pass as the built-in
    /// `survey-link` client at `rate_per_second` (0 keeps them closed), refilling by `clock`.
    pub fn with_survey_link(
        mut self,
        rate_per_second: f64,
        burst: u32,
        clock: Arc<dyn RateClock>,
    ) -> Clients {
        self.survey_link = survey_link::client(rate_per_second, burst, clock).map(Arc::new);
        self
    }

    /// The survey link's client for a request to `path` that sent no `authorization` at all,
    /// when the link is on and `path` is one of its methods.
    pub fn keyless(&self, path: &str, headers: &HeaderMap) -> Option<Arc<Client>> {
        let link = self.survey_link.as_ref()?;
        survey_link::admits(path, headers).then(|| link.clone())
    }

    /// The client whose key the request presents as `authorization: Bearer <key>`.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Arc<Client>, Unauthenticated> {
        let key = bearer_key(headers).ok_or(Unauthenticated::Missing)?;
        let digest: [u8; 32] = Sha256::digest(key).into();
        self.by_digest
            .get(&digest)
            .cloned()
            .ok_or(Unauthenticated::Unknown)
    }
}

/// Why a request has no client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthenticated {
    Missing,
    Unknown,
}

fn bearer_key(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(AUTHORIZATION)?.as_bytes();
    let (scheme, key) = value.split_at_checked(7)?;
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return None;
    }
    let key = key.trim_ascii();
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests;
