//! The whole settings file, as `vipcare up` reads it: every section of every member, each
//! defined by the crate it configures and checked by it, and nothing else (a misspelt key in
//! any section is refused here, not only by the member it was meant for). Each member is built
//! from its own part ([`Settings::profile`] and the like), as its own binary would load it.

use std::path::PathBuf;

use serde::Deserialize;
use vipcare_cache::CacheSettings;
use vipcare_complaint::settings::ComplaintSettings;
use vipcare_gateway::settings::GatewaySettings;
use vipcare_profile::settings::ProfileSettings;
use vipcare_reminder::settings::ReminderSettings;
use vipcare_runtime::settings::{
    self, InternalSettings, PeerSettings, Sections, ServerSettings, SettingsError,
    TelemetrySettings,
};
use vipcare_storage::DatabaseSettings;
use vipcare_survey::settings::SurveySettings;
use vipcare_tiering::settings::TieringSettings;

/// Every section of the settings file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub profile: ProfileSettings,
    pub tiering: TieringSettings,
    pub reminder: ReminderSettings,
    pub complaint: ComplaintSettings,
    pub survey: SurveySettings,
    pub gateway: GatewaySettings,
    pub services: PeerSettings,
    pub internal: InternalSettings,
}

impl Sections for Settings {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_storage::settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
        vipcare_profile::settings::DEFAULTS,
        vipcare_tiering::settings::DEFAULTS,
        vipcare_reminder::settings::DEFAULTS,
        vipcare_complaint::settings::DEFAULTS,
        vipcare_survey::settings::DEFAULTS,
        vipcare_gateway::settings::DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        settings::check_listen("profile.listen", &self.profile.listen)?;
        self.tiering.check()?;
        self.reminder.check()?;
        self.complaint.check()?;
        self.survey.check()?;
        self.gateway.check()?;
        self.database.check()?;
        self.cache.check()?;
        self.telemetry.check()?;
        self.server.check()?;
        self.services.check()?;
        self.internal.check()
    }
}

impl Default for Settings {
    /// The built-in defaults alone.
    fn default() -> Self {
        settings::from_toml("").expect("the built-in defaults are valid")
    }
}

impl Settings {
    /// Defaults, then `file` (or `VIPCARE_CONFIG`), then `VIPCARE__…` variables.
    pub fn load(file: Option<&std::path::Path>) -> Result<Settings, SettingsError> {
        settings::load(file)
    }

    /// Defaults, then `toml`; no environment variables.
    pub fn from_toml(toml: &str) -> Result<Settings, SettingsError> {
        settings::from_toml(toml)
    }

    /// Checks the whole configuration again (callers change settings after loading them).
    pub fn validate(&mut self) -> Result<(), SettingsError> {
        self.check()
    }

    /// What the profile service runs on.
    pub fn profile(&self) -> vipcare_profile::Settings {
        vipcare_profile::Settings {
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            cache: self.cache.clone(),
            telemetry: self.telemetry.clone(),
            server: self.server.clone(),
            internal: self.internal.clone(),
            services: self.services.clone(),
            profile: self.profile.clone(),
        }
    }

    /// What the tiering service runs on.
    pub fn tiering(&self) -> vipcare_tiering::Settings {
        vipcare_tiering::Settings {
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            cache: self.cache.clone(),
            telemetry: self.telemetry.clone(),
            server: self.server.clone(),
            internal: self.internal.clone(),
            services: self.services.clone(),
            tiering: self.tiering.clone(),
        }
    }

    /// What the reminder service runs on.
    pub fn reminder(&self) -> vipcare_reminder::Settings {
        vipcare_reminder::Settings {
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            cache: self.cache.clone(),
            telemetry: self.telemetry.clone(),
            server: self.server.clone(),
            internal: self.internal.clone(),
            services: self.services.clone(),
            reminder: self.reminder.clone(),
        }
    }

    /// What the complaint service runs on.
    pub fn complaint(&self) -> vipcare_complaint::Settings {
        vipcare_complaint::Settings {
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            cache: self.cache.clone(),
            telemetry: self.telemetry.clone(),
            server: self.server.clone(),
            internal: self.internal.clone(),
            services: self.services.clone(),
            complaint: self.complaint.clone(),
        }
    }

    /// What the survey service runs on.
    pub fn survey(&self) -> vipcare_survey::Settings {
        vipcare_survey::Settings {
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            cache: self.cache.clone(),
            telemetry: self.telemetry.clone(),
            server: self.server.clone(),
            internal: self.internal.clone(),
            services: self.services.clone(),
            survey: self.survey.clone(),
        }
    }

    /// What the gateway runs on.
    pub fn gateway(&self) -> vipcare_gateway::Settings {
        vipcare_gateway::Settings {
            cache: self.cache.clone(),
            telemetry: self.telemetry.clone(),
            server: self.server.clone(),
            internal: self.internal.clone(),
            services: self.services.clone(),
            gateway: self.gateway.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
