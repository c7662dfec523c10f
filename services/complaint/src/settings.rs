//! What the complaint service reads of the settings file: its own `[complaint]` section (the
//! listen address and the background pass) and the shared sections it runs on. Other
//! binaries' sections in the same file are theirs to check.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use vipcare_cache::CacheSettings;
use vipcare_runtime::cli::ServiceSettings;
use vipcare_runtime::settings::{
    self, InternalSettings, PeerSettings, Sections, ServerSettings, SettingsError,
    TelemetrySettings, invalid,
};
use vipcare_storage::DatabaseSettings;

/// Built-in defaults of `[complaint]`.
pub const DEFAULTS: &str = "[complaint]\n\
listen = \"127.0.0.1:50064\"\n\
sweep_seconds = 30\n\
sweep_batch = 500\n";

/// `[complaint]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintSettings {
    /// host:port the service listens on; port 0 for any free one (the bound one is logged).
    pub listen: String,
    /// How often the background pass looks for clocks to escalate, promises broken, progress
    /// notices due and resolved complaints to close; 0 turns it off on this replica.
    pub sweep_seconds: u64,
    /// Complaints one pass takes at a time, so a pass over a million streams in slices.
    pub sweep_batch: u32,
}

const MAX_SWEEP_SECONDS: u64 = 3600;
const MAX_SWEEP_BATCH: u32 = 10_000;

impl ComplaintSettings {
    /// `None` when the pass is off.
    pub fn sweep_every(&self) -> Option<Duration> {
        (self.sweep_seconds > 0).then(|| Duration::from_secs(self.sweep_seconds))
    }

    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("complaint.listen", &self.listen)?;
        if self.sweep_seconds > MAX_SWEEP_SECONDS {
            return Err(invalid(
                "complaint.sweep_seconds",
                format!("{} is not 0 to {MAX_SWEEP_SECONDS}", self.sweep_seconds),
            ));
        }
        if !(1..=MAX_SWEEP_BATCH).contains(&self.sweep_batch) {
            return Err(invalid(
                "complaint.sweep_batch",
                format!("{} is not 1 to {MAX_SWEEP_BATCH}", self.sweep_batch),
            ));
        }
        Ok(())
    }
}

/// The sections the complaint service runs on.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub internal: InternalSettings,
    /// The profile and tiering (who the customer is, their tier) and the reminder service
    /// (where notices go).
    pub services: PeerSettings,
    pub complaint: ComplaintSettings,
}

impl Sections for Settings {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_storage::settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
        DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.complaint.check()?;
        self.database.check()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_key(extra: &str) -> String {
        match settings::from_toml::<Settings>(extra) {
            Err(SettingsError::Invalid { key, .. }) => key,
            other => panic!("expected a refused key for {extra:?}, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let settings: Settings = settings::from_toml("").unwrap();
        let c = &settings.complaint;
        assert_eq!(c.listen, "127.0.0.1:50064");
        assert_eq!(c.sweep_every(), Some(Duration::from_secs(30)));
        assert_eq!(c.sweep_batch, 500);
    }

    #[test]
    fn bad_values_name_their_key() {
        assert_eq!(
            refused_key("[complaint]\nsweep_seconds = 7200\n"),
            "complaint.sweep_seconds"
        );
        assert_eq!(
            refused_key("[complaint]\nsweep_batch = 0\n"),
            "complaint.sweep_batch"
        );
        assert_eq!(
            refused_key("[complaint]\nlisten = \"nowhere\"\n"),
            "complaint.listen"
        );
    }

    #[test]
    fn zero_turns_the_pass_off() {
        let settings: Settings = settings::from_toml("[complaint]\nsweep_seconds = 0\n").unwrap();
        assert_eq!(settings.complaint.sweep_every(), None);
    }
}
