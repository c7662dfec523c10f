//! What the tiering service reads of the settings file: its own `[tiering]` section and the
//! shared sections it runs on. Other binaries' sections in the same file are theirs to check.

use std::path::PathBuf;

use serde::Deserialize;
use vipcare_cache::CacheSettings;
use vipcare_domain::Schedule;
use vipcare_runtime::cli::ServiceSettings;
use vipcare_runtime::settings::{
    self, InternalSettings, PeerSettings, Sections, ServerSettings, SettingsError,
    TelemetrySettings,
};
use vipcare_storage::DatabaseSettings;

/// Built-in defaults of `[tiering]`.
pub const DEFAULTS: &str = "[tiering]\nlisten = \"127.0.0.1:50062\"\n\
                            evaluation_schedule = \"0 2 1 * *\"\n";

/// `[tiering]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieringSettings {
    /// host:port the service listens on; port 0 for any free one (the bound one is logged).
    pub listen: String,
    /// When the monthly evaluation run starts by itself: a five-field cron expression on
    /// Asia/Shanghai time (default 02:00 on the 1st), evaluating the month that has just
    /// ended; empty for manual runs only. One replica starts each run.
    pub evaluation_schedule: String,
}

impl TieringSettings {
    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("tiering.listen", &self.listen)?;
        self.evaluation_schedule().map(|_| ())
    }

    /// The evaluation schedule, `None` when runs are manual only.
    pub fn evaluation_schedule(&self) -> Result<Option<Schedule>, SettingsError> {
        Schedule::parse(&self.evaluation_schedule)
            .map_err(|e| settings::invalid("tiering.evaluation_schedule", e.to_string()))
    }
}

/// The sections the tiering service runs on.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub internal: InternalSettings,
    /// The profile it reads value summaries from, the reminder service it tells tier changes,
    /// the complaint and survey services churn risk and the satisfaction component read.
    pub services: PeerSettings,
    pub tiering: TieringSettings,
}

impl Sections for Settings {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_storage::settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
        DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.tiering.check()?;
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
