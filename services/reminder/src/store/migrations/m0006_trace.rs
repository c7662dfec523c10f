//! The trace context of the call that scheduled each reminder, so its dispatch, hours later,
//! continues that trace (gateway → caller → reminder → provider).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_trace"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("reminders")
                    .add_column(ColumnDef::new("trace_parent").string().null())
                    .to_owned(),
            )
            .await
    }
}
