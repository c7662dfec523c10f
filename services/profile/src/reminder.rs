//! The reminder service as the profile reaches it: the relay of the profile's outbox delivers
//! each sensitive-query notice (a staff member read the customer's data unmasked) as an
//! `IngestEvent`, which tells the customer. While the reminder service is away the notices wait
//! in the outbox and are retried, never dropped.

use std::time::Duration;

use tonic::transport::Endpoint;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::outbox::{Receiver, Route};

use crate::store::worklog::{NOTICE_DESTINATION, SENSITIVE_QUERY_EVENT};

/// The call a sensitive-query notice becomes; the row's key comes as `x-vipcare-request-id`.
pub const INGEST_EVENT: &str = "/vipcare.reminder.v1.ReminderService/IngestEvent";

const ROUTES: &[Route] = &[(SENSITIVE_QUERY_EVENT, INGEST_EVENT)];

/// Connects on first use, so the profile starts (and notices wait) while the reminder is away.
pub fn connect_lazy(
    url: &str,
    credential: &InternalCredential,
) -> Result<Receiver<InternalChannel>, tonic::transport::Error> {
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
