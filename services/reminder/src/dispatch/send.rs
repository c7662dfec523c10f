//! A unit handed to its channel, and what the answers make of each reminder it carries:
//! accepted (SENT, or DELIVERED at once on a channel that gives no receipts), or refused and
//! on to the retry plan (the same channel after a backoff, the next channel, or FAILED).

use chrono::{DateTime, Utc};
use tracing::Instrument;

use super::compose::{Ready, Unit};
use super::gate::Recipient;
use super::moves::{Moved, clip, jitter};
use super::round::Round;
use crate::channel::{Accepted, Outgoing, SendError};
use crate::domain::{AttemptReport, DeliveryOutcome, Reason, Reminder, ReminderState};
use crate::store::StoreError;
use crate::store::attempts::{self, Attempt, SentMessage};
use crate::store::dispatch;

/// What recording a unit before it goes writes: its reminders and its id (its first message's);
/// `None` for a unit with nothing to record.
pub(super) fn hand_over_of<'a>(
    unit: &'a Unit,
    ready: &'a [Ready],
) -> Option<(Vec<&'a str>, &'a str)> {
    let first = unit.pieces.first()?;
    // One reminder that merges with nothing makes the same messages whoever composes it (the
    // ids come from what they carry): nothing to record, a write saved per message.
    if let [only] = unit.members.as_slice()
        && ready.get(*only).is_some_and(|r| !r.mergeable)
    {
        return None;
    }
    let ids = unit
        .members
        .iter()
        .filter_map(|m| ready.get(*m))
        .map(|r| r.reminder.id.as_str())
        .collect();
    Some((ids, first.id.as_str()))
}

/// A message's hand-over, in the trace of the first reminder it carries that was traced, linked
/// to the others'.
fn send_span(outgoing: &Outgoing, carried: &[&Reminder]) -> tracing::Span {
    let span = tracing::info_span!(
        target: vipcare_trace::TARGET,
        "send",
        otel.name = format!("reminder send {}", outgoing.channel.code()),
        otel.kind = "client",
        reminder.attempt_id = %outgoing.attempt_id,
        reminder.channel = outgoing.channel.code(),
        reminder.count = carried.len(),
    );
    let mut traces = carried.iter().filter_map(|r| r.trace.as_deref());
    vipcare_trace::resume(&span, traces.next());
    for other in traces {
        vipcare_trace::link(&span, other);
    }
    span
}

impl Round<'_> {
    /// Sends a unit's messages in order; the reminders moved on by the answers, and the
    /// message the cap counts (the first one taken).
    pub(super) async fn send(
        &self,
        unit: &Unit,
        ready: &[Ready],
        to: Recipient<'_>,
        tier: &str,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Moved>, Option<SentMessage>), StoreError> {
        let answers = self.hand_over(unit, ready, to).await;
        let mut moved = Vec::with_capacity(unit.members.len());
        for m in &unit.members {
            let mine = unit
                .pieces
                .iter()
                .zip(&answers)
                .filter(|(p, _)| p.members.contains(m))
                .map(|(_, a)| a);
            if let Some(mv) = self.answered(unit, ready, *m, mine, tier, now).await? {
                moved.push(mv);
            }
        }
        let customer_id = unit
            .members
            .first()
            .and_then(|m| ready.get(*m))
            .map(|r| r.reminder.customer_id.clone())
            .unwrap_or_default();
        let message = unit
            .pieces
            .iter()
            .zip(&answers)
            .find(|(_, a)| a.is_ok())
            .map(|(p, _)| SentMessage {
                message_id: p.id.clone(),
                customer_id,
                channel: unit.channel,
                sent_at: now,
                counted_for_cap: unit.counted,
            });
        Ok((moved, message))
    }

    /// Records, under the lease, the unit its reminders are about to go in (by its first
    /// message's id), so a worker that takes them over after a crash sends them together again.
    /// False when the lease was taken over meanwhile: the unit is its new worker's to send.
    pub(super) async fn record_unit(
        &self,
        unit: &Unit,
        ready: &[Ready],
    ) -> Result<bool, StoreError> {
        let Some((ids, first)) = hand_over_of(unit, ready) else {
            return Ok(true);
        };
        let lease = self.lease.current().await;
        dispatch::hand_over(self.d.db.conn(), &lease, &ids, first).await
    }

    /// One call per message, in order, under the message's idempotency key.
    async fn hand_over(
        &self,
        unit: &Unit,
        ready: &[Ready],
        to: Recipient<'_>,
    ) -> Vec<Result<Accepted, SendError>> {
        let mut answers = Vec::with_capacity(unit.pieces.len());
        for piece in &unit.pieces {
            let carried: Vec<&Reminder> = piece
                .members
                .iter()
                .filter_map(|m| ready.get(*m))
                .map(|r| &r.reminder)
                .collect();
            let (Some(first), Some(deadline)) =
                (carried.first(), carried.iter().map(|r| r.deadline).min())
            else {
                let empty = "a message that carries no reminder";
                answers.push(Err(SendError::Malformed(empty.into())));
                continue;
            };
            let address = match to {
                Recipient::Staff => first.staff_assignee.clone(),
                Recipient::Customer { contact, .. } => contact.address(unit.channel),
            };
            let outgoing = Outgoing {
                attempt_id: piece.id.clone(),
                idempotency_key: piece.id.clone(),
                customer_id: first.customer_id.clone(),
                address,
                channel: unit.channel,
                text: piece.text.clone(),
                reminder_ids: carried.iter().map(|r| r.id.clone()).collect(),
                deadline,
            };
            // The call made inside its span (hence the block), so the provider's request
            // carries it.
            let sending = async { self.d.channels.send(&outgoing).await };
            answers.push(sending.instrument(send_span(&outgoing, &carried)).await);
        }
        answers
    }

    /// What the answers to the messages carrying `member` make of it. Accepted only when every
    /// piece of it was.
    async fn answered<'a>(
        &self,
        unit: &Unit,
        ready: &[Ready],
        member: usize,
        answers: impl Iterator<Item = &'a Result<Accepted, SendError>>,
        tier: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Moved>, StoreError> {
        let (Some(item), Some((message_id, attempt_id))) =
            (ready.get(member), unit.attempt_ids(member))
        else {
            return Ok(None);
        };
        let (mut failure, mut receipt_expected, mut provider_id) = (None, false, None);
        for answer in answers {
            match answer {
                Ok(a) => {
                    receipt_expected |= a.receipt_expected;
                    provider_id = provider_id.or(a.provider_message_id.clone());
                }
                Err(e) => failure = failure.or(Some(e.clone())),
            }
        }
        let mut attempt = Attempt {
            attempt_id: attempt_id.clone(),
            reminder_id: item.reminder.id.clone(),
            message_id: Some(message_id.clone()),
            channel: unit.channel,
            number: item.reminder.attempts + 1,
            idempotency_key: message_id,
            sent_at: now,
            outcome: None,
            outcome_at: None,
            detail: None,
        };
        let mut mv = Moved::new(item.reminder.clone());
        let id = Some(attempt_id.as_str());
        let Some(err) = failure else {
            if !receipt_expected {
                attempt.outcome = Some(DeliveryOutcome::Delivered);
                attempt.outcome_at = Some(now);
            }
            mv.attempted(attempt, true);
            let words = provider_id.map(|p| format!("provider message {p}"));
            let (sent, reason) = (ReminderState::Sent, Reason::ProviderAccepted);
            mv.go(sent, now, reason, words.as_deref(), id)?;
            if !receipt_expected {
                let words = "the channel gives no receipts: taken as delivered";
                let (delivered, reason) = (ReminderState::Delivered, Reason::DeliveryReceipt);
                mv.go(delivered, now, reason, Some(words), id)?;
            }
            return Ok(Some(mv));
        };
        let words = err.to_string();
        attempt.outcome = Some(err.outcome());
        attempt.outcome_at = Some(now);
        attempt.detail = Some(clip(&words));
        // Attempts on this channel before this one decide between a retry and the next channel.
        let before = if item.reminder.attempts == 0 {
            0
        } else {
            let tried = attempts::of_reminder(self.d.db.conn(), &item.reminder.id).await?;
            tried.iter().filter(|a| a.channel == unit.channel).count()
        };
        let number = attempt.number;
        mv.attempted(attempt, false);
        let plan = self.d.retry.plan(&AttemptReport {
            outcome: err.outcome(),
            channel: unit.channel,
            attempts_on_channel: u32::try_from(before + 1).unwrap_or(u32::MAX),
            channels: &item.channels,
            now,
            deadline: item.reminder.deadline,
            tier,
            important: item.important,
            jitter: jitter(&item.reminder.id, number + 1),
        });
        let down = err.is_retryable();
        mv.follow(plan, &item.channels, now, &attempt_id, down, &words)?;
        Ok(Some(mv))
    }
}
