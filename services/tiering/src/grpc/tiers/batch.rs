//! BatchGetCustomerTiers: the tiers of a batch of customers in one read, for services that
//! work in batches (the reminder dispatcher's cap and escalation read the tier of every
//! customer of a round). Tiering answers from its own records without asking the profile: a
//! customer it never evaluated has the entry tier, as GetCustomerTier says for a known one.

use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;

use super::super::{Reply, TieringApi};
use super::tier_message;
use crate::domain::{batch_ids, customer_id};
use crate::store::{policies, records};

pub async fn batch_get(
    api: &TieringApi,
    r: Request<pb::BatchGetCustomerTiersRequest>,
) -> Reply<pb::BatchGetCustomerTiersResponse> {
    let pb::BatchGetCustomerTiersRequest { customer_ids } = r.into_inner();
    let ids = batch_ids(&customer_ids, "customer_ids", |id| {
        customer_id(id).map(str::to_owned)
    })?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let conn = api.db.conn();
    let policy = policies::current(conn).await?;
    let found = records::many(conn, &ids).await?;
    let tiers = ids
        .iter()
        .map(|id| tier_message(api, &policy, id, found.get(*id)))
        .collect();
    Ok(Response::new(pb::BatchGetCustomerTiersResponse { tiers }))
}
