//! Delivery receipts, and their absence. A provider reports what became of an attempt
//! (ReportDelivery); the latest attempt of a SENT reminder then decides what follows: delivered,
//! or the retry plan (the same channel after a backoff, the next channel, or FAILED and perhaps
//! a task for the account manager). An attempt that waits past the receipt timeout is settled
//! the same way, as unreachable. A late DELIVERED of an attempt that got no receipt in time ends
//! a reminder waiting for its retry: the customer has the message. Anything else is recorded.
//!
//! The outcome and the reminder's move are written in one transaction, and a repeated receipt
//! changes nothing; a receipt that cannot be planned (the directory is down) records nothing, so
//! it can be sent again, and the receipt timeout catches it otherwise.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use vipcare_domain::Invalid;

use super::moves::{Moved, clip, jitter};
use super::{DispatchError, Dispatcher, overdue};
use crate::domain::rule::TouchpointRule;
use crate::domain::{
    AttemptReport, ContactChannel, DeliveryOutcome, Reason, Reminder, ReminderState,
};
use crate::stale::{self, is_listed};
use crate::store::attempts::{self, Attempt};
use crate::store::{StoreError, reminders};
use crate::upstream::Contact;

/// Reads before a receipt gives up on a reminder that keeps moving under it.
const RETRIES: usize = 3;

/// A provider's word on one attempt (or the receipt timeout's).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Receipt {
    pub reminder_id: String,
    /// The attempt id the provider was given (a merged message's id is accepted for each of
    /// the reminders it carried).
    pub attempt_id: String,
    pub outcome: DeliveryOutcome,
    /// The provider's words.
    pub detail: Option<String>,
    /// When the provider saw the outcome; `None` for now.
    pub at: Option<DateTime<Utc>>,
}

/// What a receipt does to its reminder.
enum Step {
    /// The latest attempt of a SENT reminder: delivered, or the retry plan.
    Settle,
    /// The customer got an earlier attempt while another was under way.
    LateDelivery,
    /// Kept with the attempt; the reminder stays as it is.
    RecordOnly,
}

impl Dispatcher {
    /// A provider's receipt, as ReportDelivery carries it: the outcome, the provider's words
    /// and when it saw the outcome (`None`: now). Returns the reminder as it is afterwards.
    pub async fn report_delivery(
        &self,
        reminder_id: &str,
        attempt_id: &str,
        outcome: DeliveryOutcome,
        detail: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> Result<Reminder, DispatchError> {
        if outcome == DeliveryOutcome::NoReceipt {
            let refused = "must be DELIVERED, FAILED_UNREACHABLE or FAILED_PERMANENT";
            return Err(DispatchError::Invalid(Invalid::new(refused).at("outcome")));
        }
        self.settle(&Receipt {
            reminder_id: reminder_id.to_owned(),
            attempt_id: attempt_id.to_owned(),
            outcome,
            detail: detail.map(str::to_owned),
            at,
        })
        .await
    }

    /// Settles the attempts whose receipt is overdue, as unreachable; how many it settled.
    pub(super) async fn settle_overdue(&self) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let timeout = self.policy.receipt_timeout;
        let due = overdue::awaiting_receipt(self.db.conn(), now - timeout, self.policy.batch_size)
            .await?;
        let mut settled = 0;
        for o in due {
            let receipt = Receipt {
                reminder_id: o.reminder_id,
                attempt_id: o.attempt_id,
                outcome: DeliveryOutcome::NoReceipt,
                detail: Some(format!("no receipt within {} s", timeout.num_seconds())),
                at: Some(now),
            };
            match self.settle(&receipt).await {
                Ok(_) => settled += 1,
                Err(DispatchError::Store(e)) => return Err(e),
                // The directory is down: the next round tries again.
                Err(DispatchError::Upstream(e)) => {
                    tracing::warn!(%e, reminder_id = %receipt.reminder_id, "receipt timeout not settled yet");
                }
                // Gone or settled meanwhile.
                Err(DispatchError::NotFound { .. } | DispatchError::Invalid(_)) => {}
            }
        }
        Ok(settled)
    }

    async fn settle(&self, receipt: &Receipt) -> Result<Reminder, DispatchError> {
        let conn = self.db.conn();
        for _ in 0..RETRIES {
            let now = self.clock.now();
            let reminder = reminders::get(conn, &receipt.reminder_id)
                .await?
                .ok_or_else(|| not_found("reminder", &receipt.reminder_id))?;
            let tried = attempts::of_reminder(conn, &reminder.id).await?;
            let Some(attempt) = tried.iter().find(|a| {
                a.attempt_id == receipt.attempt_id
                    || a.message_id.as_deref() == Some(receipt.attempt_id.as_str())
            }) else {
                return Err(not_found("attempt", &receipt.attempt_id));
            };
            let read = Read {
                receipt,
                // The provider's clock, within what is possible: not before the send, nor ahead.
                at: receipt
                    .at
                    .unwrap_or(now)
                    .min(now)
                    .max(attempt.sent_at.min(now)),
                detail: receipt.detail.as_deref().map(clip),
                reminder: &reminder,
                attempt,
                tried: &tried,
                now,
            };
            let (moved, contact) = self.answer(&read).await?;
            if self.write(&read, &moved, contact.as_ref()).await? {
                return reminders::get(conn, &receipt.reminder_id)
                    .await?
                    .ok_or_else(|| not_found("reminder", &receipt.reminder_id));
            }
        }
        let conflict = "the reminder kept changing while its receipt was recorded";
        Err(StoreError::Conflict(conflict.into()).into())
    }

    /// What the receipt makes of its reminder, and the contact a failure was planned for.
    async fn answer(&self, read: &Read<'_>) -> Result<(Moved, Option<Contact>), DispatchError> {
        let Read {
            receipt,
            at,
            reminder,
            attempt,
            now,
            ..
        } = *read;
        let mut moved = Moved::new(reminder.clone());
        let id = Some(attempt.attempt_id.as_str());
        let delivered = |moved: &mut Moved, words: &str| {
            let (to, reason) = (ReminderState::Delivered, Reason::DeliveryReceipt);
            moved.go(to, at, reason, Some(words), id)
        };
        match step(receipt.outcome, reminder, attempt) {
            Step::RecordOnly => Ok((moved, None)),
            Step::LateDelivery => {
                let words = format!("late receipt of attempt {}", attempt.number);
                delivered(&mut moved, &words).map_err(StoreError::from)?;
                Ok((moved, None))
            }
            Step::Settle if receipt.outcome == DeliveryOutcome::Delivered => {
                let words = read.detail.as_deref().unwrap_or("delivered");
                delivered(&mut moved, words).map_err(StoreError::from)?;
                Ok((moved, None))
            }
            Step::Settle => {
                let rule = self.rule_of(reminder.touchpoint).await?;
                let (contact, channels) = self.channels_for(reminder, &rule).await?;
                let on_channel = read.tried.iter().filter(|a| a.channel == attempt.channel);
                let plan = self.retry.plan(&AttemptReport {
                    outcome: receipt.outcome,
                    channel: attempt.channel,
                    attempts_on_channel: u32::try_from(on_channel.count()).unwrap_or(u32::MAX),
                    channels: &channels,
                    now,
                    deadline: reminder.deadline,
                    tier: &contact.tier,
                    important: self.policy.is_important(&rule),
                    jitter: jitter(&reminder.id, attempt.number + 1),
                });
                let words = read
                    .detail
                    .clone()
                    .unwrap_or_else(|| receipt.outcome.code().to_owned());
                moved
                    .follow(plan, &channels, now, &attempt.attempt_id, false, &words)
                    .map_err(StoreError::from)?;
                Ok((moved, Some(contact)))
            }
        }
    }

    /// The outcome and the moves in one transaction; false when either lost to a concurrent
    /// writer (the caller reads again).
    async fn write(
        &self,
        read: &Read<'_>,
        moved: &Moved,
        contact: Option<&Contact>,
    ) -> Result<bool, StoreError> {
        let (attempt, outcome) = (read.attempt, read.receipt.outcome);
        let txn = self.db.conn().begin().await?;
        if attempt.outcome.is_none() {
            let detail = read.detail.as_deref();
            let first =
                attempts::record_outcome(&txn, &attempt.attempt_id, outcome, read.at, detail)
                    .await?;
            if !first && !moved.changes.is_empty() {
                txn.rollback().await?;
                return Ok(false);
            }
        }
        if !moved.changes.is_empty() {
            match reminders::update(&txn, &moved.reminder, &moved.changes).await {
                Ok(()) => {}
                Err(StoreError::Conflict(_)) => {
                    txn.rollback().await?;
                    return Ok(false);
                }
                Err(e) => return Err(e),
            }
            if let (true, Some(contact)) = (moved.escalate, contact) {
                super::escalation::staff_task(&txn, &moved.reminder, contact, read.now).await?;
            }
        }
        // A retry puts the reminder back in the customer's view, a late delivery takes it out,
        // an escalation adds a staff task; SENT to DELIVERED or FAILED changes nothing listed.
        let listed = is_listed(read.reminder.state) || is_listed(moved.reminder.state);
        let customer = moved.reminder.customer_id.as_str();
        let stale = if !moved.changes.is_empty() && (listed || moved.escalate) {
            stale::record(&txn, [customer]).await?
        } else {
            None
        };
        txn.commit().await?;
        if !moved.changes.is_empty() {
            self.metrics.moved([&moved.reminder]);
        }
        self.stale.settle(self.db.conn(), stale).await;
        Ok(true)
    }

    /// Who the reminder is planned for and its channels in order: the customer's (from the
    /// directory), or for a staff task the rule's.
    async fn channels_for(
        &self,
        r: &Reminder,
        rule: &TouchpointRule,
    ) -> Result<(Contact, Vec<ContactChannel>), DispatchError> {
        if r.touchpoint.is_staff_task() {
            return Ok((Contact::new(&r.customer_id), rule.default_channels.clone()));
        }
        // A customer the profile no longer knows gets the defaults; the next claim fails it.
        let contact = self
            .directory
            .contact(&r.customer_id)
            .await?
            .unwrap_or_else(|| Contact::new(&r.customer_id));
        let channels = contact.channels_for(rule).to_vec();
        Ok((contact, channels))
    }
}

/// A receipt with what it names, as read for one try.
struct Read<'a> {
    receipt: &'a Receipt,
    at: DateTime<Utc>,
    detail: Option<String>,
    reminder: &'a Reminder,
    attempt: &'a Attempt,
    /// Every attempt of the reminder, this one included.
    tried: &'a [Attempt],
    now: DateTime<Utc>,
}

/// What a receipt does, given the reminder and the attempt it names.
fn step(outcome: DeliveryOutcome, reminder: &Reminder, attempt: &Attempt) -> Step {
    let latest = attempt.number == reminder.attempts && attempt.outcome.is_none();
    // Only our own timeout is overruled by a receipt; the provider's first word stands.
    let open = matches!(attempt.outcome, None | Some(DeliveryOutcome::NoReceipt));
    let delivered = outcome == DeliveryOutcome::Delivered;
    match reminder.state {
        ReminderState::Sent if latest => Step::Settle,
        ReminderState::Scheduled
        | ReminderState::Deferred
        | ReminderState::Dispatching
        | ReminderState::Sent
            if delivered && open =>
        {
            Step::LateDelivery
        }
        _ => Step::RecordOnly,
    }
}

fn not_found(kind: &'static str, id: &str) -> DispatchError {
    DispatchError::NotFound {
        kind,
        id: id.to_owned(),
    }
}
