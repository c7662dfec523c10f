//! GetCustomerTier, BatchGetCustomerTiers, ListTierHistory, OverrideTier, GetRoutingPriority, GetChurnRisk and
//! ListAtRisk. The tier answer and the routing priority are cached under the customer's tag,
//! which every change of the tier, override or quota use bumps after its commit. The churn risk
//! is the evaluation's with the customer's service (complaints, work-log problems) and latest
//! peak-end score read now, so it is not cached; the retention list holds the risk as evaluated.

use std::time::Duration;
use vipcare_storage::page::next_token;

use prost::Message;
use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;

use super::convert::{
    at_risk_to_proto, change_to_proto, churn_to_proto, customer_tier_to_proto, not_our_token,
    paging,
};
use super::request::Calling;
use super::{Reply, TieringApi, benefits};
use crate::domain::{
    CustomerRef, Period, Satisfaction, TierRecord, churn_risk, customer_id, mobile_number,
    risk_floor, routing_priority, tier_code, with_satisfaction, with_service,
};
use crate::error::Error;
use crate::store::{history, policies, records};
use crate::upstream::CustomerFacts;

mod batch;
mod overrides;

pub use batch::batch_get;
pub use overrides::set_override;

/// How long a cached tier answer may live even without a change (quota cycles roll over).
const TIER_TTL: Duration = Duration::from_secs(60);

/// The tag the profile service and the gateway file their answers about the customer under too.
pub(crate) use vipcare_cache::tags::customer as customer_tag;

/// The tier message of a record (or of a customer never evaluated).
fn tier_message(
    api: &TieringApi,
    policy: &policies::StoredPolicy,
    customer_id: &str,
    record: Option<&TierRecord>,
) -> pb::CustomerTier {
    let current = Period::of(api.clock.today());
    customer_tier_to_proto(
        &policy.policy,
        customer_id,
        record,
        api.clock.now(),
        current,
    )
}

pub async fn get(
    api: &TieringApi,
    r: Request<pb::GetCustomerTierRequest>,
) -> Reply<pb::GetCustomerTierResponse> {
    let calling = Calling::from(r.metadata());
    let pb::GetCustomerTierRequest { customer } = r.into_inner();
    let who = match customer {
        Some(pb::get_customer_tier_request::Customer::CustomerId(id)) => {
            CustomerRef::parse(Some(&id), None)?
        }
        Some(pb::get_customer_tier_request::Customer::Msisdn(m)) => {
            CustomerRef::parse(None, Some(&m))?
        }
        None => CustomerRef::parse(None, None)?,
    };
    let facts = api.profile.customer(&who).await?;
    let mut answer = cached_tier(api, &facts).await?;
    if calling.is_partner()
        && let Some(t) = answer.tier.as_mut()
    {
        t.customer_id.clear();
    }
    Ok(Response::new(answer))
}

/// The customer's tier and benefit balances, from the cache when it can be.
pub(crate) async fn cached_tier(
    api: &TieringApi,
    facts: &CustomerFacts,
) -> Result<pb::GetCustomerTierResponse, Error> {
    let id = &facts.customer_id;
    let bytes = api
        .cache
        .get_or_load(
            &format!("tiering:tier:{id}"),
            &customer_tag(id),
            TIER_TTL,
            || async {
                let conn = api.db.conn();
                let policy = policies::current(conn).await?;
                let record = records::get(conn, id).await?;
                let tier = tier_message(api, &policy, id, record.as_ref());
                let balances = benefits::balances(api, id, &tier.tier).await?;
                Ok::<_, Error>(
                    pb::GetCustomerTierResponse {
                        tier: Some(tier),
                        benefits: balances,
                    }
                    .encode_to_vec(),
                )
            },
        )
        .await?;
    pb::GetCustomerTierResponse::decode(bytes.as_slice())
        .map_err(|e| Error::Internal(format!("cached tier does not decode: {e}")))
}

pub async fn history(
    api: &TieringApi,
    r: Request<pb::ListTierHistoryRequest>,
) -> Reply<pb::ListTierHistoryResponse> {
    let pb::ListTierHistoryRequest {
        customer_id: id,
        page_size,
        page_token,
    } = r.into_inner();
    let id = customer_id(&id).map_err(|e| e.at("customer_id"))?;
    let (size, cursor) = paging(page_size, &page_token)?;
    let mut rows = history::list(api.db.conn(), id, cursor.as_deref(), size + 1).await?;
    let next_page_token = next_token(&mut rows, size, |(change_id, _)| change_id.clone());
    Ok(Response::new(pb::ListTierHistoryResponse {
        changes: rows.iter().map(|(_, c)| change_to_proto(c)).collect(),
        next_page_token,
    }))
}

pub async fn priority(
    api: &TieringApi,
    r: Request<pb::GetRoutingPriorityRequest>,
) -> Reply<pb::GetRoutingPriorityResponse> {
    let calling = Calling::from(r.metadata());
    let pb::GetRoutingPriorityRequest { msisdn } = r.into_inner();
    let number = mobile_number(&msisdn).map_err(|e| e.at("msisdn"))?;
    let facts = api.profile.customer(&CustomerRef::Msisdn(number)).await?;
    let id = facts.customer_id.clone();
    let bytes = api
        .cache
        .get_or_load(
            &format!("tiering:priority:{id}"),
            &customer_tag(&id),
            TIER_TTL,
            || async {
                let conn = api.db.conn();
                let policy = policies::current(conn).await?;
                let record = records::get(conn, &id).await?;
                let tier = record
                    .as_ref()
                    .map_or(policy.policy.lowest().code.as_str(), |r| {
                        r.effective_tier(api.clock.now())
                    })
                    .to_owned();
                let priority = routing_priority(&policy.policy, &tier, facts.group_key_person);
                Ok::<_, Error>(
                    pb::GetRoutingPriorityResponse {
                        priority,
                        tier,
                        customer_id: id.clone(),
                    }
                    .encode_to_vec(),
                )
            },
        )
        .await?;
    let mut answer = pb::GetRoutingPriorityResponse::decode(bytes.as_slice())
        .map_err(|e| Error::Internal(format!("cached priority does not decode: {e}")))?;
    if calling.is_partner() {
        answer.customer_id.clear();
    }
    Ok(Response::new(answer))
}

pub async fn churn(
    api: &TieringApi,
    r: Request<pb::GetChurnRiskRequest>,
) -> Reply<pb::GetChurnRiskResponse> {
    let pb::GetChurnRiskRequest { customer_id: id } = r.into_inner();
    let id = customer_id(&id).map_err(|e| e.at("customer_id"))?;
    let conn = api.db.conn();
    let stored = records::get(conn, id).await?;
    let now = api.clock.now();
    let (value, service, survey) = tokio::join!(
        async {
            let policy = policies::current(conn).await?;
            match stored.as_ref().and_then(|r| Some((r, r.last_period?))) {
                Some((record, period)) => {
                    Ok::<_, Error>((record.churn.clone(), period.to_string(), policy))
                }
                None => {
                    // Never evaluated: computed now from the summary as of the current period.
                    let current = Period::of(api.clock.today());
                    // Satisfaction is weighed in below, as for an evaluated customer.
                    let summary = api.profile.value_summary(id, current).await?;
                    let inputs = summary.inputs(Satisfaction::Uncounted(None));
                    let risk = churn_risk(&policy.policy.churn, &inputs);
                    Ok((risk, String::new(), policy))
                }
            }
        },
        api.history.signals(id, now),
        api.survey.latest(id),
    );
    let (risk, period, policy) = value?;
    // The value signals as evaluated (or computed now), satisfaction and service as they are
    // now.
    let rule = &policy.policy.churn;
    let risk = with_satisfaction(rule, &risk, &Satisfaction::judged(survey, now));
    let risk = with_service(rule, &risk, &service);
    let pb::ChurnRisk {
        score,
        reasons,
        at_risk,
    } = churn_to_proto(&risk);
    Ok(Response::new(pb::GetChurnRiskResponse {
        score,
        reasons,
        at_risk,
        period,
    }))
}

pub async fn at_risk(
    api: &TieringApi,
    r: Request<pb::ListAtRiskRequest>,
) -> Reply<pb::ListAtRiskResponse> {
    let pb::ListAtRiskRequest {
        min_risk,
        tier,
        page_size,
        page_token,
    } = r.into_inner();
    let min_risk = risk_floor(min_risk).map_err(|e| e.at("min_risk"))?;
    let tier = match tier.as_str() {
        "" => None,
        t => Some(tier_code(t).map_err(|e| e.at("tier"))?),
    };
    let (size, cursor) = paging(page_size, &page_token)?;
    let after = match cursor {
        None => None,
        Some(c) => {
            let (risk, id) = c.split_once('|').ok_or_else(not_our_token)?;
            Some((
                risk.parse::<f64>().map_err(|_| not_our_token())?,
                id.to_owned(),
            ))
        }
    };
    let conn = api.db.conn();
    let min_risk = match min_risk {
        None => policies::current(conn).await?.policy.churn.threshold,
        Some(m) => m,
    };
    let now = api.clock.now();
    let mut rows = records::at_risk(
        conn,
        min_risk,
        tier,
        after,
        size + 1,
        now.timestamp_millis(),
    )
    .await?;
    let next_page_token = next_token(&mut rows, size, |r| {
        format!("{}|{}", r.churn.score, r.customer_id)
    });
    Ok(Response::new(pb::ListAtRiskResponse {
        customers: rows.iter().map(|r| at_risk_to_proto(r, now)).collect(),
        next_page_token,
    }))
}
