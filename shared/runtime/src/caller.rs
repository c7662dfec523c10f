//! Who is calling, as the gateway tells the services. The gateway drops any `x-vipcare-*`
//! metadata a client sends and sets these headers itself. Services can believe them because a
//! service's server answers only calls carrying the internal credential, which is signed over
//! exactly these headers (see [`crate::internal`]); a stray process that reaches a service port
//! gets UNAUTHENTICATED, whatever it claims here.

use tonic::metadata::{MetadataMap, MetadataValue};

pub const HEADER_PREFIX: &str = "x-vipcare-";
pub const CLIENT_HEADER: &str = "x-vipcare-client";
pub const CHANNEL_HEADER: &str = "x-vipcare-channel";
/// Space-separated scopes.
pub const SCOPES_HEADER: &str = "x-vipcare-scopes";

/// The identity a request carries. A request without the headers is an anonymous caller with no
/// scopes: it sees masked data only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    pub client: String,
    pub channel: String,
    pub scopes: Vec<String>,
}

impl Caller {
    pub fn new(client: &str, channel: &str, scopes: &[&str]) -> Caller {
        Caller {
            client: client.to_owned(),
            channel: channel.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn from_metadata(md: &MetadataMap) -> Caller {
        let text = |name: &str| {
            md.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        Caller {
            client: text(CLIENT_HEADER),
            channel: text(CHANNEL_HEADER),
            scopes: text(SCOPES_HEADER)
                .split_ascii_whitespace()
                .map(str::to_owned)
                .collect(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Sets the three headers on outgoing gRPC metadata.
    pub fn write_to(&self, md: &mut MetadataMap) {
        for (name, value) in self.header_values() {
            if let Ok(value) = MetadataValue::try_from(value.as_str()) {
                md.insert(name, value);
            }
        }
    }

    /// Sets the three headers on a raw HTTP request (the gateway's proxy).
    pub fn write_to_headers(&self, headers: &mut http::HeaderMap) {
        for (name, value) in self.header_values() {
            if let Ok(value) = http::HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        }
    }

    fn header_values(&self) -> [(&'static str, String); 3] {
        [
            (CLIENT_HEADER, self.client.clone()),
            (CHANNEL_HEADER, self.channel.clone()),
            (SCOPES_HEADER, self.scopes.join(" ")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_metadata() {
        let caller = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        let mut md = MetadataMap::new();
        caller.write_to(&mut md);
        let back = Caller::from_metadata(&md);
        assert_eq!(back, caller);
        assert!(back.has_scope("pii:read"));
        assert!(!back.has_scope("customer:write"));
    }

    #[test]
    fn no_headers_means_no_scopes() {
        let caller = Caller::from_metadata(&MetadataMap::new());
        assert!(caller.scopes.is_empty());
        assert!(!caller.has_scope("pii:read"));
    }
}
