//! The reminder service as tiering reaches it: the relay of tiering's outbox delivers every
//! tier-change notice to it, which tells the customer. Rows name the event they carry, not the
//! call; the call each event becomes is chosen here. While the reminder service is away every
//! delivery fails (connection refused, or UNIMPLEMENTED from whatever answers the address) and
//! the notices wait in the outbox, retried with the relay's capped backoff, never dropped.

use std::time::Duration;

use prost::Message;
use tonic::transport::Endpoint;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::outbox::{Receiver, Route};

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

/// What tiering's outbox rows become at the reminder service.
const ROUTES: &[Route] = &[(NOTICE_EVENT, NOTIFY_TIER_CHANGE)];

/// Tiering's outbox rows as the reminder service takes them, signed like every internal call.
pub type ReminderNotices = Receiver<InternalChannel>;

/// Connects on first use, so tiering starts (and notices wait) while the reminder is away.
pub fn connect_lazy(
    url: &str,
    credential: &InternalCredential,
) -> Result<ReminderNotices, tonic::transport::Error> {
    let channel = Endpoint::from_shared(url.to_owned())?
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(2))
        .connect_lazy();
    Ok(Receiver::new(
        NOTICE_DESTINATION,
        ROUTES,
        credential.channel(channel),
    ))
}
