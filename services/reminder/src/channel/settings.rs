//! `[reminder.channels.<channel>]`: which adapter each contact channel uses. A channel with no
//! table logs its messages (the embedded default); a webhook channel names its provider's URL,
//! the timeout per call and when its circuit opens:
//!
//! ```toml
//! [reminder.channels.sms]
//! kind = "webhook"
//! url = "http://sms-gateway.internal:8080/v1/messages"
//! timeout_ms = 5000        # default
//! failures_to_open = 5     # default
//! open_seconds = 30        # default
//! ```

use std::time::Duration;

use chrono::TimeDelta;
use serde::Deserialize;
use vipcare_domain::{Invalid, Violation};

use super::BreakerPolicy;
use crate::domain::ContactChannel;

/// Where the section sits in the settings file; violations are named from here.
pub const SECTION: &str = "reminder.channels";

/// `[reminder.channels]`: one optional table per channel, named by its code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsSettings {
    #[serde(default)]
    pub sms: Option<ChannelSettings>,
    #[serde(default)]
    pub app_push: Option<ChannelSettings>,
    #[serde(default)]
    pub email: Option<ChannelSettings>,
    #[serde(default)]
    pub voice_call: Option<ChannelSettings>,
    #[serde(default)]
    pub account_manager: Option<ChannelSettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdapterKind {
    Log,
    Webhook,
}

impl AdapterKind {
    pub fn code(self) -> &'static str {
        match self {
            AdapterKind::Log => "log",
            AdapterKind::Webhook => "webhook",
        }
    }
}

/// `[reminder.channels.<channel>]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    pub kind: AdapterKind,
    /// The provider's endpoint; webhook only.
    #[serde(default)]
    pub url: Option<String>,
    /// Per call, from connecting to the last byte of the answer.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_failures_to_open")]
    pub failures_to_open: u32,
    #[serde(default = "default_open_seconds")]
    pub open_seconds: u64,
}

fn default_timeout_ms() -> u64 {
    5000
}

fn default_failures_to_open() -> u32 {
    5
}

fn default_open_seconds() -> u64 {
    30
}

/// Longer than this holds a worker on one provider for too long; the retry plan is the place
/// for patience.
const MAX_TIMEOUT_MS: u64 = 60_000;
const MAX_FAILURES_TO_OPEN: u32 = 1000;
const MAX_OPEN_SECONDS: u64 = 3600;

impl ChannelsSettings {
    /// The table of one channel, if it has one.
    pub fn get(&self, channel: ContactChannel) -> Option<&ChannelSettings> {
        match channel {
            ContactChannel::Sms => self.sms.as_ref(),
            ContactChannel::AppPush => self.app_push.as_ref(),
            ContactChannel::Email => self.email.as_ref(),
            ContactChannel::VoiceCall => self.voice_call.as_ref(),
            ContactChannel::AccountManager => self.account_manager.as_ref(),
        }
    }

    /// The first invalid value, named by its full key (`reminder.channels.sms.url`).
    pub fn check(&self) -> Result<(), Violation> {
        for channel in ContactChannel::ALL {
            if let Some(settings) = self.get(*channel) {
                settings
                    .check()
                    .map_err(|v| v.under(channel.code()).under(SECTION))?;
            }
        }
        Ok(())
    }
}

impl ChannelSettings {
    /// Violations name the key relative to the channel's table (`url`, `timeout_ms`…).
    pub fn check(&self) -> Result<(), Violation> {
        match (self.kind, self.url.as_deref()) {
            (AdapterKind::Webhook, None | Some("")) => {
                return Err(Invalid::new("is required for kind = \"webhook\"").at("url"));
            }
            (AdapterKind::Webhook, Some(url)) => {
                check_url(url).map_err(|e| e.at("url"))?;
            }
            // A URL on a log channel is a webhook someone forgot to switch on.
            (AdapterKind::Log, Some(_)) => {
                return Err(Invalid::new("is only used by kind = \"webhook\"").at("url"));
            }
            (AdapterKind::Log, None) => {}
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            let reason = format!("must be 1 to {MAX_TIMEOUT_MS}");
            return Err(Invalid::new(reason).at("timeout_ms"));
        }
        if !(1..=MAX_FAILURES_TO_OPEN).contains(&self.failures_to_open) {
            let reason = format!("must be 1 to {MAX_FAILURES_TO_OPEN}");
            return Err(Invalid::new(reason).at("failures_to_open"));
        }
        if !(1..=MAX_OPEN_SECONDS).contains(&self.open_seconds) {
            let reason = format!("must be 1 to {MAX_OPEN_SECONDS}");
            return Err(Invalid::new(reason).at("open_seconds"));
        }
        Ok(())
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    pub fn breaker(&self) -> BreakerPolicy {
        BreakerPolicy {
            failures_to_open: self.failures_to_open,
            // At most an hour once checked; an unchecked huge value saturates, never panics.
            open_for: i64::try_from(self.open_seconds)
                .ok()
                .and_then(TimeDelta::try_seconds)
                .unwrap_or(TimeDelta::MAX),
        }
    }
}

/// An `http://` URL with a host, parsed as the client will parse it. `https://` is refused
/// until the client carries TLS: better a clear line at start than every send failing.
pub(crate) fn check_url(url: &str) -> Result<http::Uri, Invalid> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| Invalid::new(format!("'{url}' is not a URL")))?;
    match uri.scheme_str() {
        Some("http") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(uri),
        Some("http") => Err(Invalid::new(format!("'{url}' has no host"))),
        Some("https") => Err(Invalid::new(
            "https is not supported yet: use http:// (e.g. to a local TLS-terminating proxy)",
        )),
        _ => Err(Invalid::new(format!("'{url}' must start with http://"))),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
