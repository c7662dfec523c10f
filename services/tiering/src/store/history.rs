//! Tier changes: the history row and the outbox event that tells the customer, written in the
//! caller's transaction so one never exists without the other. Listed newest first by their
//! UUIDv7 ids. The event is a call to the reminder service: its payload is that service's
//! request, encoded by the caller (`crate::reminder::notice_payload`) and stored as given.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::outbox;

use super::{ms, statement, time};
use crate::domain::{Decision, Period, TierChange};
use crate::error::Error;

/// Where tier-change notices go: the reminder service delivers them to the customer. The
/// outbox row's method names the event type; the reminder's relay turns it into its call.
pub const NOTICE_DESTINATION: &str = "reminder";
pub const NOTICE_EVENT: &str = "vipcare.tiering.v1.TierChangeEvent";

/// What a change's notice says, encoded by the caller: the outbox row carries the receiver's
/// contract message, which the store does not know.
pub type Notice<'a> = &'a (dyn Fn(&TierChange) -> Vec<u8> + Sync);

/// Records changes and their notices, two statements however many there are. Call inside
/// the transaction that changes the tiers.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    changes: &[TierChange],
    notice: Notice<'_>,
) -> Result<(), Error> {
    if changes.is_empty() {
        return Ok(());
    }
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
        notices.push(notice(c));
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
        Some(row) => Some(row.try_get("", "old_tier")?),
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
        let text = |column: &str| row.try_get::<String>("", column);
        let decision = text("decision")?;
        out.push((
            text("change_id")?,
            TierChange {
                customer_id: text("customer_id")?,
                old_tier: text("old_tier")?,
                new_tier: text("new_tier")?,
                decision: Decision::from_code(&decision)
                    .ok_or_else(|| super::corrupt("decision", &decision))?,
                reason: text("reason")?,
                period: Period::parse(&text("period")?).ok(),
                actor: text("actor")?,
                client: text("client")?,
                change_time: time(row.try_get("", "change_ms")?),
            },
        ));
    }
    Ok(out)
}
