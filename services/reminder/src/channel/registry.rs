//! Which adapter sends on which contact channel: `log` for every channel unless the settings
//! give it a webhook. Each webhook channel has its own breaker, so a failing SMS gateway does
//! not stop e-mail; they share one HTTP client and its connection pool.

use std::sync::Arc;

use futures::future::BoxFuture;
use vipcare_domain::{Clock, Violation};

use super::settings::{AdapterKind, ChannelsSettings, SECTION};
use super::webhook::{WebhookAdapter, http_client};
use super::{Accepted, ChannelAdapter, LogAdapter, Outgoing, SendError};
use crate::domain::ContactChannel;

#[derive(Debug, Clone)]
pub struct Channels {
    /// One per channel, in [`slot`] order.
    adapters: [Arc<dyn ChannelAdapter>; 5],
}

impl Default for Channels {
    /// Every channel logs.
    fn default() -> Channels {
        let log: Arc<dyn ChannelAdapter> = Arc::new(LogAdapter);
        Channels {
            adapters: std::array::from_fn(|_| Arc::clone(&log)),
        }
    }
}

/// Exhaustive, so a new channel cannot go without an adapter.
fn slot(channel: ContactChannel) -> usize {
    match channel {
        ContactChannel::Sms => 0,
        ContactChannel::AppPush => 1,
        ContactChannel::Email => 2,
        ContactChannel::VoiceCall => 3,
        ContactChannel::AccountManager => 4,
    }
}

impl Channels {
    /// The adapters the settings ask for. Breakers read `clock`. A violation names the full
    /// key (`reminder.channels.sms.url`).
    pub fn from_settings(
        settings: &ChannelsSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Channels, Violation> {
        settings.check()?;
        let client = http_client();
        let mut channels = Channels::default();
        for channel in ContactChannel::ALL {
            let Some(table) = settings.get(*channel) else {
                continue;
            };
            if table.kind == AdapterKind::Webhook {
                let webhook =
                    WebhookAdapter::new(*channel, table, client.clone(), Arc::clone(&clock))
                        .map_err(|v| v.under(channel.code()).under(SECTION))?;
                channels = channels.with_adapter(*channel, Arc::new(webhook));
            }
        }
        Ok(channels)
    }

    /// Replaces one channel's adapter (tests, or a provider with an adapter of its own).
    pub fn with_adapter(
        mut self,
        channel: ContactChannel,
        adapter: Arc<dyn ChannelAdapter>,
    ) -> Self {
        self.adapters[slot(channel)] = adapter;
        self
    }

    pub fn adapter(&self, channel: ContactChannel) -> &Arc<dyn ChannelAdapter> {
        &self.adapters[slot(channel)]
    }

    /// Sends on the message's own channel.
    pub fn send(&self, msg: &Outgoing) -> BoxFuture<'_, Result<Accepted, SendError>> {
        self.adapter(msg.channel).send(msg)
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
