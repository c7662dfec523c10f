//! Services trust no one but the gateway and each other. Every internal call (the gateway's
//! proxy and views, tiering's reads of the profile, the demo loader, an outbox relay's
//! deliveries) carries `x-vipcare-internal: v1.<unix seconds>.<HMAC-SHA256>`, signed with the
//! shared `internal.secret` over that time and the caller headers it travels with. Every service
//! answers a call without a valid one UNAUTHENTICATED (health and reflection excepted, so probes
//! and grpcurl `list` work), which is what makes the caller headers believable.
//!
//! A signature rather than the secret itself: the secret never travels, and a credential seen in
//! a log or a packet capture is good for [`MAX_AGE`] and only for the caller and scopes it was
//! signed with, so it cannot be replayed with `pii:read` added. A shared secret rather than
//! mutual TLS: nothing to issue, rotate or mount for `vipcare up` (it makes a random secret in
//! process), it passes wherever headers pass, and in Kubernetes it is one Secret. Mutual TLS
//! would also encrypt the traffic; add it at the mesh if that is wanted.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use ring::hmac;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use crate::caller::{CHANNEL_HEADER, CLIENT_HEADER, SCOPES_HEADER};

mod guard;
#[cfg(test)]
mod tests;

pub use guard::{RequireCredential, RequireCredentialLayer};

/// The credential header. It starts with `x-vipcare-`, so the gateway drops any a client sends.
pub const HEADER: &str = "x-vipcare-internal";
/// How old (or, with clocks apart, how far ahead) a credential may be. Calls are signed as they
/// are sent, so this only has to cover clock skew between pods.
pub const MAX_AGE: Duration = Duration::from_secs(300);
/// Shortest secret accepted: 32 characters, e.g. `openssl rand -hex 32` gives 64.
pub const MIN_SECRET_LEN: usize = 32;
const VERSION: &str = "v1";
/// What a credential vouches for besides its time: who the call is made for.
const SIGNED_HEADERS: [&str; 3] = [CLIENT_HEADER, CHANNEL_HEADER, SCOPES_HEADER];

/// The shared secret. Never printed: its Debug output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct InternalSecret(String);

impl std::fmt::Debug for InternalSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InternalSecret(redacted)")
    }
}

impl InternalSecret {
    /// A secret from text (surrounding whitespace, such as a file's last newline, is dropped).
    pub fn new(text: &str) -> Result<InternalSecret, String> {
        let text = text.trim();
        if text.len() < MIN_SECRET_LEN {
            return Err(format!(
                "must be at least {MIN_SECRET_LEN} characters (e.g. `openssl rand -hex 32`)"
            ));
        }
        Ok(InternalSecret(text.to_owned()))
    }

    /// 32 random bytes as hex, for a suite that was given none (`vipcare up`, tests).
    pub fn generate() -> InternalSecret {
        use ring::rand::SecureRandom;
        let mut bytes = [0_u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system provides randomness");
        InternalSecret(hex::encode(bytes))
    }

    /// The secret's text, for handing it to a process this one starts.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Signs outgoing calls and checks incoming ones. Cheap to clone.
#[derive(Clone)]
pub struct InternalCredential {
    /// Shared: every signed channel and interceptor holds one.
    key: Arc<hmac::Key>,
}

impl std::fmt::Debug for InternalCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InternalCredential")
    }
}

/// Why an incoming call's credential was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no internal credential")]
    Missing,
    #[error("malformed internal credential")]
    Malformed,
    #[error("internal credential outside its time window (clocks apart, or replayed)")]
    Expired,
    #[error("internal credential does not match (another secret, or altered caller headers)")]
    Forged,
}

/// A generated client's channel that signs every call on it.
pub type InternalChannel = InterceptedService<Channel, InternalCredential>;

impl InternalCredential {
    pub fn new(secret: &InternalSecret) -> InternalCredential {
        InternalCredential {
            key: Arc::new(hmac::Key::new(hmac::HMAC_SHA256, secret.0.as_bytes())),
        }
    }

    /// `channel` with every call signed: give it to a generated client.
    pub fn channel(&self, channel: Channel) -> InternalChannel {
        InterceptedService::new(channel, self.clone())
    }

    /// Signs `headers` as they are now (set the caller headers first), replacing any credential
    /// they carried.
    pub fn stamp(&self, headers: &mut HeaderMap) {
        self.stamp_at(headers, unix_now());
    }

    /// Checks the credential of an incoming call against its caller headers and the time.
    pub fn verify(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        self.verify_at(headers, unix_now())
    }

    fn stamp_at(&self, headers: &mut HeaderMap, now: u64) {
        let tag = hmac::sign(&self.key, &signed_text(now, headers));
        let value = format!("{VERSION}.{now}.{}", hex::encode(tag.as_ref()));
        let value = HeaderValue::try_from(value).expect("digits and hex are a valid header");
        headers.insert(HEADER, value);
    }

    fn verify_at(&self, headers: &HeaderMap, now: u64) -> Result<(), Refusal> {
        let value = headers.get(HEADER).ok_or(Refusal::Missing)?;
        let (at, tag) = parse(value).ok_or(Refusal::Malformed)?;
        if at.abs_diff(now) > MAX_AGE.as_secs() {
            return Err(Refusal::Expired);
        }
        // Constant time: how much of a guess matched must not show in the answer's timing.
        hmac::verify(&self.key, &signed_text(at, headers), &tag).map_err(|_| Refusal::Forged)
    }
}

impl Interceptor for InternalCredential {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        let headers = request.metadata_mut().as_mut();
        self.stamp(headers);
        // The call is a hop of the trace this one is in.
        vipcare_trace::inject(headers);
        Ok(request)
    }
}

/// `v1`, the time and each signed header's bytes, one per line (header values hold no newline).
fn signed_text(at: u64, headers: &HeaderMap) -> Vec<u8> {
    let mut text = format!("{VERSION}\n{at}").into_bytes();
    for name in SIGNED_HEADERS {
        text.push(b'\n');
        if let Some(value) = headers.get(name) {
            text.extend_from_slice(value.as_bytes());
        }
    }
    text
}

/// `v1.<seconds>.<64 hex digits>` into the time and the 32-byte tag.
fn parse(value: &HeaderValue) -> Option<(u64, [u8; 32])> {
    let mut parts = value.to_str().ok()?.split('.');
    let (Some(VERSION), Some(at), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let mut bytes = [0_u8; 32];
    hex::decode_to_slice(tag, &mut bytes).ok()?;
    Some((at.parse().ok()?, bytes))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
