//! How reads fare, for the hit ratio operators watch: the counter `vipcare.cache.lookups`
//! (Prometheus: `vipcare_cache_lookups_total`) by `kind` (the key's first two parts, such as
//! `gateway:view`) and `result`: `hit`, `miss` (loaded from the source and stored) or
//! `unavailable` (Redis away: loaded from the source, nothing stored).

use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    Hit,
    Miss,
    Unavailable,
}

#[derive(Clone)]
pub(crate) struct Lookups {
    counter: Counter<u64>,
}

impl Lookups {
    /// From the process's meter as it stands when the cache is made (the binaries install it
    /// first; without one nothing is recorded).
    pub(crate) fn new() -> Lookups {
        Lookups {
            counter: opentelemetry::global::meter("vipcare")
                .u64_counter("vipcare.cache.lookups")
                .with_description("Cache reads by kind of entry and result")
                .build(),
        }
    }

    pub(crate) fn record(&self, key: &str, outcome: Outcome) {
        let result = match outcome {
            Outcome::Hit => "hit",
            Outcome::Miss => "miss",
            Outcome::Unavailable => "unavailable",
        };
        self.counter.add(
            1,
            &[
                KeyValue::new("kind", kind(key).to_owned()),
                KeyValue::new("result", result),
            ],
        );
    }
}

/// `gateway:view:<id>` → `gateway:view`: what the entry is, never who it is about.
fn kind(key: &str) -> &str {
    let mut colons = key.match_indices(':').map(|(i, _)| i);
    match (colons.next(), colons.next()) {
        (Some(_), Some(second)) => &key[..second],
        (Some(first), None) => &key[..first],
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::kind;

    #[test]
    fn the_kind_names_the_entry_and_never_the_customer() {
        assert_eq!(kind("gateway:view:C123"), "gateway:view");
        assert_eq!(kind("profile:msisdn:13800138000"), "profile:msisdn");
        assert_eq!(kind("tier:C1"), "tier");
        assert_eq!(kind("plain"), "other");
    }
}
