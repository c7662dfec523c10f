//! What the complaint service reads of the settings file: its own `[complaint]` section (the
//! listen address and the background pass) and the shared sections it runs on. Other
//! binaries' sections in the same file are theirs to check.

use std::collections::BTreeMap;
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

use crate::domain::{CompensationLimits, ProgressIntervals};
use crate::rules::Rules;

/// Built-in defaults of `[complaint]`.
pub const DEFAULTS: &str = "[complaint]\n\
listen = \"127.0.0.1:50064\"\n\
sweep_seconds = 30\n\
sweep_batch = 500\n\
duty_manager = \"DUTY-MANAGER\"\n";

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
    /// Who answers for escalations no supervisor is known for.
    pub duty_manager: String,
    /// `[complaint.supervisors]`: each staff member's supervisor, `E1001 = "S200"`; escalation
    /// level 1 goes to the handler's, level 2 one step higher.
    #[serde(default)]
    pub supervisors: BTreeMap<String, String>,
    /// `[complaint.progress_hours]`: progress notices to the customer of an open complaint every
    /// so many hours, by tier, replacing the defaults (DIAMOND 24, PLATINUM 48, GOLD 72) when
    /// given; tiers not named get none.
    #[serde(default)]
    pub progress_hours: Option<BTreeMap<String, u32>>,
    /// `[complaint.auto_approve_fen]`: compensation approved at proposal up to this many fen,
    /// by tier, over the defaults (DIAMOND 20000 … STANDARD 2000); `default` for other tiers.
    #[serde(default)]
    pub auto_approve_fen: BTreeMap<String, i64>,
}

const MAX_SWEEP_SECONDS: u64 = 3600;
const MAX_SWEEP_BATCH: u32 = 10_000;

impl ComplaintSettings {
    /// `None` when the pass is off.
    pub fn sweep_every(&self) -> Option<Duration> {
        (self.sweep_seconds > 0).then(|| Duration::from_secs(self.sweep_seconds))
    }

    /// The handling rules these settings give; a refused value names its full key.
    pub fn rules(&self) -> Result<Rules, SettingsError> {
        let mut limits = CompensationLimits::default();
        for (tier, fen) in &self.auto_approve_fen {
            limits = if tier == "default" {
                limits.with_default(*fen)
            } else {
                limits.with_tier(tier, *fen)
            }
            .map_err(|v| invalid(format!("complaint.auto_approve_fen.{tier}"), v.reason))?;
        }
        let progress = match &self.progress_hours {
            None => ProgressIntervals::default(),
            Some(hours) => {
                let mut progress = ProgressIntervals::none();
                for (tier, h) in hours {
                    progress = progress.with_tier(tier, *h).map_err(|v| {
                        invalid(format!("complaint.progress_hours.{tier}"), v.reason)
                    })?;
                }
                progress
            }
        };
        if self.duty_manager.trim().is_empty() {
            return Err(invalid("complaint.duty_manager", "must not be empty"));
        }
        Ok(Rules {
            limits,
            progress,
            supervisors: self.supervisors.clone(),
            duty_manager: self.duty_manager.clone(),
        })
    }

    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("complaint.listen", &self.listen)?;
        self.rules()?;
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
    use crate::rules::DUTY_MANAGER;

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
        let rules = c.rules().unwrap();
        assert_eq!(rules.duty_manager, DUTY_MANAGER);
        assert_eq!(rules.limits.limit_for("DIAMOND"), 20_000);
        assert_eq!(
            rules.progress.interval_for("DIAMOND"),
            Some(chrono::TimeDelta::hours(24))
        );
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
    fn rules_are_read_and_refused_by_key() {
        let settings: Settings = settings::from_toml(
            "[complaint.supervisors]\nE1001 = \"S200\"\n\
             [complaint.progress_hours]\nDIAMOND = 12\n\
             [complaint.auto_approve_fen]\nGOLD = 8000\n",
        )
        .unwrap();
        let rules = settings.complaint.rules().unwrap();
        assert_eq!(rules.supervisors["E1001"], "S200");
        assert_eq!(
            rules.progress.interval_for("DIAMOND"),
            Some(chrono::TimeDelta::hours(12))
        );
        assert_eq!(rules.progress.interval_for("PLATINUM"), None);
        assert_eq!(rules.limits.limit_for("GOLD"), 8_000);
        assert_eq!(
            refused_key("[complaint.progress_hours]\nGOLD = 0\n"),
            "complaint.progress_hours.GOLD"
        );
        assert_eq!(
            refused_key("[complaint.auto_approve_fen]\nGOLD = -1\n"),
            "complaint.auto_approve_fen.GOLD"
        );
    }

    #[test]
    fn zero_turns_the_pass_off() {
        let settings: Settings = settings::from_toml("[complaint]\nsweep_seconds = 0\n").unwrap();
        assert_eq!(settings.complaint.sweep_every(), None);
    }
}
