//! How a message leaves the service: one adapter per contact channel sends one outgoing message
//! to a provider and says whether the provider took it. `log` (the embedded default) writes a
//! line and takes everything; `webhook` POSTs JSON to the provider's URL with a timeout and a
//! circuit breaker per channel, which is how SMS, push and e-mail gateways are integrated.
//!
//! An adapter only reports what happened to one call. Whether and when to try again, and on
//! which channel, is the retry plan's decision (`domain::retry`); [`SendError::is_retryable`]
//! and [`SendError::outcome`] are what it needs. Delivery itself is confirmed later by the
//! provider's receipt, not by the provider accepting the message.

mod breaker;
mod log;
#[cfg(test)]
mod manual_clock;
mod registry;
pub mod settings;
mod webhook;

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::domain::{ContactChannel, DeliveryOutcome};

pub use breaker::{Breaker, BreakerPolicy, CircuitState, Permit};
pub use log::LogAdapter;
pub use registry::Channels;
pub use settings::{AdapterKind, ChannelSettings, ChannelsSettings};
pub use webhook::{HttpClient, IDEMPOTENCY_KEY, WebhookAdapter, http_client};

/// One message for one customer on one channel: one attempt at delivering the reminders merged
/// into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub attempt_id: String,
    /// The same for every retry of this attempt, so a provider that saw it once does not send
    /// the message twice (a timed-out call may well have arrived).
    pub idempotency_key: String,
    pub customer_id: String,
    /// Mobile number, e-mail address or device token, when known; the provider may look it up
    /// by customer otherwise.
    pub address: Option<String>,
    pub channel: ContactChannel,
    pub text: String,
    /// The reminders the message carries, in the order their texts appear.
    pub reminder_ids: Vec<String>,
    /// After this the message is stale; providers may use it as a validity period.
    pub deadline: DateTime<Utc>,
}

/// The provider took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id for the message, when it gave one (receipts may quote it).
    pub provider_message_id: Option<String>,
    /// Whether a delivery receipt will follow. `false` for an adapter that is itself the end of
    /// the line (`log`): nothing will ever report on the message, so waiting for a receipt
    /// would only time out and retry.
    pub receipt_expected: bool,
}

/// Why a send did not reach, or was refused by, the provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The channel's breaker is open after repeated failures: no request was made.
    #[error("the {} channel's circuit is open after repeated failures; no request was made", .0.code())]
    CircuitOpen(ContactChannel),
    /// No connection, or the connection broke before an answer.
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// No answer within the channel's timeout.
    #[error("no answer from the provider within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// 5xx or 429: the provider is down or overloaded for now.
    #[error("provider busy or failing: HTTP {0}")]
    Unavailable(u16),
    /// 4xx (or another status that is not success): this message will not be taken as it is.
    #[error("provider refused the message: HTTP {0}")]
    Refused(u16),
    /// The message cannot be put on the wire (an idempotency key that is no header value).
    #[error("message not sendable: {0}")]
    Malformed(String),
}

impl SendError {
    /// Whether the same message on the same channel may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::CircuitOpen(_)
            | SendError::Unreachable(_)
            | SendError::Timeout(_)
            | SendError::Unavailable(_) => true,
            SendError::Refused(_) | SendError::Malformed(_) => false,
        }
    }

    /// The attempt's outcome as the retry plan reads it.
    pub fn outcome(&self) -> DeliveryOutcome {
        if self.is_retryable() {
            DeliveryOutcome::FailedUnreachable
        } else {
            DeliveryOutcome::FailedPermanent
        }
    }

    /// Whether the provider looks down, for the circuit breaker: an answer that refuses one
    /// message shows the provider is up, and a message we could not send says nothing about it.
    pub(crate) fn counts_against_provider(&self) -> bool {
        match self {
            SendError::Unreachable(_) | SendError::Timeout(_) | SendError::Unavailable(_) => true,
            SendError::CircuitOpen(_) | SendError::Refused(_) | SendError::Malformed(_) => false,
        }
    }
}

/// Sends one message on one channel. The returned future borrows only the adapter, so a caller
/// may drop the message once `send` returns.
pub trait ChannelAdapter: Send + Sync + std::fmt::Debug {
    /// `log` or `webhook`, for logs and metrics.
    fn kind(&self) -> AdapterKind;

    fn send(&self, msg: &Outgoing) -> BoxFuture<'_, Result<Accepted, SendError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_trouble_is_worth_a_retry_and_a_refusal_is_not() {
        let retry = [
            SendError::CircuitOpen(ContactChannel::Sms),
            SendError::Unreachable("refused".into()),
            SendError::Timeout(Duration::from_secs(5)),
            SendError::Unavailable(503),
            SendError::Unavailable(429),
        ];
        for e in &retry {
            assert!(e.is_retryable(), "{e}");
            assert_eq!(e.outcome(), DeliveryOutcome::FailedUnreachable);
        }
        for e in [SendError::Refused(400), SendError::Malformed("key".into())] {
            assert!(!e.is_retryable(), "{e}");
            assert_eq!(e.outcome(), DeliveryOutcome::FailedPermanent);
        }
    }

    #[test]
    fn only_signs_of_a_failing_provider_count_against_its_circuit() {
        assert!(SendError::Timeout(Duration::from_secs(1)).counts_against_provider());
        assert!(SendError::Unavailable(500).counts_against_provider());
        assert!(!SendError::Refused(404).counts_against_provider());
        assert!(!SendError::CircuitOpen(ContactChannel::Email).counts_against_provider());
    }

    #[test]
    fn errors_say_what_happened_in_words() {
        let open = SendError::CircuitOpen(ContactChannel::AppPush).to_string();
        assert!(
            open.contains("app_push") && open.contains("circuit is open"),
            "{open}"
        );
        let slow = SendError::Timeout(Duration::from_millis(250)).to_string();
        assert!(slow.contains("250 ms"), "{slow}");
    }
}
