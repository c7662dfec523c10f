//! Rules, templates, reminders with their history and delivery attempts, the event ids already
//! ingested and the messages sent (for the daily cap). Times are epoch milliseconds (`*_ms`), so
//! due-time and lease comparisons are the same integer comparisons on SQLite and PostgreSQL;
//! optional values are NULL; codes are the domain's stable text codes.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{flag, index, int, maybe_int, maybe_text, text};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_reminders"
    }
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table("touchpoint_rules")
            .if_not_exists()
            .col(text("touchpoint").primary_key())
            .col(int("priority"))
            .col(flag("urgent"))
            .col(flag("mandatory"))
            .col(flag("mergeable"))
            .col(flag("supersedes"))
            .col(int("default_deadline_ms"))
            // Channel codes in order, comma-separated (codes hold no commas).
            .col(text("default_channels"))
            // Bumped by every update; the etag is made from it.
            .col(int("version"))
            .col(text("updated_by"))
            // NULL while the seeded default stands.
            .col(maybe_int("update_ms"))
            .to_owned(),
        Table::create()
            .table("templates")
            .if_not_exists()
            .col(text("code").primary_key())
            .col(text("touchpoint"))
            .col(text("channel"))
            .col(text("locale"))
            .col(text("name"))
            .col(text("body"))
            .col(flag("is_default"))
            .col(int("version"))
            .col(text("updated_by"))
            .col(int("update_ms"))
            .to_owned(),
        Table::create()
            .table("reminders")
            .if_not_exists()
            .col(text("reminder_id").primary_key())
            .col(text("customer_id"))
            .col(text("touchpoint"))
            .col(text("template_code"))
            // The placeholder values as a JSON object: read and written whole, never queried.
            .col(text("variables"))
            .col(text("text"))
            .col(int("priority"))
            .col(int("send_ms"))
            .col(int("deadline_ms"))
            .col(int("planned_send_ms"))
            .col(text("state"))
            // Why it is in its state: the reason of its latest history entry.
            .col(text("state_reason"))
            .col(maybe_text("dedupe_key"))
            .col(maybe_text("staff_assignee"))
            .col(maybe_text("channel"))
            .col(int("channel_index"))
            .col(int("attempts"))
            .col(maybe_text("message_id"))
            .col(maybe_text("superseded_by"))
            .col(maybe_text("source_event_id"))
            .col(text("client"))
            .col(int("create_ms"))
            .col(int("update_ms"))
            // Entries in its history: the next entry's number, and the guard of every write.
            .col(int("history_len"))
            .col(maybe_text("lease_owner"))
            .col(maybe_int("lease_until_ms"))
            .to_owned(),
        Table::create()
            .table("reminder_history")
            .if_not_exists()
            .col(text("reminder_id"))
            .col(int("seq"))
            .col(int("at_ms"))
            .col(text("state"))
            .col(text("reason"))
            .col(maybe_text("detail"))
            .col(maybe_text("attempt_id"))
            .primary_key(Index::create().col("reminder_id").col("seq"))
            .to_owned(),
        Table::create()
            .table("attempts")
            .if_not_exists()
            .col(text("attempt_id").primary_key())
            .col(text("reminder_id"))
            .col(maybe_text("message_id"))
            .col(text("channel"))
            .col(int("number"))
            .col(text("idempotency_key"))
            .col(int("sent_ms"))
            .col(maybe_text("outcome"))
            .col(maybe_int("outcome_ms"))
            .col(maybe_text("detail"))
            .to_owned(),
        Table::create()
            .table("ingested_events")
            .if_not_exists()
            .col(text("event_id").primary_key())
            .col(int("received_ms"))
            .to_owned(),
        Table::create()
            .table("messages")
            .if_not_exists()
            .col(text("message_id").primary_key())
            .col(text("customer_id"))
            .col(text("channel"))
            .col(int("sent_ms"))
            .col(flag("counted_for_cap"))
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for idx in [
            // Claims: waiting reminders by due time, and dispatching ones by state.
            index("reminders", "reminders_due", &["state", "planned_send_ms"]),
            // Lists page by (planned_send_ms, reminder_id) within a customer or assignee.
            index(
                "reminders",
                "reminders_customer",
                &["customer_id", "planned_send_ms", "reminder_id"],
            ),
            index(
                "reminders",
                "reminders_staff",
                &["staff_assignee", "planned_send_ms", "reminder_id"],
            ),
            index("reminders", "reminders_event", &["source_event_id"]),
            // Statistics read a range of due times.
            index("reminders", "reminders_send", &["send_ms"]),
            index("attempts", "attempts_reminder", &["reminder_id", "number"]),
            index("messages", "messages_customer", &["customer_id", "sent_ms"]),
            index("templates", "templates_touchpoint", &["touchpoint", "code"]),
        ] {
            manager.create_index(idx).await?;
        }
        let conn = manager.get_connection();
        for sql in [
            // At most one reminder per customer and dedupe key; reminders without a key are free.
            "CREATE UNIQUE INDEX IF NOT EXISTS reminders_dedupe \
             ON reminders (customer_id, dedupe_key) WHERE dedupe_key IS NOT NULL",
            // One default template per touchpoint, channel and locale.
            "CREATE UNIQUE INDEX IF NOT EXISTS templates_one_default \
             ON templates (touchpoint, channel, locale) WHERE is_default",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
