//! What the survey service reads of the settings file: its own `[survey]` section (the listen
//! address, the roller, the invitation link, the follow-up desk and the policy's starting
//! values) and the shared sections it runs on. Other binaries' sections in the same file are
//! theirs to check.
//!
//! The policy's figures here (`peak_weight`, `min_days_between`, `[survey.tier_fatigue]`,
//! `[survey.follow_up]`) are only where it starts: they are in force while no policy was stored
//! through UpdateSurveyPolicy. Once one is, the stored policy rules on every replica and these
//! are no longer read (changing them then changes nothing; update the policy instead).

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

use crate::domain::{PolicyValues, SurveyPolicy};

/// Built-in defaults of `[survey]`.
pub const DEFAULTS: &str = "[survey]\n\
listen = \"127.0.0.1:50065\"\n\
roll_seconds = 5\n\
roll_batch = 2000\n\
link_base = \"https://vip.example.cn/survey\"\n\
follow_up_desk = \"SURVEY-DESK\"\n\
peak_weight = 0.5\n\
min_days_between = 14\n\
[survey.tier_fatigue]\n\
DIAMOND = 30\n\
PLATINUM = 21\n\
[survey.follow_up]\n\
peak_end_at_most = 2.5\n\
end_at_most = 2\n\
nps_at_most = 6\n";

/// `[survey.follow_up]`: a response at or below any of these opens a follow-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpSettings {
    pub peak_end_at_most: f64,
    pub end_at_most: i32,
    pub nps_at_most: i32,
}

/// `[survey]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    /// host:port the service listens on; port 0 for any free one (the bound one is logged).
    pub listen: String,
    /// How often new responses are folded into the daily roll-ups reports read; 0 turns the
    /// roller off on this replica (another replica's rolls them, each response once).
    pub roll_seconds: u64,
    /// Responses one roll takes at a time.
    pub roll_batch: u64,
    /// Where the survey page lives: an invitation's link is `<link_base>/s/<token>`.
    pub link_base: String,
    /// Who owns a follow-up when the survey names no staff member and the customer has no
    /// account manager.
    pub follow_up_desk: String,
    /// w of peak-end = w·peak + (1−w)·end, until a policy is stored.
    pub peak_weight: f64,
    /// Days between two invitations of a customer whose tier is not listed, until a policy is
    /// stored.
    pub min_days_between: u32,
    /// `[survey.tier_fatigue]`: days between invitations by tier, until a policy is stored; the
    /// tiers named here are added to the defaults (DIAMOND 30, PLATINUM 21) or replace theirs.
    pub tier_fatigue: BTreeMap<String, u32>,
    pub follow_up: FollowUpSettings,
}

const MAX_ROLL_SECONDS: u64 = 3600;
const MAX_ROLL_BATCH: u64 = 100_000;

impl SurveySettings {
    /// `None` when the roller is off.
    pub fn roll_every(&self) -> Option<Duration> {
        (self.roll_seconds > 0).then(|| Duration::from_secs(self.roll_seconds))
    }

    /// The policy in force until one is stored; a refused figure names its full key.
    pub fn starting_policy(&self) -> Result<SurveyPolicy, SettingsError> {
        let values = PolicyValues {
            peak_weight: self.peak_weight,
            min_days_between: self.min_days_between,
            tier_fatigue: self.tier_fatigue.clone(),
            peak_end_at_most: self.follow_up.peak_end_at_most,
            end_at_most: self.follow_up.end_at_most,
            nps_at_most: self.follow_up.nps_at_most,
            ..PolicyValues::default()
        };
        SurveyPolicy::new(values).map_err(|refused| {
            let first = &refused[0];
            // The policy names fields as the contract does; the settings' keys differ a little.
            let key = first
                .field
                .replace("tier_fatigue[", "tier_fatigue.")
                .replace("].min_days_between", "")
                .replace("].tier", "");
            invalid(format!("survey.{key}"), first.reason.clone())
        })
    }

    /// The link of an invitation carrying `token`.
    pub fn link(&self, token: &str) -> String {
        format!("{}/s/{token}", self.link_base.trim_end_matches('/'))
    }

    pub fn check(&self) -> Result<(), SettingsError> {
        settings::check_listen("survey.listen", &self.listen)?;
        self.starting_policy()?;
        if self.roll_seconds > MAX_ROLL_SECONDS {
            return Err(invalid(
                "survey.roll_seconds",
                format!("{} is not 0 to {MAX_ROLL_SECONDS}", self.roll_seconds),
            ));
        }
        if !(1..=MAX_ROLL_BATCH).contains(&self.roll_batch) {
            return Err(invalid(
                "survey.roll_batch",
                format!("{} is not 1 to {MAX_ROLL_BATCH}", self.roll_batch),
            ));
        }
        let link = self.link_base.parse::<http_uri::Uri>().ok();
        if !link.is_some_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https")) && u.authority().is_some()
        }) {
            return Err(invalid(
                "survey.link_base",
                format!("'{}' must be an http:// or https:// URL", self.link_base),
            ));
        }
        if self.follow_up_desk.trim().is_empty() {
            return Err(invalid("survey.follow_up_desk", "must not be empty"));
        }
        Ok(())
    }
}

/// URIs are parsed as tonic's channels parse them.
mod http_uri {
    pub use tonic::codegen::http::Uri;
}

/// The sections the survey service runs on.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    /// Where the customer views the gateway caches are made stale by a response.
    pub cache: CacheSettings,
    pub telemetry: TelemetrySettings,
    pub server: ServerSettings,
    pub internal: InternalSettings,
    /// The profile and tiering (who the customer is, their tier, their account manager), the
    /// reminder service (where invitations go) and the complaint service (follow-ups).
    pub services: PeerSettings,
    pub survey: SurveySettings,
}

impl Sections for Settings {
    const DEFAULTS: &'static [&'static str] = &[
        settings::DEFAULTS,
        vipcare_storage::settings::DEFAULTS,
        vipcare_cache::settings::DEFAULTS,
        DEFAULTS,
    ];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.survey.check()?;
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
        let s = &settings.survey;
        assert_eq!(s.listen, "127.0.0.1:50065");
        assert_eq!(s.roll_every(), Some(Duration::from_secs(5)));
        assert_eq!(s.roll_batch, 2000);
        assert_eq!(s.link("abc"), "https://vip.example.cn/survey/s/abc");
        assert_eq!(s.starting_policy().unwrap(), SurveyPolicy::default());
    }

    #[test]
    fn the_starting_policy_is_read_from_the_section() {
        let settings: Settings = settings::from_toml(
            "[survey]\npeak_weight = 0.6\nmin_days_between = 10\n\
             [survey.tier_fatigue]\nDIAMOND = 40\n\
             [survey.follow_up]\npeak_end_at_most = 2.0\nend_at_most = 1\nnps_at_most = 5\n",
        )
        .unwrap();
        let policy = settings.survey.starting_policy().unwrap();
        assert_eq!(policy.peak_weight().get(), 0.6);
        assert_eq!(policy.fatigue().min_days_for("DIAMOND"), 40);
        assert_eq!(policy.fatigue().min_days_for("GOLD"), 10);
        assert_eq!(policy.values().nps_at_most, 5);
    }

    #[test]
    fn bad_values_name_their_key() {
        assert_eq!(
            refused_key("[survey]\nroll_seconds = 7200\n"),
            "survey.roll_seconds"
        );
        assert_eq!(
            refused_key("[survey]\nroll_batch = 0\n"),
            "survey.roll_batch"
        );
        assert_eq!(
            refused_key("[survey]\nlisten = \"nowhere\"\n"),
            "survey.listen"
        );
        assert_eq!(
            refused_key("[survey]\npeak_weight = 1.5\n"),
            "survey.peak_weight"
        );
        assert_eq!(
            refused_key("[survey.follow_up]\nnps_at_most = 11\n"),
            "survey.follow_up.nps_at_most"
        );
        assert_eq!(
            refused_key("[survey.tier_fatigue]\nDIAMOND = 0\n"),
            "survey.tier_fatigue.DIAMOND"
        );
        assert_eq!(
            refused_key("[survey]\nlink_base = \"vip.example.cn\"\n"),
            "survey.link_base"
        );
    }

    #[test]
    fn zero_turns_the_roller_off() {
        let settings: Settings = settings::from_toml("[survey]\nroll_seconds = 0\n").unwrap();
        assert_eq!(settings.survey.roll_every(), None);
    }
}
