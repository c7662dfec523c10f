//! A customer's waiting reminders, soonest first, without reading the rest of their history:
//! the gateway lists them (ListReminders by customer and the SCHEDULED, DEFERRED and
//! DISPATCHING states) on every customer view it composes. The customer index alone walks every
//! reminder the customer ever had in planned order, and the ended ones come first.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_waiting_by_customer"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                "reminders",
                "reminders_customer_state",
                &["customer_id", "state", "planned_send_ms", "reminder_id"],
            ))
            .await
    }
}
