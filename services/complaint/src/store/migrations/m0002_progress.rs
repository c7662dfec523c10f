//! When the customer of each open complaint is next told how it goes: `next_progress_ms`, the
//! instant the next progress notice is due, and `progress_notices`, how many were sent (the
//! ordinal of the next one, so a notice is sent once per interval however many passes meet it).
//!
//! `next_progress_ms` is NULL until the first notice is scheduled; a complaint whose tier gets
//! no notices holds [`NEVER`](crate::store::progress::NEVER_MS) instead, so NULL on an open
//! complaint always means "not scheduled yet". Two partial indexes let the pass read only the
//! rows it wants at a million open complaints: those due, and those open and not scheduled.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::maybe_int;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_progress"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let columns = [
            maybe_int("next_progress_ms"),
            // A default, so rows written by code that knows nothing of notices count from 0.
            ColumnDef::new("progress_notices")
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table("complaints")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let conn = manager.get_connection();
        for sql in [
            // The notices due by an instant, soonest first; resolved complaints leave it when
            // the pass meets them.
            "CREATE INDEX IF NOT EXISTS complaints_progress_due \
             ON complaints (next_progress_ms, complaint_id) WHERE next_progress_ms IS NOT NULL",
            // Open complaints whose first notice nobody scheduled (opened or reopened by code
            // that does not set it): the pass schedules them.
            "CREATE INDEX IF NOT EXISTS complaints_progress_unset \
             ON complaints (complaint_id) WHERE next_progress_ms IS NULL AND resolved_ms IS NULL",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
