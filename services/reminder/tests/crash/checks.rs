//! What the run must show, read from the store once the last process stopped and from what
//! the providers received: every reminder in the one end state its customer calls for (so none
//! was lost, stuck, or sent against the rules); every reminder the SMS provider took, taken
//! under a single idempotency key, so a provider that drops repeats delivers it once; no POST
//! while its customer was in quiet hours; and every claim of a killed process taken over after
//! the kill, within 30 seconds of it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, Statement};
use vipcare_reminder::domain::{Reason, ReminderState};
use vipcare_testkit::webhook_sink::{Received, Reply};

use crate::population::Population;
use crate::receipts::carried;
use crate::world::World;

/// The bound on taking over a dead worker's lease.
const TAKEOVER_BOUND: TimeDelta = TimeDelta::seconds(30);
/// Examples shown per failed check.
const SHOWN: usize = 8;

/// A reminder as the store holds it at the end: its state and every move it made.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub touchpoint: String,
    pub state: ReminderState,
    /// Oldest first: when, into which state, why.
    pub history: Vec<(DateTime<Utc>, ReminderState, Reason)>,
}

/// Every reminder's record, in plan order, read from the store the binary wrote in two
/// statements over its tables (10,000 reads one by one took ten seconds).
pub async fn records(world: &World, ids: &[String]) -> Vec<Record> {
    let label = world.label;
    let db = world.env.database("reminder").await;
    let conn = db.conn();
    let read = |sql: &str| {
        let sql = Statement::from_string(conn.get_database_backend(), sql.to_owned());
        async move {
            conn.query_all_raw(sql)
                .await
                .unwrap_or_else(|e| panic!("[{label}] the store reads: {e}"))
        }
    };
    let mut by_id: HashMap<String, Record> = HashMap::new();
    for row in read("SELECT reminder_id, touchpoint, state FROM reminders").await {
        let id: String = row.try_get("", "reminder_id").expect("an id");
        let state: String = row.try_get("", "state").expect("a state");
        let record = Record {
            id: id.clone(),
            touchpoint: row.try_get("", "touchpoint").expect("a touchpoint"),
            state: ReminderState::from_code(&state).expect("a state code"),
            history: Vec::new(),
        };
        by_id.insert(id, record);
    }
    let history = "SELECT reminder_id, at_ms, state, reason FROM reminder_history \
                   ORDER BY reminder_id, seq";
    for row in read(history).await {
        let id: String = row.try_get("", "reminder_id").expect("an id");
        let at: i64 = row.try_get("", "at_ms").expect("a time");
        let state: String = row.try_get("", "state").expect("a state");
        let reason: String = row.try_get("", "reason").expect("a reason");
        if let Some(record) = by_id.get_mut(&id) {
            record.history.push((
                DateTime::from_timestamp_millis(at).expect("a time in range"),
                ReminderState::from_code(&state).expect("a state code"),
                Reason::from_code(&reason).expect("a reason code"),
            ));
        }
    }
    ids.iter()
        .map(|id| {
            by_id
                .remove(id)
                .unwrap_or_else(|| panic!("[{label}] reminder {id} is stored"))
        })
        .collect()
}

/// Failures found, one line each (with examples); empty when the run is sound.
pub fn failures(
    world: &World,
    population: &Population,
    customers: &[String],
    records: &[Record],
) -> Vec<String> {
    let mut found = Vec::new();
    found.extend(end_states(population, records));
    let sms = world.sms.received();
    found.extend(one_key_each(&sms, records));
    let mut posts = sms;
    posts.extend(world.email.received());
    found.extend(none_in_quiet_hours(&posts, population, customers));
    found.extend(takeovers(world.label, records, &world.kills));
    found
}

/// Each reminder in the end state its customer calls for, reached once, as its last move.
fn end_states(population: &Population, records: &[Record]) -> Vec<String> {
    let ended_once = |r: &Record| {
        let ends = r
            .history
            .iter()
            .filter(|(_, state, _)| state.is_end())
            .count();
        ends == 1
            && r.history
                .last()
                .is_some_and(|(_, state, _)| *state == r.state)
    };
    let wrong: Vec<String> = population
        .reminders
        .iter()
        .zip(records)
        .filter(|(plan, r)| r.state != plan.expect || !ended_once(r))
        .map(|(plan, r)| {
            let story: Vec<String> = r
                .history
                .iter()
                .map(|(_, state, reason)| format!("{}/{}", state.code(), reason.code()))
                .collect();
            format!(
                "{} ({}, customer kind {:?}) is {}, expected {}: {}",
                r.id,
                r.touchpoint,
                population.customers[plan.customer].kind,
                r.state.code(),
                plan.expect.code(),
                story.join(" → ")
            )
        })
        .collect();
    report(
        "reminders not in their expected end state",
        records.len(),
        wrong,
    )
}

/// Per reminder, the keys of the SMS the provider took for it: one key, and only for a reminder
/// that ended DELIVERED.
fn one_key_each(sms: &[Received], records: &[Record]) -> Vec<String> {
    // Per reminder, each key it was taken under and what that message carried.
    let mut keys: HashMap<String, BTreeMap<String, Vec<String>>> = HashMap::new();
    for post in sms.iter().filter(|p| p.reply == Reply::Accept) {
        let key = post.idempotency_key.clone().unwrap_or_default();
        let ids = carried(post);
        for id in &ids {
            keys.entry(id.clone())
                .or_default()
                .insert(key.clone(), ids.clone());
        }
    }
    let mut twice = Vec::new();
    let mut taken_but_not_delivered = Vec::new();
    let mut delivered_untaken = Vec::new();
    for r in records {
        let taken = keys.get(&r.id);
        let delivered = r.state == ReminderState::Delivered;
        match taken {
            Some(k) if k.len() > 1 => twice.push(format!("{} under {k:?}", r.id)),
            Some(_) if !delivered => taken_but_not_delivered.push(format!(
                "{} taken by the provider but {}",
                r.id,
                r.state.code()
            )),
            None if delivered => delivered_untaken.push(r.id.clone()),
            _ => {}
        }
    }
    let n = records.len();
    let mut found = report(
        "reminders sent under more than one idempotency key",
        n,
        twice,
    );
    found.extend(report(
        "reminders the provider took that did not end DELIVERED",
        n,
        taken_but_not_delivered,
    ));
    found.extend(report(
        "reminders DELIVERED that no provider took",
        n,
        delivered_untaken,
    ));
    found
}

/// No POST, to any provider, while its customer was in quiet hours.
fn none_in_quiet_hours(
    posts: &[Received],
    population: &Population,
    customers: &[String],
) -> Vec<String> {
    let index: HashMap<&str, usize> = customers
        .iter()
        .enumerate()
        .map(|(n, id)| (id.as_str(), n))
        .collect();
    let mut quiet = Vec::new();
    for post in posts {
        let customer = post.json.as_ref().and_then(|j| j.get("customer_id"));
        let customer = customer.and_then(|c| c.as_str()).unwrap_or_default();
        let Some(plan) = index.get(customer).map(|n| &population.customers[*n]) else {
            quiet.push(format!("a POST for an unknown customer '{customer}'"));
            continue;
        };
        let at = DateTime::<Utc>::from(post.received_at);
        if plan.quiet.covers(at) {
            quiet.push(format!("{customer} at {at} ({:?})", plan.quiet));
        }
    }
    report("POSTs inside quiet hours", posts.len(), quiet)
}

/// Every takeover follows a kill (no live worker's claim is taken) and comes within the bound
/// of it; and the kills did catch claims, or the run proved nothing about takeovers.
fn takeovers(label: &str, records: &[Record], kills: &[DateTime<Utc>]) -> Vec<String> {
    let mut wrong = Vec::new();
    let (mut count, mut slowest) = (0, TimeDelta::zero());
    for r in records {
        for pair in r.history.windows(2) {
            let ((claimed_at, _, _), (taken_at, _, reason)) = (pair[0], pair[1]);
            if reason != Reason::LeaseTakenOver {
                continue;
            }
            count += 1;
            match kills.iter().find(|k| **k >= claimed_at) {
                Some(kill) if *kill <= taken_at => {
                    let took = taken_at - *kill;
                    slowest = slowest.max(took);
                    if took > TAKEOVER_BOUND {
                        wrong.push(format!("{} taken over {took} after the kill", r.id));
                    }
                }
                _ => wrong.push(format!(
                    "{} claimed at {claimed_at} and taken over at {taken_at} with no kill \
                     between: a live worker lost its lease",
                    r.id
                )),
            }
        }
    }
    println!("[{label}] {count} claims taken over, the slowest {slowest} after its kill");
    let mut found = report("takeovers", count, wrong);
    if count == 0 {
        found.push(format!(
            "no claim was taken over after {} kills: the kills missed the workers",
            kills.len()
        ));
    }
    found
}

fn report(what: &str, of: usize, examples: Vec<String>) -> Vec<String> {
    if examples.is_empty() {
        return Vec::new();
    }
    let shown: Vec<&String> = examples.iter().take(SHOWN).collect();
    vec![format!(
        "{} of {of} {what}, e.g.:\n    {}",
        examples.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n    ")
    )]
}
