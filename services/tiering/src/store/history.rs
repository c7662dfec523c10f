//! Tier changes: the history row and the outbox event that tells the customer, written in the
//! caller's transaction so one never exists without the other. Listed newest first by their
//! UUIDv7 ids.

use chrono::{DateTime, Utc};
use prost::Message;
use sea_orm::ConnectionTrait;
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::outbox;

use super::{ms, statement, time};
use crate::convert::{decision_to_pb, timestamp};
use crate::domain::{Decision, Period, TierChange, TierPolicy};
use crate::error::Error;

/// Where tier-change notices go: the reminder service delivers them to the customer. The
/// outbox row's method names the event type; the reminder's relay turns it into its call.
pub const NOTICE_DESTINATION: &str = "reminder";
pub const NOTICE_EVENT: &str = "vipcare.tiering.v1.TierChangeEvent";

pub fn change_to_pb(c: &TierChange) -> pb::TierChange {
    pb::TierChange {
        customer_id: c.customer_id.clone(),
        old_tier: c.old_tier.clone(),
        new_tier: c.new_tier.clone(),
        decision: decision_to_pb(c.decision) as i32,
        reason: c.reason.clone(),
        period: c.period.map(|p| p.to_string()).unwrap_or_default(),
        actor: c.actor.clone(),
        client: c.client.clone(),
        change_time: Some(timestamp(c.change_time)),
    }
}

/// Records changes and their notices, two statements however many there are. Call inside
/// the transaction that changes the tiers.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    policy: &TierPolicy,
    changes: &[TierChange],
) -> Result<(), Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let name = |code: &str| {
        policy
            .tier(code)
            .map(|t| t.display_name.clone())
            .unwrap_or_default()
    };
    let mut rows = BulkInsert::new(
        "tier_history",
        &[
            "change_id",
            "customer_id",
            "old_tier",
            "new_tier",
            "decision",
            "reason",
            "period",
            "actor",
            "client",
            "change_ms",
        ],
    );
    let mut notices = Vec::with_capacity(changes.len());
    for c in changes {
        rows.row([
            uuid::Uuid::now_v7().to_string().into(),
            c.customer_id.clone().into(),
            c.old_tier.clone().into(),
            c.new_tier.clone().into(),
            c.decision.code().into(),
            c.reason.clone().into(),
            c.period.map(|p| p.to_string()).unwrap_or_default().into(),
            c.actor.clone().into(),
            c.client.clone().into(),
            ms(c.change_time).into(),
        ]);
        let event = pb::TierChangeEvent {
            change: Some(change_to_pb(c)),
            old_display_name: name(&c.old_tier),
            new_display_name: name(&c.new_tier),
        };
        notices.push(event.encode_to_vec());
    }
    rows.execute(txn).await?;
    outbox::enqueue_many(txn, NOTICE_DESTINATION, NOTICE_EVENT, notices).await?;
    Ok(())
}

/// The tier that was in force just after `at`: the old tier of the first change recorded at
/// or after it; None when nothing has changed since.
pub async fn tier_just_after<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    at: DateTime<Utc>,
) -> Result<Option<String>, Error> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT old_tier FROM tier_history WHERE customer_id = $1 AND change_ms >= $2 \
             ORDER BY change_ms, change_id LIMIT 1",
            [customer_id.into(), ms(at).into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get_by_index(0)?),
        None => None,
    })
}

/// A customer's changes newest first, after the `before` change id; at most `limit`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    customer_id: &str,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<(String, TierChange)>, Error> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT change_id, customer_id, old_tier, new_tier, decision, reason, period, actor, \
             client, change_ms FROM tier_history WHERE customer_id = $1 AND change_id < $2 \
             ORDER BY change_id DESC LIMIT $3",
            [
                customer_id.into(),
                before.unwrap_or("\u{10FFFF}").into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (id, customer_id, old_tier, new_tier, decision, reason, period, actor, client, at): (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
        ) = row.try_get_many_by_index()?;
        out.push((
            id,
            TierChange {
                customer_id,
                old_tier,
                new_tier,
                decision: Decision::from_code(&decision)
                    .ok_or_else(|| super::corrupt("decision", &decision))?,
                reason,
                period: Period::parse(&period).ok(),
                actor,
                client,
                change_time: time(at),
            },
        ));
    }
    Ok(out)
}
