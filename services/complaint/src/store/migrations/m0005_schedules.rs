//! The schedule moves out of the complaint row into a narrow table of its own. A complaint row
//! is wide and indexed fourteen ways; changing an indexed column (or any column, once a bulk
//! load has left its pages full) writes a new entry in every one of them, so the escalation
//! pass, which moves `next_check_ms` on for every complaint it checks, spent most of its time
//! writing complaint indexes it never reads (1.4 s of 3.8 s at 15,000 due complaints).
//! `complaint_schedules` holds, one row per complaint, only what the pass and the overdue list
//! read and write, with only their two partial indexes.
//!
//! The row carries the complaint's `version` it was derived at: the pass writes a schedule
//! only over the version it read without touching the complaint row, and a move writes both
//! (the schedule first, so every writer takes the two rows in the same order). The opening time
//! and the state are copied so the overdue list still cuts its page from the index alone (see
//! m0004): neither changes without a move, which writes the copy in the same transaction.
//!
//! The old columns are dropped, not kept: nothing writes them any more, and a stale due time
//! that still reads back (a `SELECT *`, a hand-written report) is worse than a query that
//! fails. PostgreSQL drops a column in its catalog alone, without rewriting the table; SQLite
//! (3.35 and later; the bundled one is newer) rewrites it once, and refuses only while an index
//! names the column, so the indexes go first.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{int, maybe_int, text};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_schedules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("complaint_schedules")
                    .if_not_exists()
                    .col(text("complaint_id").primary_key())
                    .col(int("version"))
                    .col(int("opened_ms"))
                    .col(text("state"))
                    .col(maybe_int("overdue_ms"))
                    .col(maybe_int("next_check_ms"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("complaint_schedules", "complaint_id")
                            .to("complaints", "complaint_id"),
                    )
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        for sql in [
            // Copied before the indexes are made: one sort each instead of a row at a time.
            "INSERT INTO complaint_schedules \
             (complaint_id, version, opened_ms, state, overdue_ms, next_check_ms) \
             SELECT complaint_id, version, opened_ms, state, overdue_ms, next_check_ms \
             FROM complaints",
            // The escalation pass: the complaints whose check has come, soonest first.
            "CREATE INDEX IF NOT EXISTS schedules_next_check \
             ON complaint_schedules (next_check_ms, complaint_id) \
             WHERE next_check_ms IS NOT NULL",
            // The overdue list, from the index alone (m0004 made it on the complaint row).
            "CREATE INDEX IF NOT EXISTS schedules_overdue_list \
             ON complaint_schedules (overdue_ms, opened_ms, complaint_id, state) \
             WHERE overdue_ms IS NOT NULL",
            "DROP INDEX IF EXISTS complaints_next_check",
            "DROP INDEX IF EXISTS complaints_overdue_list",
            "DROP INDEX IF EXISTS complaints_overdue",
            // One column per statement: SQLite alters a table one change at a time.
            "ALTER TABLE complaints DROP COLUMN next_check_ms",
            "ALTER TABLE complaints DROP COLUMN overdue_ms",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
