//! The reminder service as tiering reaches it: the relay of tiering's outbox delivers every
//! tier-change notice to it, which tells the customer. Rows name the event they carry, not the
//! call, so notices written today stay deliverable whatever the reminder's contract settles
//! on; the call each event becomes is chosen here. Until `vipcare.reminder.v1` exists every
//! delivery fails (connection refused, or UNIMPLEMENTED from whatever answers the address) and
//! the notices wait in the outbox, retried with the relay's capped backoff, never dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use prost::Message;
use tonic::transport::Endpoint;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::outbox::grpc::deliver_unary;
use vipcare_storage::outbox::{Deliver, DeliveryError, OutboxMessage};

use crate::domain::{TierChange, TierPolicy};
use crate::grpc::convert::notice_to_proto;
use crate::store::history::{NOTICE_DESTINATION, NOTICE_EVENT};

/// The call a tier-change notice becomes: its request is the `TierChangeEvent` as written,
/// and the row's key comes as `x-vipcare-request-id`.
pub const NOTIFY_TIER_CHANGE: &str = "/vipcare.reminder.v1.ReminderService/NotifyTierChange";

/// The outbox payload of a tier change: the `TierChangeEvent` the reminder service is sent, with
/// the tiers' names under `policy`.
pub fn notice_payload(change: &TierChange, policy: &TierPolicy) -> Vec<u8> {
    notice_to_proto(change, policy).encode_to_vec()
}

/// Bound on one delivery, so a receiver that hangs holds the relay this long at most.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers tiering's outbox rows to the reminder service.
#[derive(Debug)]
pub struct ReminderNotices {
    /// Signs every delivery: the reminder service, like every service, answers signed calls only.
    channel: InternalChannel,
    /// Whether the last delivery got through, so an outage is logged when it starts and when
    /// it ends rather than on each of its retries.
    reachable: AtomicBool,
}

impl ReminderNotices {
    /// Connects on first use, so tiering starts (and notices wait) while the reminder is away.
    pub fn connect_lazy(
        url: &str,
        credential: &InternalCredential,
    ) -> Result<ReminderNotices, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url.to_owned())?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(2))
            .connect_lazy();
        Ok(ReminderNotices {
            channel: credential.channel(channel),
            reachable: AtomicBool::new(true),
        })
    }

    async fn send(&self, msg: &OutboxMessage) -> Result<(), DeliveryError> {
        let path = match (msg.destination.as_str(), msg.method.as_str()) {
            (NOTICE_DESTINATION, NOTICE_EVENT) => NOTIFY_TIER_CHANGE,
            // Written by a newer version during a rollout: left for a replica that knows it.
            (destination, event) => {
                return Err(DeliveryError::Retry(format!(
                    "no call for {event} to {destination} in this version"
                )));
            }
        };
        deliver_unary(self.channel.clone(), path, msg, CALL_TIMEOUT).await
    }

    fn note(&self, result: &Result<(), DeliveryError>) {
        // A refused message is the relay's to log (it parks the row); the service answered.
        let reachable = !matches!(result, Err(DeliveryError::Retry(_)));
        if self.reachable.swap(reachable, Ordering::Relaxed) == reachable {
            return;
        }
        match result {
            Err(DeliveryError::Retry(reason)) => tracing::warn!(
                %reason,
                "the reminder service cannot take tier-change notices; they wait in the outbox"
            ),
            Ok(()) | Err(DeliveryError::Permanent(_)) => {
                tracing::info!("the reminder service takes tier-change notices again")
            }
        }
    }
}

impl Deliver for ReminderNotices {
    fn deliver<'a>(&'a self, msg: &'a OutboxMessage) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let result = self.send(msg).await;
            self.note(&result);
            result
        })
    }
}
