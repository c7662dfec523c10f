//! ScheduleReminder, CancelReminder, GetReminder and ListReminders. A schedule is checked and
//! rendered first (`scheduling`), then stored in the request_id's transaction, or with the
//! other calls of the moment when it has none (`scheduling::Gathered`); a refusal stores
//! nothing. A cancel moves only a reminder still waiting: one claimed, sent or ended is
//! FAILED_PRECONDITION, since a cancel that cannot stop the message would lie. Both make the
//! customer's cached view stale: recorded with the write, bumped after its commit.

use tonic::{Request, Response};
use vipcare_domain::{Invalid, bounded_text};
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::cancel_reminder_request::Reminder as Which;

use super::convert::{
    attempt_to_proto, change_to_proto, list_filter_from_proto, reminder_to_proto,
    schedule_from_proto,
};
use super::request::{Begun, Calling, begin, finish};
use super::{ReminderApi, Reply};
use crate::domain::state::DETAIL_MAX_CHARS;
use crate::error::Error;
use crate::store::{listing, reminders};
use crate::{scheduling, stale};

const SCHEDULE: &str = "vipcare.reminder.v1.ReminderService/ScheduleReminder";
const CANCEL: &str = "vipcare.reminder.v1.ReminderService/CancelReminder";

pub async fn schedule(
    api: &ReminderApi,
    r: Request<pb::ScheduleReminderRequest>,
) -> Reply<pb::ScheduleReminderResponse> {
    let calling = Calling::from(r.metadata());
    let key = calling.key(SCHEDULE, &r.get_ref().request_id, r.get_ref())?;
    let (touchpoint, values) = schedule_from_proto(r.into_inner())?;
    let fresh = match begin(&api.requests, key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let conn = api.db.conn();
    let client = calling.client();
    let now = api.clock.now();
    let prepared = scheduling::prepare(
        conn,
        &api.catalogue,
        api.directory.as_ref(),
        touchpoint,
        values,
        &client,
        now,
    )
    .await?;
    let planned = prepared.reminder.planned_send_at;
    let answer = if key.is_none() {
        // Nothing to claim: stored with the calls made meanwhile, one commit for them all.
        let (reminder, deduplicated) = api.gathered.store(prepared).await?;
        pb::ScheduleReminderResponse {
            reminder: Some(reminder_to_proto(&reminder)),
            deduplicated,
        }
    } else {
        let mut stale = None;
        let answer = finish(fresh, async |txn| {
            let (reminder, deduplicated, recorded) = scheduling::store(txn, &prepared).await?;
            stale = recorded;
            Ok(pb::ScheduleReminderResponse {
                reminder: Some(reminder_to_proto(&reminder)),
                deduplicated,
            })
        })
        .await?;
        api.stale.settle(conn, stale).await;
        answer
    };
    if !answer.deduplicated {
        api.dispatcher.stored_for(planned);
    }
    if let Some(reminder) = &answer.reminder {
        tracing::info!(
            reminder_id = %reminder.reminder_id,
            touchpoint = touchpoint.code(),
            deduplicated = answer.deduplicated,
            %client,
            "reminder scheduled"
        );
    }
    Ok(Response::new(answer))
}

pub async fn cancel(
    api: &ReminderApi,
    r: Request<pb::CancelReminderRequest>,
) -> Reply<pb::CancelReminderResponse> {
    let calling = Calling::from(r.metadata());
    let key = calling.key(CANCEL, &r.get_ref().request_id, r.get_ref())?;
    let pb::CancelReminderRequest {
        reminder,
        customer_id,
        reason,
        request_id: _,
    } = r.into_inner();
    let which = match &reminder {
        Some(Which::ReminderId(id)) => {
            required_id(id, "reminder_id")?;
            reminders::Which::Id(id)
        }
        Some(Which::DedupeKey(key)) => {
            required_id(key, "dedupe_key")?;
            if customer_id.is_empty() {
                let refused = Invalid::new("required to cancel by dedupe_key");
                return Err(refused.at("customer_id").into());
            }
            required_id(&customer_id, "customer_id")?;
            reminders::Which::DedupeKey {
                customer_id: &customer_id,
                key,
            }
        }
        None => {
            let refused = Invalid::new("required: a reminder_id or a dedupe_key");
            return Err(refused.at("reminder_id").into());
        }
    };
    let reason = bounded_text(&reason, DETAIL_MAX_CHARS).map_err(|e| e.at("reason"))?;
    let fresh = match begin(&api.requests, key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let now = api.clock.now();
    let detail = (!reason.trim().is_empty()).then_some(reason.as_str());
    let answer = finish(fresh, async |txn| {
        let cancelled = reminders::cancel(txn, which, detail, now).await?;
        stale::record(txn, [cancelled.customer_id.as_str()]).await?;
        Ok(pb::CancelReminderResponse {
            reminder: Some(reminder_to_proto(&cancelled)),
        })
    })
    .await?;
    if let Some(cancelled) = &answer.reminder {
        let customer = cancelled.customer_id.as_str();
        api.stale
            .settle_tags(api.db.conn(), stale::customer_tags([customer]))
            .await;
    }
    Ok(Response::new(answer))
}

pub async fn get(
    api: &ReminderApi,
    r: Request<pb::GetReminderRequest>,
) -> Reply<pb::GetReminderResponse> {
    let pb::GetReminderRequest { reminder_id } = r.into_inner();
    required_id(&reminder_id, "reminder_id")?;
    let record = reminders::get_record(api.db.conn(), &reminder_id).await?;
    let reminders::ReminderRecord {
        reminder,
        history,
        attempts,
    } = record;
    Ok(Response::new(pb::GetReminderResponse {
        reminder: Some(reminder_to_proto(&reminder)),
        history: history.iter().map(change_to_proto).collect(),
        attempts: attempts.iter().map(attempt_to_proto).collect(),
    }))
}

pub async fn list(
    api: &ReminderApi,
    r: Request<pb::ListRemindersRequest>,
) -> Reply<pb::ListRemindersResponse> {
    let request = r.into_inner();
    let (filter, size) = list_filter_from_proto(&request)?;
    let page = listing::list(api.db.conn(), &filter, &request.page_token, size).await?;
    let listing::ReminderPage {
        reminders,
        next_page_token,
    } = page;
    Ok(Response::new(pb::ListRemindersResponse {
        reminders: reminders.iter().map(reminder_to_proto).collect(),
        next_page_token,
    }))
}

/// Longest id or key a lookup accepts: ids come back in NOT_FOUND details, so one that is no
/// id at all is refused first.
const MAX_ID_CHARS: usize = 128;

fn required_id(value: &str, field: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Invalid::new("required").at(field).into());
    }
    bounded_text(value, MAX_ID_CHARS).map_err(|e| e.at(field))?;
    Ok(())
}
