//! Customers, relations, consumption, the work log and the audit trail. Lists page by keyset
//! on UUIDv7 ids, so every filter index ends in the id column.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{index, int, text, time};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_profile_tables"
    }
}

fn belongs_to_customer(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("{table}_customer"))
        .from(table, "customer_id")
        .to("customers", "customer_id")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("customers")
                    .if_not_exists()
                    .col(text("customer_id").primary_key())
                    // Erased customers hold a unique placeholder, so the index stays unique.
                    .col(text("msisdn").unique_key())
                    .col(text("name"))
                    .col(text("gender"))
                    .col(ColumnDef::new("birth_date").date().null())
                    .col(text("region_code"))
                    .col(text("preferred_language"))
                    .col(text("occupation"))
                    .col(text("interests"))
                    .col(text("preferred_channels"))
                    .col(ColumnDef::new("quiet_start_minute").integer().not_null())
                    .col(ColumnDef::new("quiet_end_minute").integer().not_null())
                    .col(text("quiet_time_zone"))
                    .col(text("opted_out_touchpoints"))
                    .col(text("account_manager_id"))
                    .col(text("group_id"))
                    .col(text("group_name"))
                    .col(ColumnDef::new("group_key_person").boolean().not_null())
                    .col(text("plan_code"))
                    .col(ColumnDef::new("network_joined_on").date().null())
                    .col(text("status"))
                    .col(text("id_document_type"))
                    .col(text("id_document_number"))
                    .col(ColumnDef::new("version").big_integer().not_null())
                    .col(time("create_time"))
                    .col(time("update_time"))
                    .col(
                        ColumnDef::new("erase_time")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        for col in ["region_code", "account_manager_id", "group_id"] {
            let name = format!("customers_{col}");
            manager
                .create_index(index("customers", &name, &[col, "customer_id"]))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("customer_relations")
                    .if_not_exists()
                    .col(text("customer_id"))
                    .col(text("related_customer_id"))
                    .col(text("kind"))
                    .col(time("create_time"))
                    .primary_key(
                        Index::create()
                            .col("customer_id")
                            .col("related_customer_id")
                            .col("kind"),
                    )
                    .foreign_key(&mut belongs_to_customer("customer_relations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("consumption")
                    .if_not_exists()
                    .col(text("customer_id"))
                    .col(text("period"))
                    .col(int("spend_fen"))
                    .col(int("data_mb"))
                    .col(int("voice_minutes"))
                    .col(int("roaming_fen"))
                    .col(int("vas_fen"))
                    .col(time("update_time"))
                    .primary_key(Index::create().col("customer_id").col("period"))
                    .foreign_key(&mut belongs_to_customer("consumption"))
                    .to_owned(),
            )
            .await?;
        // Value summaries read each customer's spend newest first from this index alone.
        manager
            .create_index(
                Index::create()
                    .name("consumption_recent")
                    .table("consumption")
                    .if_not_exists()
                    .col("customer_id")
                    .col(("period", IndexOrder::Desc))
                    .col("spend_fen")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("service_notes")
                    .if_not_exists()
                    .col(text("note_id").primary_key())
                    .col(text("customer_id"))
                    .col(text("kind"))
                    .col(text("text"))
                    .col(text("author"))
                    .col(text("channel"))
                    .col(time("create_time"))
                    .foreign_key(&mut belongs_to_customer("service_notes"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "service_notes",
                "service_notes_customer",
                &["customer_id", "note_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("audit_records")
                    .if_not_exists()
                    .col(text("audit_id").primary_key())
                    .col(text("customer_id"))
                    .col(text("client"))
                    .col(text("channel"))
                    .col(text("action"))
                    .col(text("fields"))
                    .col(text("reason"))
                    .col(time("create_time"))
                    .foreign_key(&mut belongs_to_customer("audit_records"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "audit_records",
                "audit_records_customer",
                &["customer_id", "audit_id"],
            ))
            .await
    }
}
