//! `[cache]`: Redis or the in-process store, and how long a read waits for Redis.

use serde::Deserialize;
use vipcare_domain::{Invalid, Violation};

/// Built-in defaults of `[cache]`.
pub const DEFAULTS: &str = include_str!("settings/defaults.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// Unset or empty: the in-process store. Several comma-separated URLs: a Redis Cluster's
    /// nodes.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub redis_url: Option<String>,
    /// The one URL of `redis_url` is a Redis Cluster's (its configuration endpoint).
    #[serde(default)]
    pub redis_cluster: bool,
    pub timeout_ms: u64,
    pub key_prefix: String,
    pub local_capacity: usize,
}

impl CacheSettings {
    /// The in-process store with the built-in bounds (tests, tools).
    pub fn in_process() -> CacheSettings {
        CacheSettings {
            redis_url: None,
            redis_cluster: false,
            timeout_ms: 150,
            key_prefix: "vipcare:".into(),
            local_capacity: 100_000,
        }
    }

    /// The URLs of `redis_url`: one server's, or a cluster's nodes; empty for in-process.
    pub fn redis_urls(&self) -> Vec<&str> {
        self.redis_url
            .iter()
            .flat_map(|urls| urls.split(','))
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .collect()
    }

    /// Whether Redis is a cluster: several nodes listed, or `redis_cluster` set.
    pub fn is_cluster(&self) -> bool {
        self.redis_cluster || self.redis_urls().len() > 1
    }

    /// Checks what serde cannot; the violation names the key under `cache.`.
    pub fn check(&self) -> Result<(), Violation> {
        let urls = self.redis_urls();
        if let Some(url) = urls
            .iter()
            .find(|url| !(url.starts_with("redis://") || url.starts_with("rediss://")))
        {
            let refused = format!("'{url}' must start with redis:// or rediss://");
            return Err(Invalid::new(refused).at("cache.redis_url"));
        }
        if self.redis_cluster && urls.is_empty() {
            return Err(Invalid::new("needs cache.redis_url").at("cache.redis_cluster"));
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
    fn several_nodes_are_a_cluster() {
        let nodes = CacheSettings {
            redis_url: Some("redis://10.0.0.1:6379, redis://10.0.0.2:6379,".into()),
            ..CacheSettings::in_process()
        };
        assert_eq!(
            nodes.redis_urls(),
            ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"]
        );
        assert!(nodes.is_cluster());
        assert_eq!(nodes.check(), Ok(()));
        let one = CacheSettings {
            redis_url: Some("redis://cache:6379".into()),
            ..CacheSettings::in_process()
        };
        assert!(!one.is_cluster());
        let endpoint = CacheSettings {
            redis_cluster: true,
            ..one
        };
        assert!(endpoint.is_cluster());
    }

    #[test]
    fn refusals_name_the_key() {
        assert_eq!(CacheSettings::in_process().check(), Ok(()));
        let http = CacheSettings {
            redis_url: Some("http://x".into()),
            ..CacheSettings::in_process()
        };
        assert_eq!(http.check().unwrap_err().field, "cache.redis_url");
        let one_bad_node = CacheSettings {
            redis_url: Some("redis://a:6379, b:6379".into()),
            ..CacheSettings::in_process()
        };
        let refused = one_bad_node.check().unwrap_err();
        assert_eq!(refused.field, "cache.redis_url");
        assert!(refused.reason.contains("'b:6379'"), "{refused:?}");
        let nowhere = CacheSettings {
            redis_cluster: true,
            ..CacheSettings::in_process()
        };
        assert_eq!(nowhere.check().unwrap_err().field, "cache.redis_cluster");
        let no_wait = CacheSettings {
            timeout_ms: 0,
            ..CacheSettings::in_process()
        };
        assert_eq!(no_wait.check().unwrap_err().field, "cache.timeout_ms");
    }
}
