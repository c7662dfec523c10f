//! Reminder rows to domain reminders and back, and the code and list columns every table
//! shares. Codes are the domain's stable text codes; a row that does not decode is corrupt
//! data, an internal error, never a half-read reminder.

use std::collections::BTreeMap;

use sea_orm::{QueryResult, Value};

use super::error::corrupt;
use super::{StoreError, ms, time};
use crate::domain::{
    ContactChannel, Priority, Reason, Reminder, ReminderState, Touchpoint, Variables,
};

/// The reminder columns, in the order [`reminder_values`] binds them.
pub(super) const REMINDER_COLUMNS: &str = "reminder_id, customer_id, touchpoint, template_code, \
    variables, text, priority, send_ms, deadline_ms, planned_send_ms, state, state_reason, \
    dedupe_key, staff_assignee, channel, channel_index, attempts, message_id, superseded_by, \
    source_event_id, client, create_ms, update_ms, history_len, trace_parent";
pub(super) const REMINDER_WIDTH: usize = 25;

/// The row of `r`, whose latest move was for `reason`.
pub(super) fn reminder_values(
    r: &Reminder,
    reason: Reason,
) -> Result<[Value; REMINDER_WIDTH], StoreError> {
    let variables = serde_json::to_string(r.variables.as_map())
        .map_err(|e| StoreError::Internal(format!("variables do not encode: {e}")))?;
    Ok([
        r.id.clone().into(),
        r.customer_id.clone().into(),
        r.touchpoint.code().into(),
        r.template_code.clone().into(),
        variables.into(),
        r.text.clone().into(),
        i64::from(r.priority.get()).into(),
        ms(r.send_at).into(),
        ms(r.deadline).into(),
        ms(r.planned_send_at).into(),
        r.state.code().into(),
        reason.code().into(),
        r.dedupe_key.clone().into(),
        r.staff_assignee.clone().into(),
        r.channel.map(|c| c.code().to_owned()).into(),
        i64::from(r.channel_index).into(),
        i64::from(r.attempts).into(),
        r.message_id.clone().into(),
        r.superseded_by.clone().into(),
        r.source_event_id.clone().into(),
        r.client.clone().into(),
        ms(r.create_time).into(),
        ms(r.update_time).into(),
        i64::from(r.changes).into(),
        r.trace.clone().into(),
    ])
}

/// A reminder read by name from a row holding [`REMINDER_COLUMNS`].
pub(super) fn reminder(row: &QueryResult) -> Result<Reminder, StoreError> {
    let get_ms = |column: &str| row.try_get::<i64>("", column).map(time);
    let variables: String = row.try_get("", "variables")?;
    let variables: BTreeMap<String, String> =
        serde_json::from_str(&variables).map_err(|e| corrupt("variables", e))?;
    let priority: i64 = row.try_get("", "priority")?;
    let channel: Option<String> = row.try_get("", "channel")?;
    Ok(Reminder {
        id: row.try_get("", "reminder_id")?,
        customer_id: row.try_get("", "customer_id")?,
        touchpoint: coded("touchpoint", row, Touchpoint::from_code)?,
        template_code: row.try_get("", "template_code")?,
        variables: Variables::new(variables).map_err(|v| {
            corrupt(
                "variables",
                v.first().map(|v| v.to_string()).unwrap_or_default(),
            )
        })?,
        text: row.try_get("", "text")?,
        priority: i32::try_from(priority)
            .ok()
            .and_then(|p| Priority::new(p).ok())
            .ok_or_else(|| corrupt("priority", priority))?,
        send_at: get_ms("send_ms")?,
        deadline: get_ms("deadline_ms")?,
        planned_send_at: get_ms("planned_send_ms")?,
        state: coded("state", row, ReminderState::from_code)?,
        dedupe_key: row.try_get("", "dedupe_key")?,
        staff_assignee: row.try_get("", "staff_assignee")?,
        channel: channel
            .map(|c| ContactChannel::from_code(&c).ok_or_else(|| corrupt("channel", c)))
            .transpose()?,
        channel_index: count(row, "channel_index")?,
        attempts: count(row, "attempts")?,
        message_id: row.try_get("", "message_id")?,
        superseded_by: row.try_get("", "superseded_by")?,
        source_event_id: row.try_get("", "source_event_id")?,
        client: row.try_get("", "client")?,
        create_time: get_ms("create_ms")?,
        update_time: get_ms("update_ms")?,
        changes: count(row, "history_len")?,
        trace: row.try_get("", "trace_parent")?,
    })
}

/// A code column decoded by `from_code`.
pub(super) fn coded<T>(
    column: &str,
    row: &QueryResult,
    from_code: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    let text: String = row.try_get("", column)?;
    from_code(&text).ok_or_else(|| corrupt(column, text))
}

/// A non-negative count column.
pub(super) fn count(row: &QueryResult, column: &str) -> Result<u32, StoreError> {
    let n: i64 = row.try_get("", column)?;
    u32::try_from(n).map_err(|_| corrupt(column, n))
}

/// Channel codes in order, comma-separated.
pub(super) fn channel_list(channels: &[ContactChannel]) -> String {
    channels
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn channels_from(text: &str) -> Result<Vec<ContactChannel>, StoreError> {
    text.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| ContactChannel::from_code(c).ok_or_else(|| corrupt("channel list", c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_lists_keep_their_order() {
        let order = [
            ContactChannel::AppPush,
            ContactChannel::Sms,
            ContactChannel::Email,
        ];
        assert_eq!(channel_list(&order), "app_push,sms,email");
        assert_eq!(channels_from("app_push,sms,email").unwrap(), order);
        assert!(channels_from("app_push,fax").is_err());
        assert!(channels_from("").unwrap().is_empty());
    }

    #[test]
    fn a_row_binds_one_value_per_column() {
        let columns = REMINDER_COLUMNS.split(',').count();
        assert_eq!(columns, REMINDER_WIDTH);
    }
}
