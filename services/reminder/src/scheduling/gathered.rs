//! ScheduleReminder calls without a request_id, stored together. Each call is checked and
//! rendered on its own ([`super::prepare`]), then joins the batch being gathered ([`Batcher`]):
//! one transaction stores the batch's reminders (one statement on PostgreSQL) and records their
//! customers' stale views, one bump and one delete follow its commit, and each call gets its
//! own answer — created, or the reminder that already held its dedupe key — only after all of
//! that, as it would alone. A lone call is stored at once; under load a batch is every call
//! that arrived while the previous one was written, so a busy feed of single calls pays one
//! commit per batch instead of one per call (the database's log flush was most of a call).
//!
//! A batch that fails is stored again call by call, so each call gets its own error and one
//! bad call fails no other. Two reminders that would meet inside one statement (one customer's
//! dedupe key, or one customer's superseding touchpoint, twice) go in successive transactions,
//! in call order. Calls with a request_id keep their own transaction, the one their key is
//! claimed in.

use std::sync::Arc;

use sea_orm::TransactionTrait;
use vipcare_runtime::batching::{self, Batcher};
use vipcare_storage::Database;

use super::Prepared;
use crate::domain::Reminder;
use crate::error::Error;
use crate::stale::{self, StaleViews};
use crate::store::StoreError;
use crate::store::reminders::{self, Scheduled};

/// Calls stored in one batch at most, and batches written at once.
const PER_BATCH: usize = 500;
const IN_FLIGHT: usize = 2;

/// A stored reminder, and whether it was there before (its dedupe key was taken).
pub type Stored = (Reminder, bool);

/// The batches of calls being stored. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Gathered {
    batcher: Batcher<Prepared, Result<Stored, Error>>,
}

impl Gathered {
    /// Stores in `db`, bumping in `stale` what each batch's commit made stale.
    pub fn new(db: Database, stale: StaleViews) -> Gathered {
        let writer = Arc::new((db, stale));
        let batcher = Batcher::new(PER_BATCH, IN_FLIGHT, move |batch| {
            let writer = writer.clone();
            async move { store_all(&writer.0, &writer.1, batch).await }
        });
        Gathered { batcher }
    }

    /// Stores `prepared` with the calls arriving meanwhile; its answer once the batch's
    /// commit and bump are done.
    pub async fn store(&self, prepared: Prepared) -> Result<Stored, Error> {
        match self.batcher.call(prepared).await {
            Ok(stored) => stored,
            Err(gone) => Err(Error::Internal(gone.to_string())),
        }
    }
}

/// Each call's answer, in their order.
async fn store_all(
    db: &Database,
    stale: &StaleViews,
    batch: Vec<Prepared>,
) -> Vec<Result<Stored, Error>> {
    let mut answers: Vec<Option<Result<Stored, Error>>> =
        std::iter::repeat_with(|| None).take(batch.len()).collect();
    // Reminders that would meet in one statement go in successive rounds, in call order.
    for round in batching::rounds(&batch, meeting_points) {
        let together: Vec<&Prepared> = round.iter().map(|&i| &batch[i]).collect();
        let stored = match together.as_slice() {
            [one] => vec![alone(db, stale, one).await],
            many => match at_once(db, stale, many).await {
                Ok(stored) => stored.into_iter().map(Ok).collect(),
                Err(err) => {
                    tracing::debug!(%err, calls = many.len(), "a batch of schedules failed; storing each alone");
                    let mut each = Vec::with_capacity(many.len());
                    for prepared in many {
                        each.push(alone(db, stale, prepared).await);
                    }
                    each
                }
            },
        };
        for (i, answer) in round.into_iter().zip(stored) {
            answers[i] = Some(answer);
        }
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(Error::Internal("a call was left unstored".into()))))
        .collect()
}

/// `batch` in one transaction, its stale views bumped after the commit.
async fn at_once(
    db: &Database,
    stale: &StaleViews,
    batch: &[&Prepared],
) -> Result<Vec<Stored>, Error> {
    let new: Vec<Reminder> = batch.iter().map(|p| p.reminder.clone()).collect();
    let mut superseding = Vec::new();
    for p in batch.iter().filter(|p| p.supersedes) {
        if !superseding.contains(&p.reminder.touchpoint) {
            superseding.push(p.reminder.touchpoint);
        }
    }
    let txn = db.conn().begin().await.map_err(StoreError::from)?;
    let scheduled = reminders::insert_many(&txn, &new, &superseding).await?;
    let created = scheduled.iter().filter_map(|s| match s {
        Scheduled::Created(r) => Some(r.customer_id.as_str()),
        Scheduled::Deduplicated(_) => None,
    });
    let recorded = stale::record(&txn, created).await?;
    txn.commit().await.map_err(StoreError::from)?;
    stale.settle(db.conn(), recorded).await;
    Ok(scheduled
        .into_iter()
        .map(|s| match s {
            Scheduled::Created(r) => (r, false),
            Scheduled::Deduplicated(r) => (r, true),
        })
        .collect())
}

/// One call in its own transaction, as a keyed call is stored.
async fn alone(db: &Database, stale: &StaleViews, prepared: &Prepared) -> Result<Stored, Error> {
    let txn = db.conn().begin().await.map_err(StoreError::from)?;
    let (reminder, deduplicated, recorded) = super::store(&txn, prepared).await?;
    txn.commit().await.map_err(StoreError::from)?;
    stale.settle(db.conn(), recorded).await;
    Ok((reminder, deduplicated))
}

/// What two reminders of one statement must not share.
fn meeting_points(prepared: &Prepared) -> Vec<String> {
    let r = &prepared.reminder;
    let mut points = Vec::new();
    if let Some(key) = &r.dedupe_key {
        points.push(format!("key\n{}\n{key}", r.customer_id));
    }
    if prepared.supersedes {
        points.push(format!(
            "supersedes\n{}\n{}",
            r.customer_id,
            r.touchpoint.code()
        ));
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ReminderDraft, Rendered, ScheduleValues, Touchpoint, default_rule};
    use chrono::{TimeZone, Utc};

    fn prepared(customer: &str, touchpoint: Touchpoint, key: Option<&str>) -> Prepared {
        let rule = default_rule(touchpoint);
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let values = ScheduleValues {
            customer_id: customer.into(),
            dedupe_key: key.unwrap_or_default().to_owned(),
            ..ScheduleValues::default()
        };
        let draft = ReminderDraft::new(values, &rule, now).unwrap();
        let rendered = Rendered {
            template_code: "t".into(),
            text: "x".into(),
        };
        let (reminder, _) = Reminder::schedule(format!("r-{customer}"), draft, rendered, "c", now);
        Prepared {
            reminder,
            supersedes: rule.supersedes,
        }
    }

    #[test]
    fn reminders_that_would_meet_go_in_later_rounds_in_call_order() {
        let batch = [
            prepared("c-1", Touchpoint::LowBalance, None),
            prepared("c-1", Touchpoint::LowBalance, None),
            prepared("c-2", Touchpoint::LowBalance, None),
            prepared("c-1", Touchpoint::Care, Some("k")),
            prepared("c-1", Touchpoint::Care, Some("k")),
            prepared("c-1", Touchpoint::Care, None),
            prepared("c-1", Touchpoint::LowBalance, None),
        ];
        assert!(batch[0].supersedes && !batch[3].supersedes);
        let rounds = batching::rounds(&batch, meeting_points);
        assert_eq!(rounds, [vec![0, 2, 3, 5], vec![1, 4], vec![6]]);
    }
}
