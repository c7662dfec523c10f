//! Policies, benefits, churn reasons and run snapshots are kept as JSON of tiering's domain
//! types, and redemptions in columns of their own, instead of encoded protobuf messages: the
//! contract can change without the stored rows, and the rows read with plain SQL. Rows stored
//! before are converted in place (the old encodings are read by `legacy` only), and so are the
//! redemption answers kept for request_id repeats. One transaction on either backend: a
//! failed conversion leaves the old schema whole.

mod legacy;

use sea_orm::{ConnectionTrait, Value};
use sea_orm_migration::prelude::*;
use serde::Serialize;

use crate::store::statement;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_domain_columns"
    }
}

/// The method whose stored answers are redemptions.
const REDEEM: &str = "vipcare.tiering.v1.TieringService/RedeemBenefit";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let version = Key::Integer("version");
        to_json_column(conn, "tier_policies", version, "policy", legacy::policy).await?;
        to_json_column(
            conn,
            "benefits",
            Key::Text("code"),
            "benefit",
            legacy::benefit,
        )
        .await?;
        churn_columns(conn).await?;
        snapshot_column(conn).await?;
        redemption_columns(conn).await?;
        redemption_answers(conn).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn json<T: Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Migration(e.to_string()))
}

async fn run<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>) -> Result<(), DbErr> {
    conn.execute_raw(statement(conn, sql, values)).await?;
    Ok(())
}

/// A table's key column and how its values are read back.
#[derive(Clone, Copy)]
enum Key {
    Integer(&'static str),
    Text(&'static str),
}

/// Swaps blob `column` for a text column of the same name holding `convert` of each value.
async fn to_json_column<C: ConnectionTrait, T: Serialize>(
    conn: &C,
    table: &str,
    key: Key,
    column: &str,
    convert: fn(&[u8]) -> Result<T, DbErr>,
) -> Result<(), DbErr> {
    let new = format!("{column}_json");
    let add = format!("ALTER TABLE {table} ADD COLUMN {new} TEXT NOT NULL DEFAULT ''");
    run(conn, &add, vec![]).await?;
    let (Key::Integer(name) | Key::Text(name)) = key;
    let select = format!("SELECT {name}, {column} FROM {table}");
    let update = format!("UPDATE {table} SET {new} = $1 WHERE {name} = $2");
    for row in conn.query_all_raw(statement(conn, &select, [])).await? {
        let value: Vec<u8> = row.try_get("", column)?;
        let key: Value = match key {
            Key::Integer(name) => row.try_get::<i64>("", name)?.into(),
            Key::Text(name) => row.try_get::<String>("", name)?.into(),
        };
        run(conn, &update, vec![json(&convert(&value)?)?.into(), key]).await?;
    }
    swap(conn, table, column, &new).await
}

/// Drops `old` and gives `new` its name.
async fn swap<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    old: &str,
    new: &str,
) -> Result<(), DbErr> {
    run(
        conn,
        &format!("ALTER TABLE {table} DROP COLUMN {old}"),
        vec![],
    )
    .await?;
    let rename = format!("ALTER TABLE {table} RENAME COLUMN {new} TO {old}");
    run(conn, &rename, vec![]).await
}

/// Churn reasons as JSON and whether the record was at risk as a column; most records have
/// neither, and the defaults say so without an update.
async fn churn_columns<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    for add in [
        "ALTER TABLE tier_records ADD COLUMN churn_at_risk BOOLEAN NOT NULL DEFAULT FALSE",
        "ALTER TABLE tier_records ADD COLUMN churn_reasons_json TEXT NOT NULL DEFAULT '[]'",
    ] {
        run(conn, add, vec![]).await?;
    }
    let select = "SELECT customer_id, churn_reasons FROM tier_records";
    for row in conn.query_all_raw(statement(conn, select, [])).await? {
        let (reasons, at_risk) = legacy::churn(&row.try_get::<Vec<u8>>("", "churn_reasons")?)?;
        if reasons.is_empty() && !at_risk {
            continue;
        }
        let id: String = row.try_get("", "customer_id")?;
        run(
            conn,
            "UPDATE tier_records SET churn_reasons_json = $1, churn_at_risk = $2 \
             WHERE customer_id = $3",
            vec![json(&reasons)?.into(), at_risk.into(), id.into()],
        )
        .await?;
    }
    swap(conn, "tier_records", "churn_reasons", "churn_reasons_json").await
}

/// Run snapshots, one run at a time: a run's batches can hold many thousand customers.
async fn snapshot_column<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let add = "ALTER TABLE run_snapshots ADD COLUMN snapshots_json TEXT NOT NULL DEFAULT ''";
    run(conn, add, vec![]).await?;
    let runs = "SELECT DISTINCT run_id FROM run_snapshots";
    for run_row in conn.query_all_raw(statement(conn, runs, [])).await? {
        let run_id: String = run_row.try_get("", "run_id")?;
        let batches = conn
            .query_all_raw(statement(
                conn,
                "SELECT first_customer_id, snapshots FROM run_snapshots WHERE run_id = $1",
                [run_id.clone().into()],
            ))
            .await?;
        for batch in batches {
            let bases = legacy::snapshots(&batch.try_get::<Vec<u8>>("", "snapshots")?)?;
            let first: String = batch.try_get("", "first_customer_id")?;
            run(
                conn,
                "UPDATE run_snapshots SET snapshots_json = $1 \
                 WHERE run_id = $2 AND first_customer_id = $3",
                vec![json(&bases)?.into(), run_id.clone().into(), first.into()],
            )
            .await?;
        }
    }
    swap(conn, "run_snapshots", "snapshots", "snapshots_json").await
}

/// A redemption's fields as columns; `benefit_code` and `customer_id` had theirs already.
async fn redemption_columns<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    for column in [
        "partner_id",
        "cycle_key",
        "tier",
        "client",
        "channel",
        "request_id",
    ] {
        let add = format!("ALTER TABLE redemptions ADD COLUMN {column} TEXT NOT NULL DEFAULT ''");
        run(conn, &add, vec![]).await?;
    }
    let add = "ALTER TABLE redemptions ADD COLUMN redeem_ms BIGINT NOT NULL DEFAULT 0";
    run(conn, add, vec![]).await?;
    let select = "SELECT redemption FROM redemptions";
    for row in conn.query_all_raw(statement(conn, select, [])).await? {
        let r = legacy::redemption(&row.try_get::<Vec<u8>>("", "redemption")?)?;
        run(
            conn,
            "UPDATE redemptions SET partner_id = $1, cycle_key = $2, tier = $3, client = $4, \
             channel = $5, request_id = $6, redeem_ms = $7 WHERE redemption_id = $8",
            vec![
                r.partner_id.into(),
                r.cycle_key.into(),
                r.tier.into(),
                r.client.into(),
                r.channel.into(),
                r.request_id.into(),
                r.redeem_time.timestamp_millis().into(),
                r.redemption_id.into(),
            ],
        )
        .await?;
    }
    run(
        conn,
        "ALTER TABLE redemptions DROP COLUMN redemption",
        vec![],
    )
    .await
}

/// Answers kept for request_id repeats of RedeemBenefit, which the store now reads as JSON.
async fn redemption_answers<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT client, request_id, response FROM request_keys \
             WHERE method = $1 AND response IS NOT NULL",
            [REDEEM.into()],
        ))
        .await?;
    for row in rows {
        let answer = legacy::redeemed(&row.try_get::<Vec<u8>>("", "response")?)?;
        let client: String = row.try_get("", "client")?;
        let request_id: String = row.try_get("", "request_id")?;
        run(
            conn,
            "UPDATE request_keys SET response = $1 \
             WHERE client = $2 AND method = $3 AND request_id = $4",
            vec![
                json(&answer)?.into_bytes().into(),
                client.into(),
                REDEEM.into(),
                request_id.into(),
            ],
        )
        .await?;
    }
    Ok(())
}
