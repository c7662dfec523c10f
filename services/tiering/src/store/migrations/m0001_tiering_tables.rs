//! Policies, tier records, history, evaluation runs with their stored decisions, the benefit
//! catalogue, quota use and redemptions. Times are epoch milliseconds; policies, benefits,
//! churn reasons and run decisions are stored as the contract's encoded messages.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{index, int, text};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_tiering_tables"
    }
}

fn real(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).double().not_null().to_owned()
}

fn bytes(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).blob().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Table::create()
                .table("tier_policies")
                .if_not_exists()
                .col(int("version").primary_key())
                .col(bytes("policy"))
                .col(text("updated_by"))
                .col(int("update_ms"))
                .to_owned(),
            Table::create()
                .table("tier_records")
                .if_not_exists()
                .col(text("customer_id").primary_key())
                .col(text("tier"))
                .col(int("periods_below"))
                .col(int("since_ms"))
                .col(real("score"))
                .col(text("last_period"))
                .col(text("base_tier"))
                .col(int("base_periods_below"))
                .col(int("base_since_ms"))
                .col(real("churn_score"))
                .col(bytes("churn_reasons"))
                .col(ColumnDef::new("retention_flag").boolean().not_null())
                .col(int("policy_version"))
                .col(ColumnDef::new("override_tier").string().null())
                .col(text("override_reason"))
                .col(text("override_actor"))
                .col(ColumnDef::new("override_expire_ms").big_integer().null())
                .col(ColumnDef::new("override_create_ms").big_integer().null())
                .col(int("update_ms"))
                .to_owned(),
            Table::create()
                .table("tier_history")
                .if_not_exists()
                .col(text("change_id").primary_key())
                .col(text("customer_id"))
                .col(text("old_tier"))
                .col(text("new_tier"))
                .col(text("decision"))
                .col(text("reason"))
                .col(text("period"))
                .col(text("actor"))
                .col(text("client"))
                .col(int("change_ms"))
                .to_owned(),
            Table::create()
                .table("evaluation_runs")
                .if_not_exists()
                .col(text("run_id").primary_key())
                .col(text("period"))
                .col(ColumnDef::new("dry_run").boolean().not_null())
                .col(text("state"))
                .col(int("policy_version"))
                .col(int("processed"))
                .col(int("total"))
                .col(int("upgrades"))
                .col(int("downgrades"))
                .col(int("held"))
                .col(int("errors"))
                .col(text("cursor"))
                .col(int("start_ms"))
                .col(ColumnDef::new("finish_ms").big_integer().null())
                .col(text("failure"))
                .col(int("resumptions"))
                .col(int("lease_until_ms"))
                .to_owned(),
            Table::create()
                .table("run_decisions")
                .if_not_exists()
                .col(text("run_id"))
                .col(text("first_customer_id"))
                .col(text("last_customer_id"))
                .col(bytes("decisions"))
                .primary_key(Index::create().col("run_id").col("first_customer_id"))
                .to_owned(),
            Table::create()
                .table("benefits")
                .if_not_exists()
                .col(text("code").primary_key())
                .col(bytes("benefit"))
                .col(int("update_ms"))
                .to_owned(),
            Table::create()
                .table("benefit_usage")
                .if_not_exists()
                .col(text("customer_id"))
                .col(text("benefit_code"))
                .col(text("cycle_key"))
                .col(int("used"))
                .primary_key(
                    Index::create()
                        .col("customer_id")
                        .col("benefit_code")
                        .col("cycle_key"),
                )
                .to_owned(),
            Table::create()
                .table("redemptions")
                .if_not_exists()
                .col(text("redemption_id").primary_key())
                .col(text("customer_id"))
                .col(bytes("redemption"))
                .col(text("benefit_code"))
                .to_owned(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        for idx in [
            index(
                "tier_history",
                "tier_history_customer",
                &["customer_id", "change_id"],
            ),
            index(
                "tier_records",
                "tier_records_risk",
                &["churn_score", "customer_id"],
            ),
            index(
                "evaluation_runs",
                "evaluation_runs_period",
                &["period", "state"],
            ),
            index(
                "redemptions",
                "redemptions_customer",
                &["customer_id", "redemption_id"],
            ),
        ] {
            manager.create_index(idx).await?;
        }
        // At most one run of a period at a time: a second start fails on this index.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_runs_one_running \
                 ON evaluation_runs (period) WHERE state = 'RUNNING'",
            )
            .await?;
        Ok(())
    }
}
