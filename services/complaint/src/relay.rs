//! The reminder service as the complaint service reaches it: the relay of the complaint
//! outbox delivers every notice and staff task as a `ScheduleReminder` call, the row's key as
//! its `request_id`, and every withdrawn task as a `CancelReminder`. While the reminder service is away the rows wait, retried with the relay's
//! capped backoff, never dropped. A resolved complaint's survey invitation goes the same way
//! to the survey service's `InviteToSurvey`, by a relay of its own, so neither service being
//! away holds up the other's rows.

use tonic::Code;
use vipcare_runtime::customers::lazy_channel;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::outbox::{Receiver, Route, Settled};

use crate::notices::{CANCEL_EVENT, DESTINATION, SCHEDULE_EVENT, SURVEY_DESTINATION, SURVEY_EVENT};

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

/// The call a survey invitation becomes.
pub const INVITE_TO_SURVEY: &str = "/vipcare.survey.v1.SurveyService/InviteToSurvey";

const SURVEY_ROUTES: &[Route] = &[(SURVEY_EVENT, INVITE_TO_SURVEY)];

/// An invitation the survey service declines for good is not retried: the customer was asked
/// too recently (FAILED_PRECONDITION, survey fatigue) or is gone (NOT_FOUND). Asking again
/// later would break the very rule that declined it.
const SURVEY_SETTLED: &[Settled] = &[(SURVEY_EVENT, &[Code::FailedPrecondition, Code::NotFound])];

/// The complaint outbox's rows as the reminder service takes them, signed like every internal
/// call.
pub type ReminderNotices = Receiver<InternalChannel>;

/// Connects on first use, so the service starts (and notices wait) while the reminder is away.
pub fn connect_lazy(
    url: &str,
    credential: &InternalCredential,
) -> Result<ReminderNotices, tonic::transport::Error> {
    let channel = lazy_channel(url, credential)?;
    Ok(Receiver::new(DESTINATION, ROUTES, channel).with_settled(SETTLED))
}

/// The complaint outbox's survey invitations as the survey service takes them.
pub type SurveyInvitations = Receiver<InternalChannel>;

/// The survey invitations' receiver; connects on first use.
pub fn connect_survey_lazy(
    url: &str,
    credential: &InternalCredential,
) -> Result<SurveyInvitations, tonic::transport::Error> {
    let channel = lazy_channel(url, credential)?;
    let receiver = Receiver::new(SURVEY_DESTINATION, SURVEY_ROUTES, channel);
    Ok(receiver.with_settled(SURVEY_SETTLED))
}
