//! The reminder service as the complaint service reaches it: the relay of the complaint
//! outbox delivers every notice and staff task as a `ScheduleReminder` call, the row's key as
//! its `request_id`. While the reminder service is away the rows wait, retried with the relay's
//! capped backoff, never dropped. Survey invitations wait for the survey service.

use std::time::Duration;

use tonic::transport::Endpoint;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::outbox::{Receiver, Route};

use crate::notices::{DESTINATION, SCHEDULE_EVENT};

/// The call a notice row becomes.
pub const SCHEDULE_REMINDER: &str = "/vipcare.reminder.v1.ReminderService/ScheduleReminder";

const ROUTES: &[Route] = &[(SCHEDULE_EVENT, SCHEDULE_REMINDER)];

/// The complaint outbox's rows as the reminder service takes them, signed like every internal
/// call.
pub type ReminderNotices = Receiver<InternalChannel>;

/// Connects on first use, so the service starts (and notices wait) while the reminder is away.
pub fn connect_lazy(
    url: &str,
    credential: &InternalCredential,
) -> Result<ReminderNotices, tonic::transport::Error> {
    let channel = Endpoint::from_shared(url.to_owned())?
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(2))
        .connect_lazy();
    Ok(Receiver::new(
        DESTINATION,
        ROUTES,
        credential.channel(channel),
    ))
}
