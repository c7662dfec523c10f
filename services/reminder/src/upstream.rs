//! Who a reminder goes to, as the services that own the customer tell it: the profile keeps the
//! contact preferences (channel order, quiet hours in the customer's zone, opted-out
//! touchpoints) and the account manager, tiering the tier (the daily cap and escalation differ
//! by tier). The dispatcher and the schedule checks read them through [`CustomerDirectory`], so
//! tests stand a fixed map in for both services.
//!
//! A directory that cannot answer says so ([`UpstreamError`]) rather than guessing: a reminder
//! sent with made-up preferences could wake the customer at night, so the dispatcher defers
//! instead, and never drops.

mod convert;
mod profile;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt::Debug;

use futures::future::BoxFuture;

use crate::domain::rule::TouchpointRule;
use crate::domain::{ContactChannel, QuietHours, Touchpoint};

pub use profile::ProfileDirectory;

/// How and when a customer may be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub customer_id: String,
    /// As staff may read it in a task (the profile masks it for the reminder service: 张**).
    pub name: String,
    /// The mobile number, when the directory may disclose it; otherwise the provider finds the
    /// number by customer id.
    pub msisdn: Option<String>,
    pub email: Option<String>,
    /// In the customer's order of preference; empty when the customer stated none (then each
    /// touchpoint's default channels apply).
    pub channels: Vec<ContactChannel>,
    pub quiet_hours: QuietHours,
    /// Touchpoints the customer asked not to be reminded about.
    pub opted_out: Vec<Touchpoint>,
    /// The tier code in force ("PLATINUM"); empty when tiering knows none.
    pub tier: String,
    pub account_manager_id: Option<String>,
}

impl Contact {
    /// A customer who stated no preferences: default quiet hours, no tier, no account manager.
    pub fn new(customer_id: &str) -> Contact {
        Contact {
            customer_id: customer_id.to_owned(),
            name: String::new(),
            msisdn: None,
            email: None,
            channels: Vec::new(),
            quiet_hours: QuietHours::default(),
            opted_out: Vec::new(),
            tier: String::new(),
            account_manager_id: None,
        }
    }

    /// The channels to try for a reminder under `rule`, in order.
    pub fn channels_for<'a>(&'a self, rule: &'a TouchpointRule) -> &'a [ContactChannel] {
        if self.channels.is_empty() {
            &rule.default_channels
        } else {
            &self.channels
        }
    }

    pub fn opted_out_of(&self, touchpoint: Touchpoint) -> bool {
        self.opted_out.contains(&touchpoint)
    }

    /// Where a message on `channel` goes, when known here. Push is addressed by customer (the
    /// provider keeps the device tokens).
    pub fn address(&self, channel: ContactChannel) -> Option<String> {
        match channel {
            ContactChannel::Sms | ContactChannel::VoiceCall => self.msisdn.clone(),
            ContactChannel::Email => self.email.clone(),
            ContactChannel::AccountManager => self.account_manager_id.clone(),
            ContactChannel::AppPush => None,
        }
    }
}

/// Why the directory could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// The profile or tiering is down, slow or overloaded: ask again later.
    #[error("{service} unavailable: {reason}")]
    Unavailable {
        service: &'static str,
        reason: String,
    },
    /// It answered, but not as the contract says it would (a refused credential, an internal
    /// error, a message missing its content): a fault to log, retried all the same.
    #[error("{service} answered unexpectedly: {reason}")]
    Unexpected {
        service: &'static str,
        reason: String,
    },
}

/// Where the dispatcher (and the schedule checks) learn how to reach a customer.
pub trait CustomerDirectory: Send + Sync + Debug {
    /// `Ok(None)` for a customer the profile does not know.
    fn contact(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>>;

    /// The customer as the profile alone knows them, for a schedule check (is this a customer,
    /// by which channels): the tier may be left empty, tiering need not be asked.
    fn customer(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>> {
        self.contact(customer_id)
    }

    /// Several customers at once (a dispatch round's): those the profile knows, by id. One
    /// failure fails the whole answer, as each customer's would have failed alone.
    fn contacts<'a>(
        &'a self,
        customer_ids: &'a [&'a str],
    ) -> BoxFuture<'a, Result<HashMap<String, Contact>, UpstreamError>> {
        Box::pin(async move {
            let mut found = HashMap::new();
            for id in customer_ids {
                if let Some(contact) = self.contact(id).await? {
                    found.insert((*id).to_owned(), contact);
                }
            }
            Ok(found)
        })
    }
}
