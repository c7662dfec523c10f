//! The dispatch floor: what the reminders table costs with nothing else to do. As many loops as
//! the service runs workers, each claiming due reminders in batches of the service's size under
//! the store's own lease ([`claim_due`]) and writing them back SENT with their attempt through
//! the store's own completion ([`complete`]), one transaction per batch: no customer look-up,
//! no rules, no merging, no HTTP, no per-message write. Run on the suite's table before the
//! suite starts, so nothing else claims the rows or shares the cores.

use chrono::{TimeDelta, Utc};
use vipcare_reminder::domain::{ContactChannel, Reason, Reminder, ReminderState, new_reminder_id};
use vipcare_reminder::store::attempts::Attempt;
use vipcare_reminder::store::dispatch::{Completion, claim_due, complete};
use vipcare_storage::Database;

/// How the floor works: the service's dispatch knobs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Loops {
    pub workers: u32,
    pub batch_size: u32,
    pub lease: TimeDelta,
}

/// Runs the loops until nothing is due; the reminders they moved to SENT.
pub(super) async fn run(db: &Database, loops: Loops) -> anyhow::Result<u64> {
    let workers: Vec<_> = (0..loops.workers.max(1))
        .map(|w| tokio::spawn(worker(db.clone(), w, loops)))
        .collect();
    let mut moved = 0;
    for worker in workers {
        moved += worker.await??;
    }
    Ok(moved)
}

async fn worker(db: Database, number: u32, loops: Loops) -> anyhow::Result<u64> {
    let mut moved = 0;
    for round in 0_u64.. {
        let owner = format!("floor-{number}/{round}");
        let batch = u64::from(loops.batch_size);
        let claim = claim_due(db.conn(), Utc::now(), &owner, loops.lease, batch).await?;
        if claim.reminders.is_empty() {
            break;
        }
        let now = Utc::now();
        let sent: Vec<(Reminder, _, Attempt)> = claim
            .reminders
            .into_iter()
            .map(|mut r| {
                let id = new_reminder_id();
                let entry = r.move_to(
                    ReminderState::Sent,
                    now,
                    Reason::ProviderAccepted,
                    None,
                    Some(&id),
                )?;
                // What the dispatcher records of an accepted message, receipt still to come.
                r.attempts += 1;
                r.channel = Some(ContactChannel::Sms);
                r.message_id = Some(id.clone());
                let attempt = Attempt {
                    attempt_id: id.clone(),
                    reminder_id: r.id.clone(),
                    message_id: Some(id.clone()),
                    channel: ContactChannel::Sms,
                    number: r.attempts,
                    idempotency_key: id,
                    sent_at: now,
                    outcome: None,
                    outcome_at: None,
                    detail: None,
                };
                Ok((r, entry, attempt))
            })
            .collect::<anyhow::Result<_>>()?;
        let done: Vec<Completion<'_>> = sent
            .iter()
            .map(|(reminder, entry, attempt)| Completion {
                reminder,
                changes: std::slice::from_ref(entry),
                attempt: Some(attempt),
            })
            .collect();
        complete(db.conn(), &claim.lease, &done, &[]).await?;
        moved += sent.len() as u64;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use vipcare_reminder::store::listing::{ReminderFilter, list};
    use vipcare_reminder::store::{Migrator, reminders};
    use vipcare_testkit::TestEnv;

    use super::*;
    use crate::reminders::load;

    #[tokio::test]
    async fn the_floor_sends_every_due_reminder_once() {
        for env in TestEnv::all().await {
            let db = env.database("reminder").await;
            db.migrate::<Migrator>().await.unwrap();
            load::floor_set(&db, 23, Utc::now()).await.unwrap();
            let loops = Loops {
                workers: 2,
                batch_size: 5,
                lease: TimeDelta::seconds(30),
            };
            assert_eq!(run(&db, loops).await.unwrap(), 23, "{}", env.label);
            // Nothing is due any more: a second floor finds nothing to claim.
            assert_eq!(run(&db, loops).await.unwrap(), 0, "{}", env.label);
            let filter = ReminderFilter {
                customer_id: Some("floor-0".into()),
                states: Vec::new(),
                touchpoint: None,
                staff_assignee: None,
            };
            let page = list(db.conn(), &filter, "", 50).await.unwrap();
            assert_eq!(page.reminders.len(), 5, "{}", env.label);
            for r in &page.reminders {
                assert_eq!(r.state, ReminderState::Sent, "{}", env.label);
                let record = reminders::get_record(db.conn(), &r.id).await.unwrap();
                assert_eq!(record.attempts.len(), 1, "{}", env.label);
                assert_eq!(
                    record.attempts[0].outcome, None,
                    "a receipt is still to come"
                );
            }
        }
    }
}
