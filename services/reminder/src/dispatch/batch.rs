//! A round's write-backs, written together once its messages are out. Each commit costs the
//! database a flush of its log to disk, and written per customer and per message that was
//! most of what dispatching cost (three commits per customer; the disk's sync, not the rows,
//! was the wait). So the customers' shares only queue what moved — ends, waits for quiet hours
//! or the cap, answers to their messages — and the round writes the queue in one transaction
//! (one statement per table) when every share is done.
//!
//! Nothing is lost by waiting: until the round writes, its reminders stay DISPATCHING under its
//! lease, and a crash meanwhile hands them to another worker, which sends the same messages
//! under the same keys (the units were recorded before anything went), so the provider drops
//! the repeats. Reminders whose lease was taken over are dropped from the write and the rest
//! written again.

use std::collections::HashSet;
use std::sync::Mutex;

use sea_orm::TransactionTrait;

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

/// A round's queue of write-backs.
#[derive(Default)]
pub(super) struct WriteBacks {
    queue: Mutex<Vec<WriteBack>>,
}

impl std::fmt::Debug for WriteBacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBacks").finish_non_exhaustive()
    }
}

impl WriteBacks {
    /// Queues `write` for the round's write.
    pub fn push(&self, write: WriteBack) {
        if !write.moved.is_empty() {
            self.lock().push(write);
        }
    }

    /// Writes everything queued so far.
    pub async fn flush(&self, round: &Round<'_>) -> Result<(), StoreError> {
        let queued = std::mem::take(&mut *self.lock());
        write_all(round, &queued).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<WriteBack>> {
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
async fn write_all(round: &Round<'_>, queued: &[WriteBack]) -> Result<(), StoreError> {
    let mut lost: HashSet<String> = HashSet::new();
    loop {
        let live: Vec<(&WriteBack, Vec<&Moved>)> = queued
            .iter()
            .map(|write| {
                let kept = write.moved.iter();
                let kept = kept.filter(|m| !lost.contains(&m.reminder.id)).collect();
                (write, kept)
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
        let written = live.iter().flat_map(|(_, kept)| kept.iter());
        round.d.metrics.moved(written.map(|m| &m.reminder));
        return Ok(());
    }
}
