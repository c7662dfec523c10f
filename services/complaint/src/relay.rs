//! The reminder service as the complaint service reaches it: the relay of the complaint
//! outbox delivers every notice and staff task as a `ScheduleReminder` call, the row's key as
//! its `request_id`, and every withdrawn task as a `CancelReminder`. While the reminder service is away the rows wait, retried with the relay's
//! capped backoff, never dropped. Survey invitations wait for the survey service.

use std::time::Duration;

use tonic::Code;
use tonic::transport::Endpoint;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::outbox::{Receiver, Route, Settled};

use crate::notices::{CANCEL_EVENT, DESTINATION, SCHEDULE_EVENT};

/// The call a notice row becomes.
pub const SCHEDULE_REMINDER: &str = "/vipcare.reminder.v1.ReminderService/ScheduleReminder";
/// The call a withdrawn task becomes.
pub const CANCEL_REMINDER: &str = "/vipcare.reminder.v1.ReminderService/CancelReminder";

const ROUTES: &[Route] = &[
    (SCHEDULE_EVENT, SCHEDULE_REMINDER),
    (CANCEL_EVENT, CANCEL_REMINDER),
];

/// A withdrawal finds the task gone already (NOT_FOUND: never scheduled, FAILED_PRECONDITION:
/// sent or cancelled): nothing left to withdraw.
const SETTLED: &[Settled] = &[(CANCEL_EVENT, &[Code::NotFound, Code::FailedPrecondition])];

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
    Ok(Receiver::new(DESTINATION, ROUTES, credential.channel(channel)).with_settled(SETTLED))
}
