//! AddRelation, RemoveRelation and ListRelations. A relation changes both customers' views
//! (family counts toward household ARPU), so both are invalidated.

use tonic::{Request, Response};
use vipcare_proto::profile::v1 as pb;
use vipcare_storage::page::next_token;

use super::convert::{self, relation_to_proto};
use super::{ProfileApi, Reply, cached, paging};
use crate::domain::{Invalid, Relation, RelationKind, Violation};
use crate::store::{relations, stale};

pub async fn add(
    api: &ProfileApi,
    request: Request<pb::AddRelationRequest>,
) -> Reply<pb::AddRelationResponse> {
    let pb::AddRelationRequest {
        customer_id,
        related_customer_id,
        kind,
    } = request.into_inner();
    let customer = convert::customer_id(&customer_id, "customer_id")?;
    let related = convert::customer_id(&related_customer_id, "related_customer_id")?;
    let relation = Relation::new(customer, related, required_kind(kind)?, api.clock.now())?;
    let relation = relations::add(api.db.conn(), &relation).await?;
    let mut tags = stale::of_customer(&relation.customer_id);
    tags.extend(stale::of_customer(&relation.related_customer_id));
    cached::invalidate(api, tags).await;
    Ok(Response::new(pb::AddRelationResponse {
        relation: Some(relation_to_proto(&relation)),
    }))
}

pub async fn remove(
    api: &ProfileApi,
    request: Request<pb::RemoveRelationRequest>,
) -> Reply<pb::RemoveRelationResponse> {
    let pb::RemoveRelationRequest {
        customer_id,
        related_customer_id,
        kind,
    } = request.into_inner();
    let customer = convert::customer_id(&customer_id, "customer_id")?;
    let related = convert::customer_id(&related_customer_id, "related_customer_id")?;
    relations::remove(api.db.conn(), &customer, &related, required_kind(kind)?).await?;
    let mut tags = stale::of_customer(&customer);
    tags.extend(stale::of_customer(&related));
    cached::invalidate(api, tags).await;
    Ok(Response::new(pb::RemoveRelationResponse {}))
}

pub async fn list(
    api: &ProfileApi,
    request: Request<pb::ListRelationsRequest>,
) -> Reply<pb::ListRelationsResponse> {
    let pb::ListRelationsRequest {
        customer_id,
        kind,
        page_size,
        page_token,
    } = request.into_inner();
    let customer = convert::customer_id(&customer_id, "customer_id")?;
    let kind = convert::kind_from_proto(kind).map_err(|e| e.at("kind"))?;
    let (size, cursor) = paging(page_size, &page_token)?;
    let after = match cursor {
        None => None,
        Some(cursor) => Some(split_cursor(&cursor)?),
    };
    let mut found = relations::list(api.db.conn(), &customer, kind, after, size + 1).await?;
    let next_page_token = next_token(&mut found, size, |r: &Relation| {
        format!("{}|{}", r.related_customer_id, r.kind.code())
    });
    let relations = found.iter().map(relation_to_proto).collect();
    Ok(Response::new(pb::ListRelationsResponse {
        relations,
        next_page_token,
    }))
}

fn required_kind(kind: i32) -> Result<RelationKind, Violation> {
    convert::kind_from_proto(kind)
        .map_err(|e| e.at("kind"))?
        .ok_or_else(|| Invalid::new("required").at("kind"))
}

fn split_cursor(cursor: &str) -> Result<(String, String), Violation> {
    cursor
        .split_once('|')
        .map(|(related, kind)| (related.to_owned(), kind.to_owned()))
        .ok_or_else(|| Invalid::new("not a token this service issued").at("page_token"))
}
