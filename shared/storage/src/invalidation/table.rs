//! The `cache_invalidations` table, in every service's schema, and its later columns.

use sea_orm_migration::prelude::*;

use super::TABLE;

/// The table.
pub(crate) struct JournalTable;

impl MigrationName for JournalTable {
    fn name(&self) -> &str {
        // "m0000" like every shared table, so they all sort before the services' own (m0001 on).
        "m0000_vipcare_shared_cache_invalidations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for JournalTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .if_not_exists()
                    .col(ColumnDef::new("write_id").big_integer().not_null())
                    .col(ColumnDef::new("tag").string().not_null())
                    .col(ColumnDef::new("created_ms").big_integer().not_null())
                    .primary_key(Index::create().col("write_id").col("tag"))
                    .to_owned(),
            )
            .await?;
        // Settling by tag reads the rows of a few tags after every write.
        manager
            .create_index(
                Index::create()
                    .name("cache_invalidations_tag")
                    .table(TABLE)
                    .col("tag")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}

/// Packed rows' tags in their own column, out of the indexed key.
pub(crate) struct PackedColumn;

impl MigrationName for PackedColumn {
    fn name(&self) -> &str {
        "m0000_vipcare_shared_cache_invalidations_packed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PackedColumn {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(TABLE)
                    .add_column(ColumnDef::new("packed").text().null())
                    .to_owned(),
            )
            .await
    }
}
