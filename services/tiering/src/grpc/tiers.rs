//! GetCustomerTier, ListTierHistory, OverrideTier, GetRoutingPriority, GetChurnRisk and
//! ListAtRisk. The tier answer and the routing priority are cached under the customer's tag,
//! which every change of the tier, override or quota use bumps after its commit.

use std::time::Duration;
use vipcare_storage::page::next_token;

use prost::Message;
use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;

use super::request::{self, Calling, paging};
use super::{Reply, TieringApi, benefits};
use crate::convert::{churn_to_pb, override_to_pb, reasons_to_pb, timestamp};
use crate::domain::{Invalid, Period, TierRecord, churn_risk, routing_priority, tier_code};
use crate::error::Error;
use crate::store::{history, policies, records};
use crate::upstream::{CustomerFacts, CustomerRef};

mod overrides;

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
    let now = api.clock.now();
    let fresh;
    let record = match record {
        Some(r) => r,
        None => {
            fresh = TierRecord::new(customer_id, &policy.policy.lowest().code, now);
            &fresh
        }
    };
    let tier = record.effective_tier(now).to_owned();
    let manual = record.manual.as_ref().filter(|o| o.in_force(now));
    let evaluated = record.last_period.is_some();
    let next_review = match record.last_period {
        Some(p) => p.next(),
        None => Period::of(api.clock.today()),
    };
    pb::CustomerTier {
        customer_id: customer_id.to_owned(),
        display_name: policy
            .policy
            .tier(&tier)
            .map_or_else(|| tier.clone(), |t| t.display_name.clone()),
        since: match manual {
            Some(o) => Some(timestamp(o.create_time)),
            None if evaluated => Some(timestamp(record.since)),
            None => None,
        },
        next_review_period: next_review.to_string(),
        r#override: manual.map(override_to_pb),
        evaluated_tier: record.standing.tier.clone(),
        score: record.score,
        last_period: record
            .last_period
            .map(|p| p.to_string())
            .unwrap_or_default(),
        periods_below: record.standing.periods_below,
        retention_flag: record.retention_flag,
        tier,
    }
}

pub async fn get(
    api: &TieringApi,
    r: Request<pb::GetCustomerTierRequest>,
) -> Reply<pb::GetCustomerTierResponse> {
    let calling = Calling::from(r.metadata());
    let who = match r.into_inner().customer {
        Some(pb::get_customer_tier_request::Customer::CustomerId(id)) => {
            request::customer(Some(&id), None)?
        }
        Some(pb::get_customer_tier_request::Customer::Msisdn(m)) => {
            request::customer(None, Some(&m))?
        }
        None => request::customer(None, None)?,
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
    let request = r.into_inner();
    let id = request::customer_id(&request.customer_id, "customer_id")?;
    let (size, cursor) = paging(request.page_size, &request.page_token)?;
    let mut rows = history::list(api.db.conn(), &id, cursor.as_deref(), size + 1).await?;
    let next_page_token = next_token(&mut rows, size, |(change_id, _)| change_id.clone());
    Ok(Response::new(pb::ListTierHistoryResponse {
        changes: rows.iter().map(|(_, c)| history::change_to_pb(c)).collect(),
        next_page_token,
    }))
}

pub async fn priority(
    api: &TieringApi,
    r: Request<pb::GetRoutingPriorityRequest>,
) -> Reply<pb::GetRoutingPriorityResponse> {
    let calling = Calling::from(r.metadata());
    let number = request::msisdn(&r.into_inner().msisdn, "msisdn")?;
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
    let id = request::customer_id(&r.into_inner().customer_id, "customer_id")?;
    let conn = api.db.conn();
    let stored = records::get(conn, &id).await?;
    let (risk, period) = match stored.as_ref().and_then(|r| Some((r, r.last_period?))) {
        Some((record, period)) => (record.churn.clone(), period.to_string()),
        None => {
            // Never evaluated: computed now from the summary as of the current period.
            let current = Period::of(api.clock.today());
            let summary = api.profile.value_summary(&id, current).await?;
            let policy = policies::current(conn).await?;
            let inputs = crate::convert::inputs_from_pb(&summary);
            (churn_risk(&policy.policy.churn, &inputs), String::new())
        }
    };
    let pb::ChurnRisk {
        score,
        reasons,
        at_risk,
    } = churn_to_pb(&risk);
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
    let request = r.into_inner();
    if !(0.0..=1.0).contains(&request.min_risk) {
        return Err(Invalid::new("must be 0 to 1").at("min_risk").into());
    }
    let tier = match request.tier.as_str() {
        "" => None,
        t => Some(tier_code(t).map_err(|e| e.at("tier"))?),
    };
    let (size, cursor) = paging(request.page_size, &request.page_token)?;
    let after = match cursor {
        None => None,
        Some(c) => {
            let bad = || Invalid::new("not a token this service issued").at("page_token");
            let (risk, id) = c.split_once('|').ok_or_else(bad)?;
            Some((risk.parse::<f64>().map_err(|_| bad())?, id.to_owned()))
        }
    };
    let conn = api.db.conn();
    let min_risk = match request.min_risk {
        0.0 => policies::current(conn).await?.policy.churn.threshold,
        m => m,
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
        customers: rows
            .iter()
            .map(|r| pb::AtRiskCustomer {
                customer_id: r.customer_id.clone(),
                tier: r.effective_tier(now).to_owned(),
                risk: r.churn.score,
                reasons: reasons_to_pb(&r.churn.reasons),
                period: r.last_period.map(|p| p.to_string()).unwrap_or_default(),
            })
            .collect(),
        next_page_token,
    }))
}
