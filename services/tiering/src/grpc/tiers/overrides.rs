//! OverrideTier: a manual tier that wins over evaluations until it expires, or its removal.
//! The record, the history row with its notice, and the request_id are written together.

use prost::Message;
use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::idempotency::{Outcome, RequestKey, Start};

use super::super::convert::time_from_proto;
use super::super::request::Calling;
use super::super::{Reply, TieringApi};
use super::{customer_tag, tier_message};
use crate::domain::{CustomerRef, Decision, Invalid, Override, TierChange, TierRecord};
use crate::error::Error;
use crate::store::{history, lapses, policies, records};

const METHOD: &str = "vipcare.tiering.v1.TieringService/OverrideTier";

pub async fn set_override(
    api: &TieringApi,
    r: Request<pb::OverrideTierRequest>,
) -> Reply<pb::OverrideTierResponse> {
    let calling = Calling::from(r.metadata());
    let key = RequestKey::of(
        &calling.caller.client,
        METHOD,
        &r.get_ref().request_id,
        r.get_ref(),
    )?;
    let pb::OverrideTierRequest {
        customer_id,
        tier,
        reason,
        actor,
        expire_time,
        request_id: _,
    } = r.into_inner();
    let id = crate::domain::customer_id(&customer_id)
        .map_err(|e| e.at("customer_id"))?
        .to_owned();
    let reason = Override::reason(&reason).map_err(|e| e.at("reason"))?;
    let actor = Override::actor(&actor).map_err(|e| e.at("actor"))?;
    let now = api.clock.now();
    let expire_time = expire_time
        .as_ref()
        .map(time_from_proto)
        .transpose()
        .and_then(|t| Override::expiry(t, now))
        .map_err(|e| e.at("expire_time"))?;
    let conn = api.db.conn();
    let fresh = match api.requests.start::<Error>(key.as_ref()).await? {
        Start::Replay(stored) => return Ok(Response::new(decode(&stored)?)),
        Start::Fresh(fresh) => fresh,
    };
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
    let notice = |c: &TierChange| crate::reminder::notice_payload(c, &policy.policy);
    let outcome = fresh
        .run::<_, Error, _>(async |txn| {
            // An override that ran out before this one replaces it still ends on record.
            lapses::close(txn, &notice, existing.as_slice(), now).await?;
            records::upsert(txn, std::slice::from_ref(&record), records::Part::Override).await?;
            history::record(txn, change.as_slice(), &notice).await?;
            crate::stale::record_customer(txn, &id).await?;
            let bytes = answer.encode_to_vec();
            Ok((answer, bytes))
        })
        .await?;
    let answer = match outcome {
        Outcome::Done(answer) => answer,
        // A concurrent call with the same key won: its answer is the answer.
        Outcome::Replayed(stored) => return Ok(Response::new(decode(&stored)?)),
    };
    crate::stale::settle(&api.db, &api.cache, vec![customer_tag(&id)]).await;
    tracing::info!(customer_id = %id, tier = %tier, actor = %actor, "tier override set");
    Ok(Response::new(answer))
}

fn decode(bytes: &[u8]) -> Result<pb::OverrideTierResponse, Error> {
    pb::OverrideTierResponse::decode(bytes)
        .map_err(|e| Error::Internal(format!("stored override answer: {e}")))
}
