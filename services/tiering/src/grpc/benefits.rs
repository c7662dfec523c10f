//! ListBenefits, UpsertBenefit, CheckEntitlement, RedeemBenefit and ListRedemptions, and the
//! balances shown with a customer's tier. Entitlement is decided by the domain from the tier in
//! force, the live line status and the units used this cycle; a redemption takes its unit in
//! one conditional update, so concurrent redemptions never exceed the quota.

use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::idempotency::{RequestKey, Start};
use vipcare_storage::page::next_token;

use super::convert::{
    balance_to_proto, benefit_from_proto, benefit_to_proto, paging, redeemed_to_proto,
    redemption_to_proto, refusal_to_proto,
};
use super::request::Calling;
use super::tiers::{cached_tier, customer_tag};
use super::{Reply, TieringApi};
use crate::domain::{
    Benefit, CustomerRef, Entitlement, Invalid, Quota, Redemption, Refusal, Violation,
    benefit_code, customer_id, cycle_key, tier_code,
};
use crate::error::Error;
use crate::store::benefits as store;
use crate::store::policies;
use crate::store::redemptions::{self, NotRedeemed};
use crate::upstream::CustomerFacts;

/// The benefits `tier` may use, with what is left of each this cycle.
pub(crate) async fn balances(
    api: &TieringApi,
    customer_id: &str,
    tier: &str,
) -> Result<Vec<pb::BenefitBalance>, Error> {
    let conn = api.db.conn();
    let usage = store::usage(conn, customer_id).await?;
    let now = api.clock.now();
    Ok(store::list(conn)
        .await?
        .into_iter()
        .filter(|b| b.active && b.eligible(tier))
        .map(|b| {
            let cycle = cycle_key(b.cycle, now);
            let used = usage
                .iter()
                .find(|(code, key, _)| *code == b.code && *key == cycle)
                .map_or(0, |u| u.2);
            balance_to_proto(&b.balance(tier, used, cycle))
        })
        .collect())
}

pub async fn list(
    api: &TieringApi,
    r: Request<pb::ListBenefitsRequest>,
) -> Reply<pb::ListBenefitsResponse> {
    let pb::ListBenefitsRequest { tier } = r.into_inner();
    if !tier.is_empty() {
        tier_code(&tier).map_err(|e| e.at("tier"))?;
    }
    let benefits = store::list(api.db.conn())
        .await?
        .iter()
        .filter(|b| tier.is_empty() || b.eligible(&tier))
        .map(benefit_to_proto)
        .collect();
    Ok(Response::new(pb::ListBenefitsResponse { benefits }))
}

pub async fn upsert(
    api: &TieringApi,
    r: Request<pb::UpsertBenefitRequest>,
) -> Reply<pb::UpsertBenefitResponse> {
    let pb::UpsertBenefitRequest { benefit } = r.into_inner();
    let message = benefit.ok_or_else(|| Invalid::new("required").at("benefit"))?;
    let benefit = benefit_from_proto(&message).map_err(|v| v.under("benefit"))?;
    let policy = policies::current(api.db.conn()).await?;
    benefit.validate(&policy.policy).map_err(|violations| {
        Error::Invalid(violations.into_iter().map(|v| v.under("benefit")).collect())
    })?;
    let created = store::upsert(api.db.conn(), &benefit, api.clock.now()).await?;
    tracing::info!(code = %benefit.code, created, "benefit stored");
    // Benefit balances cached with the old catalogue are stale now.
    crate::stale::refresh_everyone(api.db.clone(), api.cache.clone(), "benefit stored");
    Ok(Response::new(pb::UpsertBenefitResponse {
        benefit: Some(benefit_to_proto(&benefit)),
        created,
    }))
}

/// The customer, the benefit and the partner a check or redemption is about.
struct Asked {
    facts: CustomerFacts,
    benefit: Benefit,
    partner: Option<String>,
    tier: String,
}

async fn asked(
    api: &TieringApi,
    calling: &Calling,
    who: Result<CustomerRef, Violation>,
    code: &str,
    partner_id: &str,
) -> Result<Asked, Error> {
    let who = who?;
    let code = benefit_code(code).map_err(|e| e.at("benefit_code"))?;
    let partner = calling.partner(partner_id)?;
    let benefit = store::get(api.db.conn(), code)
        .await?
        .ok_or_else(|| Error::not_found("benefit", code))?;
    let facts = api.profile.customer(&who).await?;
    let tier = cached_tier(api, &facts)
        .await?
        .tier
        .map(|t| t.tier)
        .unwrap_or_default();
    Ok(Asked {
        facts,
        benefit,
        partner,
        tier,
    })
}

async fn entitlement(api: &TieringApi, a: &Asked) -> Result<(Entitlement, String), Error> {
    let cycle = cycle_key(a.benefit.cycle, api.clock.now());
    let used = store::used(api.db.conn(), &a.facts.customer_id, &a.benefit.code, &cycle).await?;
    let e = a
        .benefit
        .check(&a.tier, a.facts.status, a.partner.as_deref(), used);
    Ok((e, cycle))
}

pub async fn check(
    api: &TieringApi,
    r: Request<pb::CheckEntitlementRequest>,
) -> Reply<pb::CheckEntitlementResponse> {
    let calling = Calling::from(r.metadata());
    let pb::CheckEntitlementRequest {
        customer,
        benefit_code,
        partner_id,
    } = r.into_inner();
    let who = match customer {
        Some(pb::check_entitlement_request::Customer::CustomerId(id)) => {
            CustomerRef::parse(Some(&id), None)
        }
        Some(pb::check_entitlement_request::Customer::Msisdn(m)) => {
            CustomerRef::parse(None, Some(&m))
        }
        None => CustomerRef::parse(None, None),
    };
    let a = asked(api, &calling, who, &benefit_code, &partner_id).await?;
    let (e, _) = entitlement(api, &a).await?;
    Ok(Response::new(pb::CheckEntitlementResponse {
        allowed: e.allowed(),
        reason: refusal_to_proto(e.refusal) as i32,
        remaining: e.remaining,
        unlimited: e.quota == Quota::Unlimited,
        tier: a.tier,
        message: e.message,
    }))
}

const REDEEM: &str = "vipcare.tiering.v1.TieringService/RedeemBenefit";

pub async fn redeem(
    api: &TieringApi,
    r: Request<pb::RedeemBenefitRequest>,
) -> Reply<pb::RedeemBenefitResponse> {
    let calling = Calling::from(r.metadata());
    let key = RequestKey::of(
        &calling.caller.client,
        REDEEM,
        &r.get_ref().request_id,
        r.get_ref(),
    )?
    .ok_or_else(|| Invalid::new("required").at("request_id"))?;
    let pb::RedeemBenefitRequest {
        customer,
        benefit_code,
        partner_id,
        request_id,
    } = r.into_inner();
    let answer = |redeemed| {
        let mut answer = redeemed_to_proto(&redeemed);
        if calling.is_partner()
            && let Some(r) = answer.redemption.as_mut()
        {
            r.customer_id.clear();
        }
        Response::new(answer)
    };
    // A repeat gets the first answer even if the quota has been used up since.
    let fresh = match api.requests.start::<Error>(Some(&key)).await? {
        Start::Replay(stored) => return Ok(answer(redemptions::stored_answer(&stored)?)),
        Start::Fresh(fresh) => fresh,
    };
    let who = match customer {
        Some(pb::redeem_benefit_request::Customer::CustomerId(id)) => {
            CustomerRef::parse(Some(&id), None)
        }
        Some(pb::redeem_benefit_request::Customer::Msisdn(m)) => CustomerRef::parse(None, Some(&m)),
        None => CustomerRef::parse(None, None),
    };
    let a = asked(api, &calling, who, &benefit_code, &partner_id).await?;
    let (e, cycle) = entitlement(api, &a).await?;
    if let Some(refusal) = e.refusal {
        return Err(Error::NotEntitled {
            refusal,
            message: e.message,
        });
    }
    let now = api.clock.now();
    let redemption = Redemption {
        redemption_id: uuid::Uuid::now_v7().to_string(),
        customer_id: a.facts.customer_id.clone(),
        benefit_code: a.benefit.code.clone(),
        partner_id: a.partner.clone().unwrap_or_default(),
        cycle_key: cycle,
        tier: a.tier.clone(),
        client: calling.client(),
        channel: calling.caller.channel.clone(),
        request_id,
        redeem_time: now,
    };
    let redeemed = match redemptions::redeem(fresh, &redemption, e.quota).await {
        Ok(redeemed) => redeemed,
        Err(NotRedeemed::Exhausted { used }) => {
            let message = a
                .benefit
                .check(&a.tier, a.facts.status, a.partner.as_deref(), used);
            return Err(Error::NotEntitled {
                refusal: Refusal::QuotaExhausted,
                message: message.message,
            });
        }
        Err(NotRedeemed::Failed(err)) => return Err(err),
    };
    let tags = vec![customer_tag(&a.facts.customer_id)];
    crate::stale::settle(&api.db, &api.cache, tags).await;
    Ok(answer(redeemed))
}

pub async fn redemptions(
    api: &TieringApi,
    r: Request<pb::ListRedemptionsRequest>,
) -> Reply<pb::ListRedemptionsResponse> {
    let pb::ListRedemptionsRequest {
        customer_id: id,
        benefit_code: code,
        page_size,
        page_token,
    } = r.into_inner();
    let id = customer_id(&id).map_err(|e| e.at("customer_id"))?;
    let code = match code.as_str() {
        "" => None,
        c => Some(benefit_code(c).map_err(|e| e.at("benefit_code"))?),
    };
    let (size, cursor) = paging(page_size, &page_token)?;
    let mut rows = redemptions::list(api.db.conn(), id, code, cursor.as_deref(), size + 1).await?;
    let next_page_token = next_token(&mut rows, size, |r| r.redemption_id.clone());
    Ok(Response::new(pb::ListRedemptionsResponse {
        redemptions: rows.iter().map(redemption_to_proto).collect(),
        next_page_token,
    }))
}
