//! The view's read of the reminder service: the customer's next reminders, those still to go
//! out (SCHEDULED, DEFERRED, DISPATCHING), soonest planned send first. One page of ListReminders
//! by customer and state (the reminder service keeps an index for exactly that), within the
//! section budget: a hanging reminder service costs the agent a second, not the call.
//!
//! The view carries what an agent needs to say what is coming (touchpoint, state, when, until
//! when) and not the rendered text: it may carry personal data, and masked views are cached and
//! shared by every caller without `pii:read`. The reminder service writes the customer's tag on
//! every change to this list, so a cached view never lists what was cancelled or sent.

use vipcare_proto::gateway::v1::UpcomingReminder;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::reminder::v1::{
    ListRemindersRequest, ListRemindersResponse, Reminder, ReminderState,
};
use vipcare_runtime::InternalChannel;

use super::call::{CallContext, Masking, Upstream, within_budget};
use super::lookup::CustomerId;
use crate::error::GatewayError;

/// At most this many reminders are shown.
pub const NEXT_REMINDERS: usize = 5;

/// The states of a reminder still on its way to the customer.
const WAITING: [ReminderState; 3] = [
    ReminderState::Scheduled,
    ReminderState::Deferred,
    ReminderState::Dispatching,
];

#[derive(Debug, Clone)]
pub struct ReminderReader {
    upstream: Upstream<ReminderServiceClient<InternalChannel>>,
}

impl ReminderReader {
    pub fn new(channel: InternalChannel, max_message_bytes: usize) -> ReminderReader {
        let client =
            ReminderServiceClient::new(channel).max_decoding_message_size(max_message_bytes);
        ReminderReader {
            upstream: Upstream::new("reminder", client),
        }
    }

    /// The customer's next `count` reminders, soonest first (the service's list order).
    pub async fn next_reminders(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
        count: usize,
    ) -> Result<Vec<UpcomingReminder>, GatewayError> {
        let request = ListRemindersRequest {
            customer_id: id.as_str().to_owned(),
            states: WAITING.iter().map(|s| *s as i32).collect(),
            page_size: i32::try_from(count).unwrap_or(i32::MAX),
            ..ListRemindersRequest::default()
        };
        let ListRemindersResponse {
            reminders,
            // One page is the section.
            next_page_token: _,
        } = within_budget(
            "reminder",
            self.upstream.call(
                ctx,
                request,
                Masking::AsClient,
                |mut client, request| async move { client.list_reminders(request).await },
            ),
        )
        .await?;
        Ok(reminders.into_iter().take(count).map(upcoming).collect())
    }
}

/// A listed reminder as the view shows it.
fn upcoming(reminder: Reminder) -> UpcomingReminder {
    let Reminder {
        reminder_id,
        customer_id: _,
        touchpoint,
        template_code,
        // The text and what it was filled with stay with the reminder service (see above).
        variables: _,
        text: _,
        state,
        priority,
        send_at: _,
        deadline,
        planned_send_at,
        dedupe_key: _,
        staff_assignee,
        // Attempts, messages and provenance are the reminder's history, not what is coming.
        channel: _,
        attempts: _,
        message_id: _,
        superseded_by: _,
        source_event_id: _,
        client: _,
        create_time: _,
        update_time: _,
    } = reminder;
    UpcomingReminder {
        reminder_id,
        touchpoint,
        state,
        planned_send_at,
        deadline,
        priority,
        template_code,
        staff_assignee,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use vipcare_proto::common::v1::Touchpoint;

    use super::*;

    #[test]
    fn a_listed_reminder_keeps_what_is_coming_and_not_its_text() {
        let at = |seconds| prost_types::Timestamp { seconds, nanos: 0 };
        let listed = Reminder {
            reminder_id: "r-1".into(),
            customer_id: "c-1".into(),
            touchpoint: Touchpoint::PromotionExpiry as i32,
            template_code: "promotion_expiry.expiring.sms.zh-cn".into(),
            variables: BTreeMap::from([("PROMOTION_NAME".into(), "流量半价".into())]),
            text: "尊敬的张先生:您的流量半价将在3月9日到期".into(),
            state: ReminderState::Deferred as i32,
            priority: 55,
            send_at: Some(at(100)),
            deadline: Some(at(900)),
            planned_send_at: Some(at(300)),
            staff_assignee: String::new(),
            ..Reminder::default()
        };
        let shown = upcoming(listed);
        assert_eq!(
            shown,
            UpcomingReminder {
                reminder_id: "r-1".into(),
                touchpoint: Touchpoint::PromotionExpiry as i32,
                state: ReminderState::Deferred as i32,
                planned_send_at: Some(at(300)),
                deadline: Some(at(900)),
                priority: 55,
                template_code: "promotion_expiry.expiring.sms.zh-cn".into(),
                staff_assignee: String::new(),
            }
        );
    }
}
