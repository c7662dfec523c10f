//! What the event feed remembers per customer between events (see `domain::events::Memory`):
//! the balance's side of its low-balance threshold, the roaming country and zone, the highest
//! data threshold told in the latest cycle, each with the time of the event that set it. One
//! row per customer, every column required: "never seen" is a sentinel (`NEVER_MS`, empty
//! text), so the feed's bulk upserts bind whole arrays on PostgreSQL.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{int, text};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_event_memory"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("event_memory")
                    .if_not_exists()
                    .col(text("customer_id").primary_key())
                    .col(ColumnDef::new("balance_below").boolean().not_null())
                    .col(int("balance_ms"))
                    // Empty while home (or never seen abroad).
                    .col(text("roaming_country"))
                    .col(text("roaming_zone"))
                    .col(int("roaming_ms"))
                    // "YYYY-MM"; empty before the first data-usage event.
                    .col(text("usage_cycle"))
                    .col(int("usage_top_percent"))
                    .to_owned(),
            )
            .await
    }
}
