//! Business events in, reminders out. A batch (one IngestEvent, or one message of an
//! IngestEvents feed) is checked event by event, then written in one transaction: the event
//! ids, the reminders the events call for (rendered now from the stored templates, so an
//! operator's wording applies), what they do to stored reminders, and what is remembered of
//! each customer for the next event. An event refused changes nothing; a database failure
//! rolls the whole batch back, ids included, so a redelivery is ingested afresh.
//!
//! Within a batch, later events see earlier ones: a low-balance warning that a top-up later in
//! the same batch resolves is never stored, and of two reminders a superseding touchpoint
//! (data usage, low balance) makes for one customer only the newer is stored.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use vipcare_domain::{Clock, Invalid, Violation};
use vipcare_storage::Database;

use crate::domain::events::{Event, EventKind, Memory, codes, effects};
use crate::domain::{
    Reminder, ReminderDraft, Rendered, Template, Touchpoint, TouchpointRule, new_reminder_id,
};
use crate::stale::StaleViews;
use crate::store::ingest as store;
use crate::store::{StoreError, reminders, rules, templates};

/// The client event-driven reminders are recorded as scheduled by.
pub const CLIENT: &str = "event";
/// Why a pending low-balance warning is cancelled, as its history says.
const RESTORED: &str = "the balance is back at or above the threshold";

/// Turns events into reminders. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Ingest {
    db: Database,
    clock: Arc<dyn Clock>,
    /// The customers whose waiting reminders a batch changed: their views are stale.
    stale: StaleViews,
}

/// What became of one event of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Kept, with the reminders it created (none when nothing was called for).
    Created(Vec<String>),
    /// Its id was seen before (or earlier in the batch): kept, nothing created.
    Duplicate,
    /// Refused, every refused field named relative to the event; nothing kept.
    Refused(Vec<Violation>),
}

/// An event of the batch that is new, and what it made.
struct Fresh {
    index: usize,
    reminders: Vec<Reminder>,
}

impl Ingest {
    pub fn new(db: Database, clock: Arc<dyn Clock>) -> Ingest {
        Ingest {
            db,
            clock,
            stale: StaleViews::unbumped(),
        }
    }

    /// Bumps the views of the customers a batch changed in this cache after each commit
    /// (without, the records wait for the replayer).
    pub fn with_stale_views(mut self, stale: StaleViews) -> Ingest {
        self.stale = stale;
        self
    }

    /// Ingests `events` in one transaction; one outcome per event, in their order.
    pub async fn batch(&self, events: Vec<Event>) -> Result<Vec<Outcome>, StoreError> {
        let now = self.clock.now();
        let mut outcomes: Vec<Option<Outcome>> = vec![None; events.len()];
        let mut first_of: HashSet<&str> = HashSet::new();
        for (i, event) in events.iter().enumerate() {
            if let Err(refused) = event.check(now) {
                outcomes[i] = Some(Outcome::Refused(refused));
            } else if !first_of.insert(event.event_id.as_str()) {
                outcomes[i] = Some(Outcome::Duplicate);
            }
        }
        let ids: Vec<&str> = first_of.into_iter().collect();
        if ids.is_empty() {
            return Ok(settled(outcomes));
        }
        let txn = self.db.conn().begin().await?;
        let new = store::record_new(&txn, &ids, now).await?;
        let rules: HashMap<Touchpoint, TouchpointRule> = rules::list(&txn)
            .await?
            .into_iter()
            .map(|stored| (stored.rule.touchpoint, stored.rule))
            .collect();
        let remembered: Vec<&str> = events
            .iter()
            .enumerate()
            .filter(|(i, e)| outcomes[*i].is_none() && new.contains(&e.event_id))
            .filter(|(_, e)| remembers(&e.kind))
            .map(|(_, e)| e.customer_id.as_str())
            .collect();
        let mut memories = store::memory_for_update(&txn, &remembered).await?;
        let mut touched: HashSet<String> = HashSet::new();
        let mut restored: HashSet<String> = HashSet::new();
        let mut forgotten: Vec<&str> = Vec::new();
        let mut fresh: Vec<Fresh> = Vec::new();
        // Which of `fresh` hold a customer's reminders, so dropping one looks only there.
        let mut holding: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut texts = Texts::default();
        for (index, event) in events.iter().enumerate() {
            if outcomes[index].is_some() {
                continue;
            }
            if !new.contains(&event.event_id) {
                outcomes[index] = Some(Outcome::Duplicate);
                continue;
            }
            let mut memory = memories
                .get(&event.customer_id)
                .cloned()
                .unwrap_or_default();
            let planned = effects(event, &mut memory);
            match reminders_for(event, planned.reminders, &rules, &mut texts, &txn, now).await? {
                Err(refused) => {
                    outcomes[index] = Some(Outcome::Refused(refused));
                    forgotten.push(&event.event_id);
                    continue;
                }
                Ok(made) => {
                    let theirs = holding
                        .get(event.customer_id.as_str())
                        .map_or(&[][..], Vec::as_slice);
                    if planned.balance_restored {
                        drop_pending(&mut fresh, theirs, |r| {
                            r.touchpoint == Touchpoint::LowBalance
                                && r.template_code == codes::LOW_BALANCE
                        });
                        restored.insert(event.customer_id.clone());
                    }
                    for r in &made {
                        if rules.get(&r.touchpoint).is_some_and(|rule| rule.supersedes) {
                            drop_pending(&mut fresh, theirs, |old| old.touchpoint == r.touchpoint);
                        }
                    }
                    holding
                        .entry(event.customer_id.as_str())
                        .or_default()
                        .push(fresh.len());
                    fresh.push(Fresh {
                        index,
                        reminders: made,
                    });
                }
            }
            if remembers(&event.kind) {
                touched.insert(event.customer_id.clone());
                memories.insert(event.customer_id.clone(), memory);
            }
        }
        store::forget(&txn, &forgotten).await?;
        let restored: Vec<&str> = restored.iter().map(String::as_str).collect();
        let low = Touchpoint::LowBalance;
        store::resolve(&txn, &restored, low, codes::LOW_BALANCE, RESTORED, now).await?;
        let all: Vec<Reminder> = fresh.iter().flat_map(|f| f.reminders.clone()).collect();
        let superseding: Vec<Touchpoint> = rules
            .values()
            .filter(|rule| rule.supersedes)
            .map(|rule| rule.touchpoint)
            .collect();
        let stored = store::insert_reminders(&txn, &all, &superseding, now).await?;
        let saved: Vec<(&str, &Memory)> = touched
            .iter()
            .filter_map(|c| memories.get(c).map(|m| (c.as_str(), m)))
            .collect();
        store::save_memory(&txn, &saved).await?;
        // New reminders join their customers' waiting lists; superseded and cancelled ones,
        // of the same customers, leave them.
        let changed = all
            .iter()
            .filter(|r| stored.inserted.contains(&r.id))
            .map(|r| r.customer_id.as_str())
            .chain(restored.iter().copied());
        let recorded = crate::stale::record(&txn, changed).await?;
        txn.commit().await?;
        self.stale.settle(self.db.conn(), recorded).await;
        for f in fresh {
            let ids = f.reminders.into_iter().map(|r| r.id);
            outcomes[f.index] = Some(Outcome::Created(
                ids.filter(|id| stored.inserted.contains(id)).collect(),
            ));
        }
        Ok(settled(outcomes))
    }

    /// The reminders an event ingested before created, in creation order.
    pub async fn created_by(&self, event_id: &str) -> Result<Vec<String>, StoreError> {
        let found = reminders::of_event(self.db.conn(), event_id).await?;
        Ok(found.into_iter().map(|r| r.id).collect())
    }

    /// The receiver's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Every event's outcome. Each is settled above; one that were not would be refused, never
/// reported as kept.
fn settled(outcomes: Vec<Option<Outcome>>) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Refused(vec![Invalid::new("not processed").at("")])))
        .collect()
}

/// Kinds judged against what is remembered of the customer.
fn remembers(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::BalanceChanged(_) | EventKind::RoamingAttached(_) | EventKind::DataUsage(_)
    )
}

/// Removes reminders matching `which` from the batch's pending ones at `indices` (those of
/// one customer: an event's reminders are all for its customer).
fn drop_pending(fresh: &mut [Fresh], indices: &[usize], which: impl Fn(&Reminder) -> bool) {
    for &i in indices {
        if let Some(f) = fresh.get_mut(i) {
            f.reminders.retain(|r| !which(r));
        }
    }
}

/// The stored templates the batch renders with, read once per code.
#[derive(Default)]
struct Texts(HashMap<&'static str, Option<Template>>);

/// The reminders an event's plans make, rendered; the event is refused when one cannot be
/// (a variable an operator's template needs that events do not carry).
async fn reminders_for<C: sea_orm::ConnectionTrait>(
    event: &Event,
    planned: Vec<crate::domain::events::Planned>,
    rules: &HashMap<Touchpoint, TouchpointRule>,
    texts: &mut Texts,
    conn: &C,
    now: DateTime<Utc>,
) -> Result<Result<Vec<Reminder>, Vec<Violation>>, StoreError> {
    let mut made = Vec::with_capacity(planned.len());
    for plan in planned {
        let code = plan.template_code;
        let rule = rules.get(&plan.touchpoint).ok_or_else(|| {
            StoreError::Internal(format!(
                "no rule for {}: not seeded",
                plan.touchpoint.code()
            ))
        })?;
        let Some(values) = plan.schedule_values(event, rule, now) else {
            continue; // Stale already: never sent late.
        };
        if !texts.0.contains_key(code) {
            let stored = templates::get(conn, code).await?;
            texts.0.insert(code, stored.map(|s| s.template));
        }
        let Some(template) = texts.0.get(code).and_then(Option::as_ref) else {
            tracing::warn!(template = code, event_id = %event.event_id, "template missing: part left out");
            continue;
        };
        let draft = match ReminderDraft::new(values, rule, now) {
            Ok(draft) => draft,
            Err(refused) => return Ok(Err(whole_event(code, refused))),
        };
        let text = match template.render(&draft.variables) {
            Ok(text) => text,
            Err(refused) => return Ok(Err(whole_event(code, refused))),
        };
        let rendered = Rendered {
            template_code: code.to_owned(),
            text,
        };
        let (mut reminder, _) = Reminder::schedule(new_reminder_id(), draft, rendered, CLIENT, now);
        // Its dispatch continues the trace of the call that brought the event.
        reminder.trace = vipcare_trace::current();
        made.push(reminder);
    }
    Ok(Ok(made))
}

/// A reminder's refusal, told as the event's: its fields are the template's, not the event's.
fn whole_event(code: &str, refused: Vec<Violation>) -> Vec<Violation> {
    refused
        .into_iter()
        .map(|v| Invalid::new(format!("template {code}: {v}")).at(""))
        .collect()
}
