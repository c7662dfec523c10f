//! Group commit of a round's write-backs. A round serves many customers at once and each writes
//! back after every message; written one by one, that was a transaction of five statements per
//! message, and the round trips, not the rows, were most of what dispatching cost the database.
//! Here a write-back joins a queue and waits for the writer's turn: whoever gets the turn takes
//! everything queued and writes it in one transaction (one statement per table), then answers
//! each. No task of its own: the waiting write-backs take turns, so a round that ends leaves
//! nothing behind.
//!
//! Each caller still gets its own answer after its rows are committed, so a customer's next
//! message still goes only once the last one is written. Reminders whose lease was taken over
//! are dropped from their write-back and the rest written again, as one write-back alone was.

use std::collections::HashSet;
use std::sync::Mutex;

use sea_orm::TransactionTrait;
use tokio::sync::oneshot;

use super::escalation;
use super::moves::Moved;
use super::round::Round;
use crate::store::StoreError;
use crate::store::attempts::SentMessage;
use crate::store::dispatch::{self, Completion};
use crate::upstream::Contact;

/// What one customer's share has to write: the moved reminders, the message that carried them
/// (for the daily cap) and, for escalations, the customer's contact.
pub(super) struct WriteBack {
    pub moved: Vec<Moved>,
    pub message: Option<SentMessage>,
    pub contact: Option<Contact>,
}

struct Queued {
    write: WriteBack,
    answer: oneshot::Sender<Result<(), StoreError>>,
}

/// A round's queue of write-backs and the turn to write them.
#[derive(Default)]
pub(super) struct Batches {
    queue: Mutex<Vec<Queued>>,
    turn: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches").finish_non_exhaustive()
    }
}

impl Batches {
    /// Writes `write` with whatever else is queued; returns once it is committed (or failed).
    pub async fn write(&self, round: &Round<'_>, write: WriteBack) -> Result<(), StoreError> {
        if write.moved.is_empty() {
            return Ok(());
        }
        let (answer, answered) = oneshot::channel();
        self.lock().push(Queued { write, answer });
        {
            let _turn = self.turn.lock().await;
            let queued = std::mem::take(&mut *self.lock());
            if !queued.is_empty() {
                let outcome = write_all(round, &queued).await;
                for q in queued {
                    // A caller that stopped waiting has nothing to be told.
                    let _ = q.answer.send(outcome.clone());
                }
            }
        }
        answered.await.unwrap_or_else(|_| {
            Err(StoreError::Internal(
                "a write-back was dropped before it was written".into(),
            ))
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Queued>> {
        // A panic while pushing or taking leaves the vector whole: keep using it.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes every queued write-back in one transaction under the round's lease. Reminders whose
/// lease was taken over are left to their new worker; a write-back left with none writes
/// nothing (not even its message). One failure fails them all: their reminders stay under the
/// lease, which hands them on.
async fn write_all(round: &Round<'_>, queued: &[Queued]) -> Result<(), StoreError> {
    let mut lost: HashSet<String> = HashSet::new();
    loop {
        let live: Vec<(&WriteBack, Vec<&Moved>)> = queued
            .iter()
            .map(|q| {
                let kept = q.write.moved.iter();
                let kept = kept.filter(|m| !lost.contains(&m.reminder.id)).collect();
                (&q.write, kept)
            })
            .filter(|(_, kept): &(_, Vec<&Moved>)| !kept.is_empty())
            .collect();
        if live.is_empty() {
            return Ok(());
        }
        let lease = round.lease.current().await;
        let now = round.d.clock.now();
        let txn = round.d.db.conn().begin().await?;
        let done: Vec<Completion<'_>> = live
            .iter()
            .flat_map(|(_, kept)| kept.iter())
            .map(|m| Completion {
                reminder: &m.reminder,
                changes: &m.changes,
                attempt: m.attempt.as_ref(),
            })
            .collect();
        let messages: Vec<&SentMessage> = live
            .iter()
            .filter_map(|(w, _)| w.message.as_ref())
            .collect();
        match dispatch::complete(&txn, &lease, &done, &messages).await {
            Ok(()) => {}
            Err(StoreError::LeaseLost { reminder_ids }) => {
                txn.rollback().await?;
                tracing::warn!(worker = %round.d.worker_id, lost = ?reminder_ids, "lease taken over; leaving these to their new worker");
                lost.extend(reminder_ids);
                continue;
            }
            Err(e) => return Err(e),
        }
        for (write, kept) in &live {
            let Some(contact) = &write.contact else {
                continue;
            };
            for m in kept.iter().filter(|m| m.escalate) {
                escalation::staff_task(&txn, &m.reminder, contact, now).await?;
            }
        }
        txn.commit().await?;
        return Ok(());
    }
}
