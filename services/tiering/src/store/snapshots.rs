//! What each run decided from, per customer: the value summary, the standing it started from,
//! the override in force and the time. Deciding is deterministic, so the explanation of any
//! stored decision is computed again from this and the run's policy version; a run of 200,000
//! customers stores a few hundred bytes each instead of every explanation in words. Kept per
//! batch as one encoded list keyed by its first and last customer, replaced if the batch is
//! written again after a resume.

use chrono::{DateTime, Utc};
use prost::Message;
use sea_orm::ConnectionTrait;
use vipcare_proto::profile::v1::ValueSummary;

use super::{corrupt, ms, statement, time};
use crate::domain::{Override, Standing};
use crate::error::Error;

/// What one decision was made from, besides the policy and the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    pub summary: ValueSummary,
    /// The standing the period was evaluated from.
    pub standing: Standing,
    /// The override in force at the time, if any.
    pub manual: Option<Override>,
    pub now: DateTime<Utc>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredBasis {
    #[prost(message, optional, tag = "1")]
    summary: Option<ValueSummary>,
    #[prost(string, tag = "2")]
    tier: String,
    #[prost(int32, tag = "3")]
    periods_below: i32,
    #[prost(message, optional, tag = "4")]
    manual: Option<StoredOverride>,
    #[prost(int64, tag = "5")]
    now_ms: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredOverride {
    #[prost(string, tag = "1")]
    tier: String,
    #[prost(string, tag = "2")]
    reason: String,
    #[prost(string, tag = "3")]
    actor: String,
    #[prost(int64, optional, tag = "4")]
    expire_ms: Option<i64>,
    #[prost(int64, tag = "5")]
    create_ms: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredBatch {
    #[prost(message, repeated, tag = "1")]
    bases: Vec<StoredBasis>,
}

fn to_stored(b: &Basis) -> StoredBasis {
    StoredBasis {
        summary: Some(b.summary.clone()),
        tier: b.standing.tier.clone(),
        periods_below: b.standing.periods_below,
        manual: b.manual.as_ref().map(|o| StoredOverride {
            tier: o.tier.clone(),
            reason: o.reason.clone(),
            actor: o.actor.clone(),
            expire_ms: o.expire_time.map(ms),
            create_ms: ms(o.create_time),
        }),
        now_ms: ms(b.now),
    }
}

fn from_stored(s: StoredBasis) -> Basis {
    Basis {
        summary: s.summary.unwrap_or_default(),
        standing: Standing {
            tier: s.tier,
            periods_below: s.periods_below,
        },
        manual: s.manual.map(|o| Override {
            tier: o.tier,
            reason: o.reason,
            actor: o.actor,
            expire_time: o.expire_ms.map(time),
            create_time: time(o.create_ms),
        }),
        now: time(s.now_ms),
    }
}

/// Stores one batch's bases, in customer id order.
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    run_id: &str,
    bases: &[Basis],
) -> Result<(), Error> {
    let (Some(first), Some(last)) = (bases.first(), bases.last()) else {
        return Ok(());
    };
    let blob = StoredBatch {
        bases: bases.iter().map(to_stored).collect(),
    }
    .encode_to_vec();
    txn.execute_raw(statement(
        txn,
        "INSERT INTO run_snapshots (run_id, first_customer_id, last_customer_id, snapshots) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, first_customer_id) \
         DO UPDATE SET last_customer_id = excluded.last_customer_id, snapshots = excluded.snapshots",
        [
            run_id.into(),
            first.summary.customer_id.clone().into(),
            last.summary.customer_id.clone().into(),
            blob.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Up to `limit` stored bases after customer id `after`, in id order; only `customer_id`'s
/// when given.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    run_id: &str,
    customer_id: Option<&str>,
    after: &str,
    limit: usize,
) -> Result<Vec<Basis>, Error> {
    let (from, to) = match customer_id {
        Some(id) => (id.max(after), id),
        None => (after, "\u{10FFFF}"),
    };
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT snapshots FROM run_snapshots WHERE run_id = $1 AND last_customer_id > $2 \
             AND first_customer_id <= $3 AND last_customer_id >= $4 ORDER BY first_customer_id",
            [run_id.into(), after.into(), to.into(), from.into()],
        ))
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let blob: Vec<u8> = row.try_get_by_index(0)?;
        let batch =
            StoredBatch::decode(blob.as_slice()).map_err(|e| corrupt("run snapshots", e))?;
        out.extend(batch.bases.into_iter().map(from_stored).filter(|b| {
            let id = b.summary.customer_id.as_str();
            id > after && customer_id.is_none_or(|c| c == id) && id >= from
        }));
        if out.len() >= limit {
            break;
        }
    }
    out.truncate(limit);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basis_comes_back_as_stored() {
        let now: DateTime<Utc> = "2026-06-15T08:00:00Z".parse().unwrap();
        let basis = Basis {
            summary: ValueSummary {
                customer_id: "c1".into(),
                arpu_6m_fen: 15_800,
                tenure_months: 40,
                ..ValueSummary::default()
            },
            standing: Standing {
                tier: "GOLD".into(),
                periods_below: 1,
            },
            manual: Some(Override {
                tier: "DIAMOND".into(),
                reason: "board member".into(),
                actor: "am-7".into(),
                expire_time: Some(now + chrono::Duration::days(30)),
                create_time: now,
            }),
            now,
        };
        let stored = to_stored(&basis).encode_to_vec();
        let back = from_stored(StoredBasis::decode(stored.as_slice()).unwrap());
        assert_eq!(back, basis);
    }
}
