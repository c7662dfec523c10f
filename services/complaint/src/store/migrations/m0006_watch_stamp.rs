//! The watch's change stamp (`update_ms`) moves from the complaint row into its schedule row.
//! Every change moves it, the escalation pass included: on the wide complaint row, indexed
//! fourteen ways (one of them m0003's on the stamp itself), that touch after recording a level
//! cost the pass 1.5 s of 2.2 at 15,000 due complaints, more than everything else it writes.
//! The pass already rewrites each schedule row it checks, so the stamp moves in that same
//! statement; moves write the schedule row anyway, and a promise, a follow-up, compensation or
//! an escalation by hand stamps the schedule row instead of the complaint's (taking the same
//! lock first, as every writer of both does: see `complaints`). The watch's index goes with the
//! column, and the old column goes as m0005's did: nothing else reads it, and a stamp that still
//! reads back but no longer moves is worse than a query that fails. The overdue list's index
//! grows by the schedule's other two columns, so a page reads its schedules from the index.
//!
//! On PostgreSQL the escalations lose their foreign key to the complaints. Its check locked the
//! complaint row of every level recorded (0.29 s of the pass's 0.38 s insert), and it guards
//! nothing the writers do not: complaints are never deleted, the pass records levels only of
//! complaints whose schedule it rewrote in the same transaction, and an escalation by hand is
//! rolled back when the stamp of its complaint finds no row. SQLite keeps it: dropping a key
//! there rebuilds the table, and its check is a look-up in the same process.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_watch_stamp"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for sql in [
            // A constant default: PostgreSQL adds the column in its catalog alone.
            "ALTER TABLE complaint_schedules ADD COLUMN update_ms BIGINT NOT NULL DEFAULT 0",
            "UPDATE complaint_schedules SET update_ms = (SELECT c.update_ms FROM complaints c \
             WHERE c.complaint_id = complaint_schedules.complaint_id)",
            // The (update time, id) order the watch polls changes in (m0003 made it on the
            // complaint row).
            "CREATE INDEX IF NOT EXISTS schedules_updated \
             ON complaint_schedules (update_ms, complaint_id)",
            "DROP INDEX IF EXISTS complaints_updated",
            "ALTER TABLE complaints DROP COLUMN update_ms",
            // The overdue list's index carries the whole schedule row, so the page's schedules
            // come with its keys instead of a look-up each (see `listing`). Every write that
            // changes these two columns already writes every index of the row: one of them is
            // indexed on its own.
            "CREATE INDEX IF NOT EXISTS schedules_overdue_page \
             ON complaint_schedules \
             (overdue_ms, opened_ms, complaint_id, state, next_check_ms, update_ms) \
             WHERE overdue_ms IS NOT NULL",
            "DROP INDEX IF EXISTS schedules_overdue_list",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            // The name PostgreSQL gave m0001's unnamed key.
            conn.execute_unprepared(
                "ALTER TABLE complaint_escalations \
                 DROP CONSTRAINT complaint_escalations_complaint_id_fkey",
            )
            .await?;
        }
        Ok(())
    }
}
