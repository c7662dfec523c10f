//! The `request_keys` table: one row per (client, method, request_id), with the request's
//! fingerprint and the stored response; `created_ms` drives expiry and the pruning here.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use super::Idempotency;
use crate::StorageError;
use crate::sql::statement;

impl Idempotency {
    /// Deletes expired keys, at most `limit` of them; returns how many went.
    pub async fn prune(&self, limit: u32) -> Result<u64, StorageError> {
        let done = self
            .conn
            .execute_raw(statement(
                &self.conn,
                "DELETE FROM request_keys WHERE (client, method, request_id) IN (\
                   SELECT client, method, request_id FROM request_keys \
                   WHERE created_ms < $1 LIMIT $2)",
                [self.oldest_live_ms().into(), i64::from(limit).into()],
            ))
            .await?;
        Ok(done.rows_affected())
    }

    /// Prunes expired keys every few minutes, forever (the service aborts it at shutdown).
    /// Expired keys are already ignored when read; pruning only keeps the table small.
    /// Database trouble is logged and retried on the next round, never fatal.
    pub async fn keep_pruned(self) {
        const CHUNK: u32 = 5_000;
        let every = (self.retention / 24).clamp(Duration::from_secs(1), Duration::from_secs(600));
        loop {
            tokio::time::sleep(every).await;
            loop {
                match self.prune(CHUNK).await {
                    Ok(n) if n == u64::from(CHUNK) => continue,
                    Ok(n) => {
                        if n > 0 {
                            tracing::debug!(pruned = n, "expired request keys deleted");
                        }
                        break;
                    }
                    Err(err) => {
                        tracing::warn!(%err, "cannot prune expired request keys");
                        break;
                    }
                }
            }
        }
    }
}

/// The `request_keys` table; replaces the unscoped `idempotency_keys` of the first release.
pub(crate) struct RequestKeysTable;

impl MigrationName for RequestKeysTable {
    fn name(&self) -> &str {
        "m0000_vipcare_shared_request_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for RequestKeysTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table("idempotency_keys")
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("request_keys")
                    .if_not_exists()
                    .col(ColumnDef::new("client").string().not_null())
                    .col(ColumnDef::new("method").string().not_null())
                    .col(ColumnDef::new("request_id").string().not_null())
                    .col(ColumnDef::new("fingerprint").blob().not_null())
                    .col(ColumnDef::new("response").blob().null())
                    .col(ColumnDef::new("created_ms").big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col("client")
                            .col("method")
                            .col("request_id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("request_keys_created")
                    .table("request_keys")
                    .col("created_ms")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }
}
