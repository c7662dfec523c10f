//! `[cache]`: Redis or the in-process store, and how long a read waits for Redis.

use serde::Deserialize;
use vipcare_domain::{Invalid, Violation};

/// Built-in defaults of `[cache]`.
pub const DEFAULTS: &str = include_str!("settings/defaults.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// Unset or empty: the in-process store.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub redis_url: Option<String>,
    pub timeout_ms: u64,
    pub key_prefix: String,
    pub local_capacity: usize,
}

impl CacheSettings {
    /// The in-process store with the built-in bounds (tests, tools).
    pub fn in_process() -> CacheSettings {
        CacheSettings {
            redis_url: None,
            timeout_ms: 150,
            key_prefix: "vipcare:".into(),
            local_capacity: 100_000,
        }
    }

    /// Checks what serde cannot; the violation names the key under `cache.`.
    pub fn check(&self) -> Result<(), Violation> {
        if let Some(url) = &self.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(Invalid::new("must start with redis:// or rediss://").at("cache.redis_url"));
        }
        if self.timeout_ms == 0 {
            return Err(Invalid::new("must be at least 1").at("cache.timeout_ms"));
        }
        Ok(())
    }
}

/// `""` and unset alike mean in-process (an empty `VIPCARE__CACHE__REDIS_URL=` included).
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(d)?;
    Ok(value.filter(|s| !s.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_key() {
        assert_eq!(CacheSettings::in_process().check(), Ok(()));
        let http = CacheSettings {
            redis_url: Some("http://x".into()),
            ..CacheSettings::in_process()
        };
        assert_eq!(http.check().unwrap_err().field, "cache.redis_url");
        let no_wait = CacheSettings {
            timeout_ms: 0,
            ..CacheSettings::in_process()
        };
        assert_eq!(no_wait.check().unwrap_err().field, "cache.timeout_ms");
    }
}
