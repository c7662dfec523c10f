//! A claimed (or sent) reminder moved on: the moves it made, the attempt it made if any, and
//! whether its failure calls for the account manager. Every move goes through the domain's
//! state machine; the store writes the lot back in one transaction.

use chrono::{DateTime, Utc};

use super::gate::Hold;
use crate::domain::{
    ContactChannel, FailureCause, HistoryEntry, IllegalMove, Reason, Reminder, ReminderState,
    RetryPlan,
};
use crate::store::attempts::Attempt;

/// One reminder moved on, ready to be written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Moved {
    pub reminder: Reminder,
    pub changes: Vec<HistoryEntry>,
    pub attempt: Option<Attempt>,
    /// Failed for a customer whose tier escalates, and important: a staff task follows.
    pub escalate: bool,
}

impl Moved {
    pub fn new(reminder: Reminder) -> Moved {
        Moved {
            reminder,
            changes: Vec::new(),
            attempt: None,
            escalate: false,
        }
    }

    pub fn go(
        &mut self,
        to: ReminderState,
        at: DateTime<Utc>,
        reason: Reason,
        detail: Option<&str>,
        attempt_id: Option<&str>,
    ) -> Result<(), IllegalMove> {
        let entry = self.reminder.move_to(to, at, reason, detail, attempt_id)?;
        self.changes.push(entry);
        Ok(())
    }

    /// Applies what the gate (or the cap) decided.
    pub fn held(reminder: Reminder, hold: &Hold, now: DateTime<Utc>) -> Result<Moved, IllegalMove> {
        let mut moved = Moved::new(reminder);
        moved.go(hold.to, now, hold.reason, hold.detail.as_deref(), None)?;
        if let Some(until) = hold.until {
            moved.reminder.planned_send_at = until;
        }
        Ok(moved)
    }

    /// Records `attempt` at handing this reminder over; `taken` when the provider took the
    /// message, which then is the one that carried it.
    pub fn attempted(&mut self, attempt: Attempt, taken: bool) {
        self.reminder.channel = Some(attempt.channel);
        self.reminder.attempts = attempt.number;
        if taken {
            self.reminder.message_id.clone_from(&attempt.message_id);
        }
        self.attempt = Some(attempt);
    }

    /// Follows the retry plan made after an attempt failed (or came back delivered).
    /// `provider_down` says the provider never took the message, which the history shows as
    /// such rather than as a retry after an unreachable phone.
    pub fn follow(
        &mut self,
        plan: RetryPlan,
        channels: &[ContactChannel],
        now: DateTime<Utc>,
        attempt_id: &str,
        provider_down: bool,
        detail: &str,
    ) -> Result<(), IllegalMove> {
        let id = Some(attempt_id);
        match plan {
            RetryPlan::Delivered => self.go(
                ReminderState::Delivered,
                now,
                Reason::DeliveryReceipt,
                Some(detail),
                id,
            ),
            RetryPlan::RetryAt { at, .. } => {
                let reason = if provider_down {
                    Reason::ProviderUnavailable
                } else {
                    Reason::Retry
                };
                self.go(ReminderState::Scheduled, now, reason, Some(detail), id)?;
                self.reminder.planned_send_at = at;
                Ok(())
            }
            RetryPlan::NextChannel { channel, at } => {
                let from = self.reminder.channel.map_or("-", |c| c.code());
                let why = format!("{from} → {}: {detail}", channel.code());
                self.go(
                    ReminderState::Scheduled,
                    now,
                    Reason::NextChannel,
                    Some(&why),
                    id,
                )?;
                let index = channels.iter().position(|c| *c == channel).unwrap_or(0);
                self.reminder.channel_index = u32::try_from(index).unwrap_or(u32::MAX);
                self.reminder.planned_send_at = at;
                Ok(())
            }
            RetryPlan::Failed { escalate, cause } => {
                let reason = match cause {
                    FailureCause::ChannelsExhausted => Reason::AllChannelsFailed,
                    FailureCause::DeadlinePassed => Reason::DeadlinePassed,
                };
                self.escalate = escalate;
                self.go(ReminderState::Failed, now, reason, Some(detail), id)
            }
        }
    }
}

/// A deterministic draw in 0..=1 for the backoff's jitter: spread over customers, yet the same
/// for the same attempt, so a test (or a replay) sees the same retry time.
pub(super) fn jitter(reminder_id: &str, attempt: u32) -> f64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{reminder_id}/{attempt}").as_bytes());
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) as f64 / u64::MAX as f64
}

/// Provider text and receipts are kept short in the attempt, as in the history.
pub(super) fn clip(detail: &str) -> String {
    detail
        .chars()
        .take(crate::domain::state::DETAIL_MAX_CHARS)
        .collect()
}
