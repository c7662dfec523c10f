//! Overrides that run out are closed by a background pass, which looks for them by expiry
//! time: a partial index keeps that look-up to the few records holding an override. Expiries
//! stored before times were checked against protobuf's range are brought inside it, so the
//! answers showing them can be read by JSON clients again.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_override_expiry"
    }
}

/// 9999-12-31T23:59:59.999Z in epoch milliseconds: the last a Timestamp can say.
const LAST_MS: i64 = 253_402_300_799_999;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS tier_records_override_expiry \
             ON tier_records (override_expire_ms) WHERE override_tier IS NOT NULL",
        )
        .await?;
        conn.execute_unprepared(&format!(
            "UPDATE tier_records SET override_expire_ms = {LAST_MS} \
             WHERE override_expire_ms > {LAST_MS}"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS tier_records_override_expiry")
            .await?;
        Ok(())
    }
}
