//! Reminders: a schedule request to the domain's `ScheduleValues` (checked against the rule by
//! the domain afterwards), a list request to the store's filter, and a reminder with its
//! history and attempts back to the contract.

use vipcare_domain::{Invalid, Violation};
use vipcare_proto::reminder::v1 as pb;

use super::{
    channel_to_proto, optional_time, outcome_to_proto, page_size_from_proto, required,
    required_list, state_from_proto, state_to_proto, timestamp, touchpoint_from_proto,
    touchpoint_to_proto,
};
use crate::domain::{HistoryEntry, Reason, Reminder, ScheduleValues, Touchpoint};
use crate::store::attempts::Attempt;
use crate::store::listing::ReminderFilter;

/// The touchpoint and values of a ScheduleReminder; `request_id` is the idempotency flow's.
pub fn schedule_from_proto(
    request: pb::ScheduleReminderRequest,
) -> Result<(Touchpoint, ScheduleValues), Vec<Violation>> {
    let pb::ScheduleReminderRequest {
        customer_id,
        touchpoint,
        template_code,
        variables,
        send_at,
        deadline,
        priority,
        dedupe_key,
        request_id: _,
        staff_assignee,
    } = request;
    let mut found = Vec::new();
    let touchpoint = required(touchpoint_from_proto(touchpoint))
        .map_err(|e| found.push(e.at("touchpoint")))
        .ok();
    let send_at = optional_time(send_at.as_ref(), "send_at")
        .map_err(|v| found.push(v))
        .ok()
        .flatten();
    let deadline = optional_time(deadline.as_ref(), "deadline")
        .map_err(|v| found.push(v))
        .ok()
        .flatten();
    let values = ScheduleValues {
        customer_id,
        template_code,
        variables,
        send_at,
        deadline,
        priority,
        dedupe_key,
        staff_assignee,
        source_event_id: String::new(),
    };
    match touchpoint {
        Some(touchpoint) if found.is_empty() => Ok((touchpoint, values)),
        _ => Err(found),
    }
}

/// ListReminders' filter and page size; at least a customer or a member of staff, so a list
/// never scans every reminder.
pub fn list_filter_from_proto(
    request: &pb::ListRemindersRequest,
) -> Result<(ReminderFilter, u64), Vec<Violation>> {
    let pb::ListRemindersRequest {
        customer_id,
        states,
        touchpoint,
        staff_assignee,
        page_size,
        // The store decodes (and refuses) the token.
        page_token: _,
    } = request;
    let mut found = Vec::new();
    if customer_id.is_empty() && staff_assignee.is_empty() {
        found.push(Invalid::new("required unless staff_assignee is given").at("customer_id"));
    }
    let states = required_list(states, state_from_proto)
        .map_err(|e| found.push(e.at("states")))
        .unwrap_or_default();
    let touchpoint = touchpoint_from_proto(*touchpoint)
        .map_err(|e| found.push(e.at("touchpoint")))
        .ok()
        .flatten();
    let size = page_size_from_proto(*page_size)
        .map_err(|v| found.push(v))
        .unwrap_or_default();
    if !found.is_empty() {
        return Err(found);
    }
    let some = |s: &String| (!s.is_empty()).then(|| s.clone());
    let filter = ReminderFilter {
        customer_id: some(customer_id),
        states,
        touchpoint,
        staff_assignee: some(staff_assignee),
    };
    Ok((filter, size))
}

pub fn reminder_to_proto(reminder: &Reminder) -> pb::Reminder {
    let Reminder {
        id,
        customer_id,
        touchpoint,
        template_code,
        variables,
        text,
        priority,
        send_at,
        deadline,
        planned_send_at,
        state,
        dedupe_key,
        staff_assignee,
        channel,
        // Internal to the dispatch: where in the channel order delivery got to.
        channel_index: _,
        attempts,
        message_id,
        superseded_by,
        source_event_id,
        client,
        create_time,
        update_time,
        changes: _,
        // Observability, not the reminder's content.
        trace: _,
    } = reminder;
    let text_of = |o: &Option<String>| o.clone().unwrap_or_default();
    pb::Reminder {
        reminder_id: id.clone(),
        customer_id: customer_id.clone(),
        touchpoint: touchpoint_to_proto(*touchpoint) as i32,
        template_code: template_code.clone(),
        variables: variables.as_map().clone(),
        text: text.clone(),
        state: state_to_proto(*state) as i32,
        priority: i32::from(priority.get()),
        send_at: Some(timestamp(*send_at)),
        deadline: Some(timestamp(*deadline)),
        planned_send_at: Some(timestamp(*planned_send_at)),
        dedupe_key: text_of(dedupe_key),
        staff_assignee: text_of(staff_assignee),
        channel: channel.map_or(0, |c| channel_to_proto(c) as i32),
        attempts: i32::try_from(*attempts).unwrap_or(i32::MAX),
        message_id: text_of(message_id),
        superseded_by: text_of(superseded_by),
        source_event_id: text_of(source_event_id),
        client: client.clone(),
        create_time: Some(timestamp(*create_time)),
        update_time: Some(timestamp(*update_time)),
    }
}

/// One history entry, its reason in words and the detail after it.
pub fn change_to_proto(entry: &HistoryEntry) -> pb::ReminderStateChange {
    let HistoryEntry {
        at,
        state,
        reason,
        detail,
        attempt_id,
    } = entry;
    let words = reason_in_words(*reason);
    pb::ReminderStateChange {
        state: state_to_proto(*state) as i32,
        change_time: Some(timestamp(*at)),
        reason: match detail {
            Some(detail) if !detail.is_empty() => format!("{words}: {detail}"),
            _ => words.to_owned(),
        },
        attempt_id: attempt_id.clone().unwrap_or_default(),
    }
}

/// Why a reminder moved, as staff reading its history say it.
fn reason_in_words(reason: Reason) -> &'static str {
    match reason {
        Reason::Created => "scheduled",
        Reason::QuietHours => "quiet hours",
        Reason::DailyCap => "daily cap reached",
        Reason::Due => "due",
        Reason::LeaseTakenOver => "taken over from a stopped worker",
        Reason::ProviderAccepted => "accepted by the provider",
        Reason::ProviderUnavailable => "provider unavailable",
        Reason::Retry => "retry",
        Reason::NextChannel => "next channel",
        Reason::DeliveryReceipt => "delivery receipt",
        Reason::DeadlinePassed => "deadline passed",
        Reason::QuietHoursPastDeadline => "quiet hours last past the deadline",
        Reason::CancelRequested => "cancelled",
        Reason::ConditionResolved => "no longer needed",
        Reason::SupersededByNewer => "superseded",
        Reason::OptedOut => "the customer opted out",
        Reason::DailyCapPastDeadline => "daily cap reached until past the deadline",
        Reason::AllChannelsFailed => "every channel failed",
        Reason::NoChannel => "no channel to reach the customer",
    }
}

pub fn attempt_to_proto(attempt: &Attempt) -> pb::DeliveryAttempt {
    let Attempt {
        attempt_id,
        reminder_id: _,
        message_id: _,
        channel,
        number,
        // The provider sees it; the contract shows the attempt id, which names the attempt.
        idempotency_key: _,
        sent_at,
        outcome,
        outcome_at,
        detail,
    } = attempt;
    pb::DeliveryAttempt {
        attempt_id: attempt_id.clone(),
        channel: channel_to_proto(*channel) as i32,
        number: i32::try_from(*number).unwrap_or(i32::MAX),
        start_time: Some(timestamp(*sent_at)),
        finish_time: outcome_at.map(timestamp),
        outcome: outcome.map_or(0, |o| outcome_to_proto(o) as i32),
        detail: detail.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
#[path = "reminder_tests.rs"]
mod tests;
