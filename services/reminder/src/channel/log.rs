//! The embedded default channel: a message "sent" is one log line, so the service runs (and
//! its whole flow can be watched) with no provider configured. The line carries ids and sizes
//! only — no text, number or address — since logs travel further than the customer data.

use futures::future::{self, BoxFuture};

use super::{Accepted, AdapterKind, ChannelAdapter, Outgoing, SendError};

#[derive(Debug, Clone, Copy, Default)]
pub struct LogAdapter;

impl ChannelAdapter for LogAdapter {
    fn kind(&self) -> AdapterKind {
        AdapterKind::Log
    }

    fn send(&self, msg: &Outgoing) -> BoxFuture<'_, Result<Accepted, SendError>> {
        tracing::info!(
            channel = msg.channel.code(),
            customer_id = %msg.customer_id,
            attempt_id = %msg.attempt_id,
            idempotency_key = %msg.idempotency_key,
            reminders = msg.reminder_ids.len(),
            chars = msg.text.chars().count(),
            deadline = %msg.deadline,
            "reminder message written to the log channel"
        );
        Box::pin(future::ready(Ok(Accepted {
            provider_message_id: None,
            receipt_expected: false,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContactChannel;

    #[test]
    fn accepts_every_message_and_promises_no_receipt() {
        let msg = Outgoing {
            attempt_id: "a-1".into(),
            idempotency_key: "k-1".into(),
            customer_id: "c-1".into(),
            address: Some("+8613800138000".into()),
            channel: ContactChannel::Sms,
            text: "您的套餐已变更".into(),
            reminder_ids: vec!["r-1".into()],
            deadline: "2024-06-01T12:00:00Z".parse().unwrap(),
        };
        let accepted = futures::executor::block_on(LogAdapter.send(&msg)).unwrap();
        assert_eq!(
            accepted,
            Accepted {
                provider_message_id: None,
                receipt_expected: false
            }
        );
        assert_eq!(LogAdapter.kind(), AdapterKind::Log);
    }
}
