//! The dispatcher's three queues as partial indexes, in place of one index on every reminder's
//! (state, planned time): waiting reminders by due time (what a claim takes, in order),
//! dispatching ones by lease expiry (what a dead worker left), and sent ones by planned time
//! (where receipts can be overdue). A claim walks the first in order and stops at its limit
//! instead of reading every due row to sort them, and a reminder that reaches an end state
//! leaves all three: most of the table (the ended reminders) is in none of them, and a move
//! writes only the entry of the queue it enters.
//!
//! Every move of a reminder changes its state, so each one writes a new entry into every index
//! the row is in; the indexes a customer's reminder never needs (by staff assignee, by source
//! event: NULL for most rows) become partial too, and attempts still awaiting a receipt get an
//! index of their own, walked by send time, so looking for overdue receipts reads only those.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_partial_queues"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for sql in [
            "CREATE INDEX IF NOT EXISTS reminders_waiting ON reminders (planned_send_ms, reminder_id) \
             WHERE state IN ('SCHEDULED', 'DEFERRED')",
            "CREATE INDEX IF NOT EXISTS reminders_leased ON reminders (lease_until_ms) \
             WHERE state = 'DISPATCHING'",
            "CREATE INDEX IF NOT EXISTS reminders_sent ON reminders (planned_send_ms) \
             WHERE state = 'SENT'",
            "DROP INDEX IF EXISTS reminders_due",
            "CREATE INDEX IF NOT EXISTS reminders_by_staff \
             ON reminders (staff_assignee, planned_send_ms, reminder_id) \
             WHERE staff_assignee IS NOT NULL",
            "DROP INDEX IF EXISTS reminders_staff",
            "CREATE INDEX IF NOT EXISTS reminders_by_event ON reminders (source_event_id) \
             WHERE source_event_id IS NOT NULL",
            "DROP INDEX IF EXISTS reminders_event",
            "CREATE INDEX IF NOT EXISTS attempts_awaiting ON attempts (sent_ms, reminder_id) \
             WHERE outcome IS NULL",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
