//! OverrideTier: a manual tier that wins over evaluations until it expires, or its removal.
//! The record, the history row with its notice, and the request_id are written together.

use prost::Message;
use sea_orm::TransactionTrait;
use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::{StorageError, idempotency};

use super::super::request::{self, Calling};
use super::super::{Reply, TieringApi};
use super::{customer_tag, tier_message};
use crate::convert::from_timestamp;
use crate::domain::{Decision, Invalid, Override, TierChange, TierRecord, bounded};
use crate::error::Error;
use crate::store::{history, policies, records};
use crate::upstream::CustomerRef;

const SCOPE: &str = "tiering.OverrideTier";

pub async fn set_override(
    api: &TieringApi,
    r: Request<pb::OverrideTierRequest>,
) -> Reply<pb::OverrideTierResponse> {
    let calling = Calling::from(r.metadata());
    let pb::OverrideTierRequest {
        customer_id,
        tier,
        reason,
        actor,
        expire_time,
        request_id,
    } = r.into_inner();
    let id = request::customer_id(&customer_id, "customer_id")?;
    let reason = bounded(&reason, 200).map_err(|e| e.at("reason"))?;
    let actor = bounded(&actor, 64).map_err(|e| e.at("actor"))?;
    if request_id.len() > 128 {
        return Err(Invalid::new("at most 128 characters")
            .at("request_id")
            .into());
    }
    let now = api.clock.now();
    let expire_time = match &expire_time {
        None => None,
        Some(t) => match from_timestamp(t) {
            Some(t) if t > now => Some(t),
            _ => {
                return Err(Invalid::new("must be in the future")
                    .at("expire_time")
                    .into());
            }
        },
    };
    let conn = api.db.conn();
    if !request_id.is_empty()
        && let Some(bytes) = idempotency::recall(conn, SCOPE, &request_id).await?
    {
        return Ok(Response::new(decode(&bytes)?));
    }
    let policy = policies::current(conn).await?;
    if !tier.is_empty() && policy.policy.index_of(&tier).is_none() {
        return Err(Invalid::new("not a tier of the policy in force")
            .at("tier")
            .into());
    }
    // The customer must exist; its facts are not otherwise needed.
    api.profile.customer(&CustomerRef::Id(id.clone())).await?;
    let existing = records::get(conn, &id).await?;
    let mut record = existing
        .clone()
        .unwrap_or_else(|| TierRecord::new(&id, &policy.policy.lowest().code, now));
    let before = record.effective_tier(now).to_owned();
    record.manual = (!tier.is_empty()).then(|| Override {
        tier: tier.clone(),
        reason: reason.clone(),
        actor: actor.clone(),
        expire_time,
        create_time: now,
    });
    record.updated = now;
    let after = record.effective_tier(now).to_owned();
    let change = (before != after).then(|| TierChange {
        customer_id: id.clone(),
        old_tier: before,
        new_tier: after,
        decision: Decision::Overridden,
        reason: if tier.is_empty() {
            format!("override removed: {reason}")
        } else {
            reason.clone()
        },
        period: None,
        actor: actor.clone(),
        client: calling.client(),
        change_time: now,
    });
    let answer = pb::OverrideTierResponse {
        tier: Some(tier_message(api, &policy, &id, Some(&record))),
    };
    let txn = conn.begin().await.map_err(Error::from)?;
    // Ok(false): the same request_id won in a concurrent call, and its answer is the answer.
    let stored: Result<bool, Error> = async {
        records::upsert(&txn, std::slice::from_ref(&record), records::Part::Override).await?;
        history::record(&txn, &policy.policy, change.as_slice()).await?;
        if request_id.is_empty() {
            return Ok(true);
        }
        match idempotency::remember(&txn, SCOPE, &request_id, &answer.encode_to_vec()).await {
            Ok(()) => Ok(true),
            Err(StorageError::UniqueViolation(_)) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }
    .await;
    if !stored? {
        txn.rollback().await.map_err(Error::from)?;
        let bytes = idempotency::recall(conn, SCOPE, &request_id)
            .await?
            .ok_or_else(|| Error::Internal("request_id vanished".into()))?;
        return Ok(Response::new(decode(&bytes)?));
    }
    txn.commit().await.map_err(Error::from)?;
    api.cache.invalidate(&customer_tag(&id)).await;
    tracing::info!(customer_id = %id, tier = %tier, actor = %actor, "tier override set");
    Ok(Response::new(answer))
}

fn decode(bytes: &[u8]) -> Result<pb::OverrideTierResponse, Error> {
    pb::OverrideTierResponse::decode(bytes)
        .map_err(|e| Error::Internal(format!("stored override answer: {e}")))
}
