//! The tables every service has besides its own (outbox, idempotency keys, cache invalidations),
//! applied in the same migration history as the service's migrations so one `migrate` brings
//! everything up.

use std::marker::PhantomData;

use sea_orm_migration::prelude::*;

/// The service's migrator with the shared tables in front.
pub struct WithSharedTables<M>(PhantomData<M>);

impl<M: MigratorTrait> MigratorTrait for WithSharedTables<M> {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all: Vec<Box<dyn MigrationTrait>> = vec![
            Box::new(SharedTables),
            Box::new(crate::idempotency::RequestKeysTable),
            Box::new(crate::invalidation::JournalTable),
            Box::new(crate::schedule::ScheduleTables),
            Box::new(OutboxTrace),
            Box::new(crate::invalidation::PackedColumn),
        ];
        all.extend(M::migrations());
        all
    }
}

struct SharedTables;

impl MigrationName for SharedTables {
    fn name(&self) -> &str {
        "m0000_vipcare_shared_outbox_idempotency"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SharedTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Times are epoch milliseconds: the same comparisons on SQLite and PostgreSQL.
        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .if_not_exists()
                    .col(
                        ColumnDef::new("id")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new("destination").string().not_null())
                    .col(ColumnDef::new("method").string().not_null())
                    .col(ColumnDef::new("payload").blob().not_null())
                    .col(ColumnDef::new("attempts").integer().not_null().default(0))
                    .col(ColumnDef::new("created_ms").big_integer().not_null())
                    .col(ColumnDef::new("next_attempt_ms").big_integer().not_null())
                    .col(ColumnDef::new("lease_until_ms").big_integer().null())
                    .col(ColumnDef::new("delivered_ms").big_integer().null())
                    .col(ColumnDef::new("last_error").string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_due")
                    .table("outbox")
                    .col("delivered_ms")
                    .col("next_attempt_ms")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .if_not_exists()
                    .col(ColumnDef::new("scope").string().not_null())
                    .col(ColumnDef::new("request_id").string().not_null())
                    .col(ColumnDef::new("response").blob().not_null())
                    .col(ColumnDef::new("created_ms").big_integer().not_null())
                    .primary_key(Index::create().col("scope").col("request_id"))
                    .to_owned(),
            )
            .await
    }
}

/// The trace context of the call that wrote each outbox row, so its delivery joins that trace.
struct OutboxTrace;

impl MigrationName for OutboxTrace {
    fn name(&self) -> &str {
        "m0000_vipcare_shared_outbox_trace"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OutboxTrace {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("outbox")
                    .add_column(ColumnDef::new("trace_parent").string().null())
                    .to_owned(),
            )
            .await
    }
}
