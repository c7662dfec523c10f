//! Record, history and snapshot keys compared byte by byte on PostgreSQL (see
//! `vipcare_storage::schema::keys_in_byte_order`): an evaluation run inserts a record, a history
//! row and their index entries for nearly every customer, and under the database's locale each
//! comparison went through `strcoll`. Run snapshots are compressed with LZ4 where the server
//! has it (PostgreSQL 14 and later, built with it, as the Debian and official images are): the
//! default, pglz, took a tenth of the server's time in a run compressing each batch's decisions.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use vipcare_storage::schema::keys_in_byte_order;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_keys_in_byte_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        keys_in_byte_order(manager, "tier_records", &["customer_id"]).await?;
        keys_in_byte_order(manager, "tier_history", &["change_id", "customer_id"]).await?;
        keys_in_byte_order(
            manager,
            "run_snapshots",
            &["run_id", "first_customer_id", "last_customer_id"],
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // A server without LZ4 refuses the setting; it keeps pglz, which only costs time.
            manager
                .get_connection()
                .execute_unprepared(
                    "DO $$ BEGIN \
                       ALTER TABLE run_snapshots ALTER COLUMN snapshots SET COMPRESSION lz4; \
                     EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; \
                     END $$",
                )
                .await?;
        }
        Ok(())
    }
}
