//! What the complaint service tells people, and how it reaches them: every notice to the
//! customer (COMPLAINT_PROGRESS) and every task for staff (STAFF_TASK) is a `ScheduleReminder`
//! call to the reminder service, written to the outbox in the transaction of the change that
//! causes it and delivered by the relay (`relay`) — so a notice is never lost when the
//! reminder service is away, and never sent for a change that rolled back. The reminder service
//! keeps quiet hours, channels and caps; here only what to say, to whom and by when.
//!
//! Each notice carries a dedupe key derived from what it is about (the complaint, the move's
//! version, the promise, the escalation level), so a pass that runs twice tells once.
//! Satisfaction-survey invitations go to the survey service the same way, as `InviteToSurvey`
//! calls.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Asia::Shanghai;
use prost::Message;
use sea_orm::ConnectionTrait;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1::{
    CancelReminderRequest, ScheduleReminderRequest, cancel_reminder_request,
};
use vipcare_proto::survey::v1::{InviteToSurveyRequest, SurveyChannel, SurveyContext};
use vipcare_storage::outbox;

use crate::domain::{Channel, Complaint};
use crate::store::StoreError;

/// The outbox destination and event of notices and tasks: the reminder service's
/// `ScheduleReminder`.
pub const DESTINATION: &str = "reminder";
pub const SCHEDULE_EVENT: &str = "complaint-notice";
/// A task no longer needed (a promise kept before its reminder went): `CancelReminder` by the
/// task's dedupe key.
pub const CANCEL_EVENT: &str = "complaint-notice-cancel";
/// Satisfaction-survey invitations: the survey service's `InviteToSurvey`.
pub const SURVEY_DESTINATION: &str = "survey";
pub const SURVEY_EVENT: &str = "survey-invitation";

/// The seeded templates the notices use (the reminder service's codes).
const PROGRESS_TEMPLATE: &str = "complaint_progress.update.sms.zh-cn";
const RESULT_TEMPLATE: &str = "complaint_progress.resolved.sms.zh-cn";
const TASK_TEMPLATE: &str = "staff_task.task.account_manager.zh-cn";

/// How long a customer notice stays worth sending; a day-old "we are on it" is noise.
const NOTICE_DEADLINE: TimeDelta = TimeDelta::hours(24);

/// One notice or task, as the reminder service is asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice(ScheduleReminderRequest);

impl Notice {
    /// Progress to the customer: where it stands and by when they hear next ("PROGRESS",
    /// "PROMISED_TIME", "HANDLER"). `key` makes it once-only (see [`dedupe_key`]).
    pub fn progress(
        complaint: &Complaint,
        progress: &str,
        next_answer_by: DateTime<Utc>,
        send_at: DateTime<Utc>,
        key: String,
    ) -> Notice {
        Notice(ScheduleReminderRequest {
            customer_id: complaint.customer_id.clone(),
            touchpoint: Touchpoint::ComplaintProgress as i32,
            template_code: PROGRESS_TEMPLATE.to_owned(),
            variables: [
                ("COMPLAINT_NO", complaint.id.clone()),
                ("PROGRESS", progress.to_owned()),
                ("PROMISED_TIME", local_time(next_answer_by)),
                ("HANDLER", complaint.handler.clone()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            send_at: Some(timestamp(send_at)),
            deadline: Some(timestamp(send_at + NOTICE_DEADLINE)),
            dedupe_key: key,
            ..Default::default()
        })
    }

    /// The result to the customer ("RESULT"): the resolution, or why it cannot be solved.
    pub fn result(complaint: &Complaint, result: &str, now: DateTime<Utc>) -> Notice {
        Notice(ScheduleReminderRequest {
            customer_id: complaint.customer_id.clone(),
            touchpoint: Touchpoint::ComplaintProgress as i32,
            template_code: RESULT_TEMPLATE.to_owned(),
            variables: [
                ("COMPLAINT_NO".to_owned(), complaint.id.clone()),
                ("RESULT".to_owned(), result.to_owned()),
            ]
            .into_iter()
            .collect(),
            send_at: Some(timestamp(now)),
            deadline: Some(timestamp(now + NOTICE_DEADLINE)),
            dedupe_key: dedupe_key(&complaint.id, "result", complaint.version),
            ..Default::default()
        })
    }

    /// A task for a member of staff about the customer's complaint, due at `due`, sent at
    /// `send_at` (the reminder service decides the channel: their work queue, else SMS).
    pub fn staff_task(
        complaint: &Complaint,
        customer_name: &str,
        assignee: &str,
        task: &str,
        due: DateTime<Utc>,
        send_at: DateTime<Utc>,
        key: String,
    ) -> Notice {
        Notice(ScheduleReminderRequest {
            customer_id: complaint.customer_id.clone(),
            touchpoint: Touchpoint::StaffTask as i32,
            template_code: TASK_TEMPLATE.to_owned(),
            variables: [
                ("CUSTOMER_NAME", customer_name.to_owned()),
                ("CUSTOMER_ID", complaint.customer_id.clone()),
                ("TASK", format!("投诉{}:{task}", complaint.id)),
                ("DUE_TIME", local_time(due)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            send_at: Some(timestamp(send_at)),
            // A task is worth doing until it is done; stale only well after it was due.
            deadline: Some(timestamp(due.max(send_at) + TimeDelta::days(3))),
            dedupe_key: key,
            staff_assignee: assignee.to_owned(),
            ..Default::default()
        })
    }

    /// The request as the reminder service receives it.
    pub fn request(&self) -> &ScheduleReminderRequest {
        &self.0
    }
}

/// The dedupe key of a notice about `what` of a complaint at `n` (a version, a level, a
/// promise's ordinal): stable across retries and passes, unique per customer.
pub fn dedupe_key(complaint_id: &str, what: &str, n: impl std::fmt::Display) -> String {
    format!("complaint:{complaint_id}:{what}:{n}")
}

/// Writes `notices` to the outbox inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, notices: &[Notice]) -> Result<(), StoreError> {
    if notices.is_empty() {
        return Ok(());
    }
    outbox::enqueue_many(
        conn,
        DESTINATION,
        SCHEDULE_EVENT,
        notices.iter().map(|n| n.0.encode_to_vec()),
    )
    .await?;
    Ok(())
}

/// Withdraws, inside the caller's transaction, the notice or task scheduled for `customer_id`
/// under `key`, if it has not gone yet (the reminder service refuses to cancel one sent: the
/// relay treats that refusal as final, and the row is parked with its reason).
pub async fn withdraw<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    key: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let request = CancelReminderRequest {
        reminder: Some(cancel_reminder_request::Reminder::DedupeKey(key.to_owned())),
        customer_id: customer_id.to_owned(),
        reason: reason.to_owned(),
        request_id: String::new(),
    };
    outbox::enqueue(conn, DESTINATION, CANCEL_EVENT, request.encode_to_vec()).await?;
    Ok(())
}

/// Invites the customer to the satisfaction survey about a resolved complaint, inside the
/// caller's transaction: an `InviteToSurvey` call to the survey service, the complaint in its
/// context and its first-contact owner as the staff member who follows up a low score (the one
/// accountable to the end). The survey is the scenario whose moments hold complaint handling:
/// the on-site visit for a complaint taken face to face by an account manager or on site, the
/// phone/SMS journey (ending in the result's feedback) for every other channel.
pub async fn invite_to_survey<C: ConnectionTrait>(
    conn: &C,
    complaint: &Complaint,
) -> Result<(), StoreError> {
    let request = InviteToSurveyRequest {
        customer_id: complaint.customer_id.clone(),
        scenario_code: survey_scenario(complaint.channel).to_owned(),
        context: Some(SurveyContext {
            complaint_id: complaint.id.clone(),
            staff_id: complaint.first_contact_owner.clone(),
            ..SurveyContext::default()
        }),
        channel: SurveyChannel::Sms as i32,
        request_id: dedupe_key(&complaint.id, "survey", complaint.version),
    };
    outbox::enqueue(
        conn,
        SURVEY_DESTINATION,
        SURVEY_EVENT,
        request.encode_to_vec(),
    )
    .await?;
    Ok(())
}

/// The survey scenario a complaint taken through `channel` is rated in.
pub fn survey_scenario(channel: Channel) -> &'static str {
    match channel {
        Channel::OnSite | Channel::AccountManager => "ON_SITE_VISIT",
        Channel::Hall | Channel::Hotline | Channel::Web | Channel::Sms | Channel::Partner => {
            "PHONE_SMS"
        }
    }
}

/// Times in messages read as the customer's clock on the wall in China: "12月3日 14:00".
fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai)
        .format("%-m月%-d日 %H:%M")
        .to_string()
}

fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_read_on_the_wall_clock_of_china() {
        let t = Utc.with_ymd_and_hms(2026, 12, 3, 6, 0, 0).unwrap();
        assert_eq!(local_time(t), "12月3日 14:00");
    }

    #[test]
    fn dedupe_keys_name_what_they_are_about() {
        assert_eq!(
            dedupe_key("c-1", "escalation", 2),
            "complaint:c-1:escalation:2"
        );
    }
}
