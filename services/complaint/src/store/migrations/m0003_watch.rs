//! Indexes for WatchComplaints. A watcher polls complaints by when they last changed, and
//! starts from the complaints still owed work, most recently opened first; without these both
//! would read every complaint ever taken.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_watch"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The (update time, id) order changes are polled in.
        manager
            .create_index(index(
                "complaints",
                "complaints_updated",
                &["update_ms", "complaint_id"],
            ))
            .await?;
        // Only the complaints not yet resolved: the few a watch starts with, of the many kept.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS complaints_owed \
                 ON complaints (opened_ms, complaint_id) WHERE clock_resolved_ms IS NULL",
            )
            .await?;
        Ok(())
    }
}
