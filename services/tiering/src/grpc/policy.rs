//! GetTierPolicy, UpdateTierPolicy and EvaluateCustomer: the policy with its etag, a new version
//! on top of the one the caller read, and one customer evaluated (applied unless a dry run or a
//! what-if policy).

use sea_orm::TransactionTrait;
use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;

use super::convert::{
    evaluation_to_proto, policy_from_proto, stored_policy_to_proto, time_from_proto,
};
use super::request::Calling;
use super::{Reply, TieringApi};
use crate::batch::{Heard, evaluate};
use crate::domain::{self, Invalid, Period, TierPolicy, evaluable_period};
use crate::error::Error;
use crate::store::{benefits, policies};
use crate::store::{history, records};

/// A policy from a request, checked, with violations named under `field`. The server sets the
/// update time; one sent is ignored, but only if it is a valid timestamp at all.
fn checked(message: &pb::TierPolicy, field: &str) -> Result<TierPolicy, Error> {
    let policy = policy_from_proto(message);
    let mut violations = policy.validate().err().unwrap_or_default();
    if let Some(Err(e)) = message.update_time.as_ref().map(time_from_proto) {
        violations.push(e.at("update_time"));
    }
    if !violations.is_empty() {
        return Err(Error::Invalid(
            violations.into_iter().map(|v| v.under(field)).collect(),
        ));
    }
    Ok(policy)
}

pub async fn get(
    api: &TieringApi,
    r: Request<pb::GetTierPolicyRequest>,
) -> Reply<pb::GetTierPolicyResponse> {
    let pb::GetTierPolicyRequest { version } = r.into_inner();
    let conn = api.db.conn();
    let stored = match version {
        0 => policies::current(conn).await?,
        v if v < 0 => return Err(Invalid::new("must not be negative").at("version").into()),
        v => policies::version(conn, v)
            .await?
            .ok_or_else(|| Error::not_found("policy_version", v.to_string()))?,
    };
    Ok(Response::new(pb::GetTierPolicyResponse {
        etag: stored.etag(),
        policy: Some(stored_policy_to_proto(&stored)),
    }))
}

pub async fn update(
    api: &TieringApi,
    r: Request<pb::UpdateTierPolicyRequest>,
) -> Reply<pb::UpdateTierPolicyResponse> {
    let calling = Calling::from(r.metadata());
    let pb::UpdateTierPolicyRequest { policy, etag } = r.into_inner();
    let message = policy.ok_or_else(|| Invalid::new("required").at("policy"))?;
    let policy = checked(&message, "policy")?;
    if etag.is_empty() {
        return Err(Invalid::new("required: the etag of the policy read")
            .at("etag")
            .into());
    }
    let conn = api.db.conn();
    let current = policies::current(conn).await?;
    if etag != current.etag() {
        return Err(Error::StaleEtag {
            given: etag,
            current: current.etag(),
        });
    }
    let missing = domain::tiers_in_use_missing_from(&policy, &benefits::list(conn).await?);
    if !missing.is_empty() {
        return Err(Error::TiersInUse(missing));
    }
    let stored = policies::store_after(
        conn,
        current.version,
        &policy,
        &calling.client(),
        api.clock.now(),
    )
    .await?;
    tracing::info!(version = stored.version, by = %stored.updated_by, "tier policy updated");
    // Priorities and benefit balances cached under the old policy are stale now.
    crate::stale::refresh_everyone(api.db.clone(), api.cache.clone(), "tier policy updated");
    Ok(Response::new(pb::UpdateTierPolicyResponse {
        etag: stored.etag(),
        policy: Some(stored_policy_to_proto(&stored)),
    }))
}

pub async fn evaluate_customer(
    api: &TieringApi,
    r: Request<pb::EvaluateCustomerRequest>,
) -> Reply<pb::EvaluateCustomerResponse> {
    let pb::EvaluateCustomerRequest {
        customer_id,
        dry_run,
        what_if_policy,
        period,
    } = r.into_inner();
    let customer_id = domain::customer_id(&customer_id)
        .map_err(|e| e.at("customer_id"))?
        .to_owned();
    let now = api.clock.now();
    let current = Period::of(api.clock.today());
    let period = match period.as_str() {
        "" => current,
        text => evaluable_period(text, current).map_err(|e| e.at("period"))?,
    };
    let conn = api.db.conn();
    let (policy, version, apply) = match &what_if_policy {
        Some(message) => (checked(message, "what_if_policy")?, 0, false),
        None => {
            let stored = policies::current(conn).await?;
            (stored.policy, stored.version, !dry_run)
        }
    };
    // The customer's service as of now belongs to the current period only: an earlier one is
    // evaluated again as it stood, from its value summary. The survey keeps only the latest
    // peak-end, so every period is weighed with it (as a run of that period would be).
    let (summary, service, survey) = tokio::join!(
        api.profile.value_summary(&customer_id, period),
        async {
            if period == current {
                Some(api.history.signals(&customer_id, now).await)
            } else {
                None
            }
        },
        api.survey.latest(&customer_id),
    );
    let summary = summary?;
    let existing = records::get(conn, &customer_id).await?;
    let evaluated = evaluate(
        &policy,
        version,
        existing.as_ref(),
        &summary,
        period,
        now,
        Heard {
            survey,
            service: service.as_ref(),
        },
    )
    .map_err(|behind| Error::Precondition(behind.to_string()))?;
    if apply {
        let txn = conn.begin().await.map_err(Error::from)?;
        records::upsert(
            &txn,
            std::slice::from_ref(&evaluated.record),
            records::Part::Evaluation,
        )
        .await?;
        history::record(&txn, evaluated.change.as_slice(), &|c| {
            crate::reminder::notice_payload(c, &policy)
        })
        .await?;
        crate::stale::record_customer(&txn, &customer_id).await?;
        txn.commit().await.map_err(Error::from)?;
        let tags = vec![super::customer_tag(&customer_id)];
        crate::stale::settle(&api.db, &api.cache, tags).await;
    }
    Ok(Response::new(pb::EvaluateCustomerResponse {
        evaluation: Some(evaluation_to_proto(
            &evaluated.decided,
            &summary,
            period,
            version,
        )),
        applied: apply,
    }))
}
