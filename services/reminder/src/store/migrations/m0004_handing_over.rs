//! The message a worker is handing each claimed reminder over in, written under its lease just
//! before the hand-over and cleared when the reminder is written back. A worker that takes over
//! a dead one's claim finds what may already have reached the provider and sends the same
//! messages again (the same reminders together, so under the same idempotency keys) instead of
//! merging them anew.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_handing_over"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("reminders")
                    .add_column(ColumnDef::new("handing_over").string().null())
                    .to_owned(),
            )
            .await
    }
}
