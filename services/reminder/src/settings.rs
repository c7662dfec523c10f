//! What the reminder service reads of the settings file: its own `[reminder]` section (the
//! listen address, the channel adapters and the dispatch knobs) and the shared sections it runs
//! on. Other binaries' sections in the same file are theirs to check.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::TimeDelta;
use serde::Deserialize;
use vipcare_cache::CacheSettings;
use vipcare_runtime::cli::ServiceSettings;
use vipcare_runtime::settings::{
    self, InternalSettings, PeerSettings, Sections, ServerSettings, SettingsError,
    TelemetrySettings, invalid,
};
use vipcare_storage::DatabaseSettings;

use crate::channel::ChannelsSettings;
use crate::domain::DailyCap;

/// Built-in defaults of `[reminder]`.
pub const DEFAULTS: &str = "[reminder]\n\
listen = \"127.0.0.1:50063\"\n\
merge_window_seconds = 600\n\
daily_cap = 5\n\
receipt_timeout_seconds = 600\n\
lease_seconds = 30\n\
batch_size = 200\n\
workers = 2\n";

/// `[reminder]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// host:port the service listens on; port 0 for any free one (the bound one is logged).
    pub listen: String,
    /// `[reminder.channels.<channel>]`: the adapter of each contact channel (log by default).
    #[serde(default)]
    pub channels: ChannelsSettings,
    /// Mergeable reminders of one customer and channel due within this many seconds of the
    /// earliest go out as one message.
    pub merge_window_seconds: u64,
    /// Non-urgent messages a customer receives a day at most.
    pub daily_cap: u32,
    /// `[reminder.daily_cap_per_tier]`: exceptions to `daily_cap` by tier code, e.g.
    /// `DIAMOND = 8`.
    #[serde(default)]
    pub daily_cap_per_tier: BTreeMap<String, u32>,
    /// How long a provider's delivery receipt may take before the attempt counts as unreachable.
    pub receipt_timeout_seconds: u64,
    /// How long a worker holds the reminders it claimed; a dead worker's claims are taken over
    /// once it runs out.
    pub lease_seconds: u64,
    /// Reminders one worker claims at once.
    pub batch_size: u32,
    /// Dispatch workers per process; 0 for a replica that only serves calls and leaves
    /// sending to the others (dispatch can then be scaled apart from the API).
    pub workers: u32,
}

/// Bounds of the dispatch knobs: beyond them a value is a typo, not a choice.
const MAX_MERGE_WINDOW_SECONDS: u64 = 24 * 3600;
const RECEIPT_TIMEOUT_SECONDS: (u64, u64) = (1, 24 * 3600);
/// A lease shorter than a slow provider call would be taken over while its worker still sends.
const LEASE_SECONDS: (u64, u64) = (5, 3600);
const MAX_BATCH_SIZE: u32 = 10_000;
const MAX_WORKERS: u32 = 64;

impl ReminderSettings {
    pub fn merge_window(&self) -> TimeDelta {
        seconds(self.merge_window_seconds)
    }

    pub fn receipt_timeout(&self) -> TimeDelta {
        seconds(self.receipt_timeout_seconds)
    }

    pub fn lease(&self) -> TimeDelta {
        seconds(self.lease_seconds)
    }

    /// The daily cap with its per-tier exceptions; a refused value names its full key.
    pub fn daily_caps(&self) -> Result<DailyCap, SettingsError> {
        let mut cap =
            DailyCap::new(self.daily_cap).map_err(|v| invalid("reminder.daily_cap", v.reason))?;
        for (tier, n) in &self.daily_cap_per_tier {
            cap = cap
                .with_tier(tier, *n)
                .map_err(|v| invalid(format!("reminder.daily_cap_per_tier.{tier}"), v.reason))?;
        }
        Ok(cap)
    }

    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("reminder.listen", &self.listen)?;
        self.channels.check()?;
        within(
            "reminder.merge_window_seconds",
            self.merge_window_seconds,
            (0, MAX_MERGE_WINDOW_SECONDS),
        )?;
        self.daily_caps()?;
        within(
            "reminder.receipt_timeout_seconds",
            self.receipt_timeout_seconds,
            RECEIPT_TIMEOUT_SECONDS,
        )?;
        within("reminder.lease_seconds", self.lease_seconds, LEASE_SECONDS)?;
        within(
            "reminder.batch_size",
            u64::from(self.batch_size),
            (1, u64::from(MAX_BATCH_SIZE)),
        )?;
        within(
            "reminder.workers",
            u64::from(self.workers),
            (0, u64::from(MAX_WORKERS)),
        )
    }
}

fn within(key: &str, value: u64, (min, max): (u64, u64)) -> Result<(), SettingsError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(key, format!("{value} is not {min} to {max}")))
    }
}

/// Checked values are at most a day, so this never saturates in practice.
fn seconds(n: u64) -> TimeDelta {
    i64::try_from(n)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .unwrap_or(TimeDelta::MAX)
}

/// The sections the reminder service runs on.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub internal: InternalSettings,
    /// The profile (contact preferences) and tiering (tiers and what they bring) it reads.
    pub services: PeerSettings,
    pub reminder: ReminderSettings,
}

impl Sections for Settings {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_storage::settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
        DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.reminder.check()?;
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

    fn load(extra: &str) -> Result<Settings, SettingsError> {
        settings::from_toml(extra)
    }

    fn refused_key(extra: &str) -> String {
        match load(extra) {
            Err(SettingsError::Invalid { key, .. }) => key,
            other => panic!("expected a refused key for {extra:?}, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let settings = load("").unwrap();
        let r = &settings.reminder;
        assert_eq!(r.listen, "127.0.0.1:50063");
        assert_eq!(r.merge_window(), TimeDelta::minutes(10));
        assert_eq!(r.daily_cap, 5);
        assert_eq!(r.receipt_timeout(), TimeDelta::minutes(10));
        assert_eq!(r.lease(), TimeDelta::seconds(30));
        assert_eq!((r.batch_size, r.workers), (200, 2));
        assert_eq!(r.channels, ChannelsSettings::default());
        assert_eq!(r.daily_caps().unwrap().limit_for("GOLD"), 5);
    }

    #[test]
    fn per_tier_caps_and_channels_are_read() {
        let settings = load(
            "[reminder]\ndaily_cap = 3\n[reminder.daily_cap_per_tier]\nDIAMOND = 8\n\
             [reminder.channels.sms]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/sms\"\n",
        )
        .unwrap();
        let caps = settings.reminder.daily_caps().unwrap();
        assert_eq!((caps.limit_for("DIAMOND"), caps.limit_for("GOLD")), (8, 3));
        assert!(settings.reminder.channels.sms.is_some());
    }

    #[test]
    fn bad_values_name_their_key() {
        for (toml, key) in [
            ("[reminder]\nlisten = \"nowhere\"", "reminder.listen"),
            ("[reminder]\ndaily_cap = 0", "reminder.daily_cap"),
            (
                "[reminder.daily_cap_per_tier]\ngold = 3",
                "reminder.daily_cap_per_tier.gold",
            ),
            ("[reminder]\nlease_seconds = 1", "reminder.lease_seconds"),
            ("[reminder]\nworkers = 65", "reminder.workers"),
            ("[reminder]\nbatch_size = 0", "reminder.batch_size"),
            (
                "[reminder]\nreceipt_timeout_seconds = 0",
                "reminder.receipt_timeout_seconds",
            ),
            (
                "[reminder]\nmerge_window_seconds = 999999",
                "reminder.merge_window_seconds",
            ),
            (
                "[reminder.channels.sms]\nkind = \"webhook\"",
                "reminder.channels.sms.url",
            ),
        ] {
            assert_eq!(refused_key(toml), key, "{toml}");
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(load("[reminder]\ndaily_caps = 4").is_err());
    }
}
