//! The reminder aggregate: one notice to one customer (or, for a staff task, to one member of
//! staff about a customer), with its rendered text, its times, where it is in its life and how
//! far its delivery got. A schedule request's values are checked into a [`ReminderDraft`]
//! first, every refused field named; the draft becomes a [`Reminder`] once its text is
//! rendered. Every state move goes through [`state`](super::state) and yields the
//! [`HistoryEntry`] that records it, so what GetReminder shows is the whole story.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::rule::Priority;
use super::state::{self, Change, IllegalMove, Reason, ReminderState};
use super::template::Variables;
use super::{ContactChannel, Touchpoint};

#[path = "reminder_draft.rs"]
mod draft;

pub use draft::{
    MAX_DEDUPE_KEY_CHARS, MAX_EVENT_ID_CHARS, MAX_PARTY_ID_CHARS, ReminderDraft, ScheduleValues,
};

/// A new reminder id: UUIDv7, so ids sort by creation and index pages stay dense.
pub fn new_reminder_id() -> String {
    Uuid::now_v7().to_string()
}

/// The template a reminder was rendered from and the text the customer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub template_code: String,
    pub text: String,
}

/// One change of a reminder's state, as its history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub state: ReminderState,
    pub reason: Reason,
    pub detail: Option<String>,
    /// The delivery attempt the change came from, if any.
    pub attempt_id: Option<String>,
}

impl HistoryEntry {
    fn of(change: Change, attempt_id: Option<&str>) -> HistoryEntry {
        HistoryEntry {
            at: change.at,
            state: change.to,
            reason: change.reason,
            detail: change.detail,
            attempt_id: attempt_id.map(str::to_owned),
        }
    }
}

/// One reminder. Fields are plain so the store can restore it; its state changes only through
/// [`Reminder::move_to`], which checks the move and counts it in `changes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: String,
    pub customer_id: String,
    pub touchpoint: Touchpoint,
    pub template_code: String,
    pub variables: Variables,
    pub text: String,
    pub priority: Priority,
    /// When it was asked to go out.
    pub send_at: DateTime<Utc>,
    /// After this it is stale and never sent.
    pub deadline: DateTime<Utc>,
    /// When it will go: `send_at`, moved past quiet hours, a full day or a retry's backoff.
    pub planned_send_at: DateTime<Utc>,
    pub state: ReminderState,
    pub dedupe_key: Option<String>,
    pub staff_assignee: Option<String>,
    /// The channel of the latest attempt; `None` before the first.
    pub channel: Option<ContactChannel>,
    /// Where in the customer's channel order delivery has got to (0 for the first).
    pub channel_index: u32,
    /// Delivery attempts so far, over every channel.
    pub attempts: u32,
    /// The outgoing message that carried it; merged reminders share one.
    pub message_id: Option<String>,
    pub superseded_by: Option<String>,
    pub source_event_id: Option<String>,
    /// The client that scheduled it ("event" for event-driven reminders).
    pub client: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    /// Entries in its history. Writers compare it to detect a move made meanwhile.
    pub changes: u32,
    /// The W3C `traceparent` of the call that scheduled it, when traced: its dispatch
    /// continues that trace.
    pub trace: Option<String>,
}

impl Reminder {
    /// A new SCHEDULED reminder, planned for its send time, and the first entry of its history.
    pub fn schedule(
        id: String,
        draft: ReminderDraft,
        rendered: Rendered,
        client: &str,
        now: DateTime<Utc>,
    ) -> (Reminder, HistoryEntry) {
        let ReminderDraft {
            customer_id,
            touchpoint,
            template_code: _,
            variables,
            send_at,
            deadline,
            priority,
            dedupe_key,
            staff_assignee,
            source_event_id,
        } = draft;
        let reminder = Reminder {
            id,
            customer_id,
            touchpoint,
            template_code: rendered.template_code,
            variables,
            text: rendered.text,
            priority,
            send_at,
            deadline,
            planned_send_at: send_at,
            state: ReminderState::Scheduled,
            dedupe_key,
            staff_assignee,
            channel: None,
            channel_index: 0,
            attempts: 0,
            message_id: None,
            superseded_by: None,
            source_event_id,
            client: client.to_owned(),
            create_time: now,
            update_time: now,
            changes: 1,
            trace: None,
        };
        (reminder, HistoryEntry::of(state::created(now, None), None))
    }

    /// Moves the reminder to `to` for `reason`; an illegal move changes nothing.
    pub fn move_to(
        &mut self,
        to: ReminderState,
        at: DateTime<Utc>,
        reason: Reason,
        detail: Option<&str>,
        attempt_id: Option<&str>,
    ) -> Result<HistoryEntry, IllegalMove> {
        let change = state::move_to(self.state, to, at, reason, detail)?;
        self.state = to;
        self.update_time = at;
        self.changes += 1;
        Ok(HistoryEntry::of(change, attempt_id))
    }

    /// Cancelled by a caller: only while it waits.
    pub fn cancel(
        &mut self,
        at: DateTime<Utc>,
        detail: Option<&str>,
    ) -> Result<HistoryEntry, IllegalMove> {
        self.move_to(
            ReminderState::Cancelled,
            at,
            Reason::CancelRequested,
            detail,
            None,
        )
    }

    /// Replaced by the newer reminder `by`: only while it waits.
    pub fn supersede(&mut self, by: &str, at: DateTime<Utc>) -> Result<HistoryEntry, IllegalMove> {
        let detail = format!("replaced by {by}");
        let entry = self.move_to(
            ReminderState::Superseded,
            at,
            Reason::SupersededByNewer,
            Some(&detail),
            None,
        )?;
        self.superseded_by = Some(by.to_owned());
        Ok(entry)
    }

    /// Held back until `until` by quiet hours or the daily cap (`reason` says which).
    pub fn defer(
        &mut self,
        until: DateTime<Utc>,
        at: DateTime<Utc>,
        reason: Reason,
        detail: Option<&str>,
    ) -> Result<HistoryEntry, IllegalMove> {
        let entry = self.move_to(ReminderState::Deferred, at, reason, detail, None)?;
        self.planned_send_at = until;
        Ok(entry)
    }

    /// Waiting to be claimed (SCHEDULED or DEFERRED).
    pub fn is_waiting(&self) -> bool {
        self.state.may_cancel()
    }
}

#[cfg(test)]
#[path = "reminder_tests.rs"]
mod tests;
