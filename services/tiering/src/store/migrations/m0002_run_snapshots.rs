//! Runs keep what each decision was made from instead of its full explanation (about a fifth
//! of the size; the explanation is computed again when asked). The explanations stored by
//! earlier runs go with their table: those runs still report their counts, not their decisions.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::text;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_run_snapshots"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("run_snapshots")
                    .if_not_exists()
                    .col(text("run_id"))
                    .col(text("first_customer_id"))
                    .col(text("last_customer_id"))
                    .col(ColumnDef::new("snapshots").blob().not_null())
                    .primary_key(Index::create().col("run_id").col("first_customer_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("run_decisions").if_exists().to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("run_snapshots").if_exists().to_owned())
            .await
    }
}
