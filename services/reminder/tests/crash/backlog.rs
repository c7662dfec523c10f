//! The backlog, written into the store before the first process starts, as an event feed would
//! leave it: each reminder checked against its touchpoint's rule and rendered from the seeded
//! default template as ScheduleReminder would, then stored in bulk (the store's event-ingest
//! insert), the newer data alerts after the rest so they supersede the older ones. Scheduling
//! 10,000 reminders one call at a time is not what this test is about, and took minutes.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use vipcare_reminder::domain::rule::default_rule;
use vipcare_reminder::domain::template::{FALLBACK_LOCALE, default_template};
use vipcare_reminder::domain::{
    ContactChannel, Reminder, ReminderDraft, Rendered, ScheduleValues, Touchpoint, new_reminder_id,
    seed_templates,
};
use vipcare_reminder::store::{Migrator, ingest, seed};
use vipcare_testkit::TestEnv;

use crate::population::Population;

/// Rows per insert statement.
const CHUNK: usize = 500;

/// Stores every planned reminder for `customers` (ids in population order) at `now`; their ids,
/// in plan order.
pub async fn store(
    env: &TestEnv,
    population: &Population,
    customers: &[String],
    now: DateTime<Utc>,
) -> Vec<String> {
    let label = env.label;
    let db = env.database("reminder").await;
    db.migrate::<Migrator>().await.expect("the schema migrates");
    seed::defaults(db.conn(), now).await.expect("defaults seed");
    let templates = seed_templates();
    let reminders: Vec<Reminder> = population
        .reminders
        .iter()
        .enumerate()
        .map(|(n, plan)| {
            let rule = default_rule(plan.touchpoint);
            let values = ScheduleValues {
                customer_id: customers[plan.customer].clone(),
                variables: plan.variables.clone(),
                send_at: plan.send_at,
                deadline: plan.deadline,
                ..ScheduleValues::default()
            };
            let draft = ReminderDraft::new(values, &rule, now)
                .unwrap_or_else(|v| panic!("[{label}] reminder {n} is valid: {v:?}"));
            let template = default_template(
                &templates,
                plan.touchpoint,
                ContactChannel::Sms,
                FALLBACK_LOCALE,
            )
            .unwrap_or_else(|| panic!("{} has a default template", plan.touchpoint.code()));
            let text = template
                .render(&draft.variables)
                .unwrap_or_else(|v| panic!("[{label}] reminder {n} renders: {v:?}"));
            let rendered = Rendered {
                template_code: template.code().to_owned(),
                text,
            };
            Reminder::schedule(new_reminder_id(), draft, rendered, "crash-test", now).0
        })
        .collect();
    let (newer, older): (Vec<_>, Vec<_>) = population
        .reminders
        .iter()
        .zip(&reminders)
        .partition(|(plan, _)| plan.newer);
    let superseding = [Touchpoint::DataUsageAlert];
    for batch in [older, newer] {
        let batch: Vec<Reminder> = batch.into_iter().map(|(_, r)| r.clone()).collect();
        for chunk in batch.chunks(CHUNK) {
            let txn = db.conn().begin().await.expect("a transaction");
            let stored = ingest::insert_reminders(&txn, chunk, &superseding, now)
                .await
                .unwrap_or_else(|e| panic!("[{label}] the backlog is stored: {e}"));
            txn.commit().await.expect("the backlog commits");
            assert_eq!(stored.inserted.len(), chunk.len(), "[{label}] all stored");
        }
    }
    reminders.into_iter().map(|r| r.id).collect()
}
