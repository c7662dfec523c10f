//! Relations between customers. Mutual kinds are stored in both directions in one
//! transaction, so each side lists and counts them with the same query.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::entities::relation::{Column, Entity, Model};
use super::{customers, stale};
use crate::domain::{CustomerId, Relation, RelationKind};
use crate::error::Error;

/// Relates two customers; an existing identical relation is returned as it is.
pub async fn add(conn: &DatabaseConnection, relation: &Relation) -> Result<Relation, Error> {
    let txn = conn.begin().await?;
    for id in [&relation.customer_id, &relation.related_customer_id] {
        if customers::get(&txn, id).await?.is_erased() {
            return Err(Error::Erased(id.to_string()));
        }
    }
    let key = (
        relation.customer_id.to_string(),
        relation.related_customer_id.to_string(),
        relation.kind.code().to_owned(),
    );
    if let Some(existing) = Entity::find_by_id(key).one(&txn).await? {
        return from_row(existing);
    }
    let rows = std::iter::once(relation.clone())
        .chain(relation.reverse())
        .map(|r| to_row(&r).into_active_model());
    let conflict =
        OnConflict::columns([Column::CustomerId, Column::RelatedCustomerId, Column::Kind])
            .do_nothing()
            .to_owned();
    // A concurrent identical add may have won; either way the relation now exists.
    Entity::insert_many(rows)
        .on_conflict(conflict)
        .try_insert()
        .exec_without_returning(&txn)
        .await?;
    for id in [&relation.customer_id, &relation.related_customer_id] {
        stale::record(&txn, stale::of_customer(id)).await?;
    }
    txn.commit().await?;
    Ok(relation.clone())
}

/// Removes a relation (both directions of a mutual one); NOT_FOUND when there is none.
pub async fn remove(
    conn: &DatabaseConnection,
    customer: &CustomerId,
    related: &CustomerId,
    kind: RelationKind,
) -> Result<(), Error> {
    let one_way = |from: &CustomerId, to: &CustomerId| {
        Condition::all()
            .add(Column::CustomerId.eq(from.as_str()))
            .add(Column::RelatedCustomerId.eq(to.as_str()))
            .add(Column::Kind.eq(kind.code()))
    };
    let mut which = Condition::any().add(one_way(customer, related));
    if kind.is_mutual() {
        which = which.add(one_way(related, customer));
    }
    let txn = conn.begin().await?;
    let deleted = Entity::delete_many().filter(which).exec(&txn).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound {
            kind: "relation",
            id: format!("{customer}/{}/{related}", kind.code()),
        });
    }
    for id in [customer, related] {
        stale::record(&txn, stale::of_customer(id)).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A customer's relations after the `(related_customer_id, kind)` cursor, in that order.
pub async fn list(
    conn: &DatabaseConnection,
    customer: &CustomerId,
    kind: Option<RelationKind>,
    after: Option<(String, String)>,
    limit: u64,
) -> Result<Vec<Relation>, Error> {
    let mut query = Entity::find()
        .filter(Column::CustomerId.eq(customer.as_str()))
        .order_by_asc(Column::RelatedCustomerId)
        .order_by_asc(Column::Kind)
        .limit(limit);
    if let Some(kind) = kind {
        query = query.filter(Column::Kind.eq(kind.code()));
    }
    if let Some((related, kind)) = after {
        query = query.filter(
            Condition::any()
                .add(Column::RelatedCustomerId.gt(related.clone()))
                .add(
                    Condition::all()
                        .add(Column::RelatedCustomerId.eq(related))
                        .add(Column::Kind.gt(kind)),
                ),
        );
    }
    query.all(conn).await?.into_iter().map(from_row).collect()
}

/// The FAMILY relations of `ids`, whose household ARPU moves with theirs.
pub async fn family_of<C: ConnectionTrait>(conn: &C, ids: &[String]) -> Result<Vec<String>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let related: Vec<String> = Entity::find()
        .select_only()
        .column(Column::RelatedCustomerId)
        .filter(Column::Kind.eq(RelationKind::Family.code()))
        .filter(Column::CustomerId.is_in(ids.iter().cloned()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(related)
}

fn to_row(relation: &Relation) -> Model {
    Model {
        customer_id: relation.customer_id.to_string(),
        related_customer_id: relation.related_customer_id.to_string(),
        kind: relation.kind.code().to_owned(),
        create_time: relation.create_time,
    }
}

fn from_row(row: Model) -> Result<Relation, Error> {
    let corrupt = |what: &str| Error::Internal(format!("corrupt relation row: {what}"));
    Ok(Relation {
        customer_id: CustomerId::parse(&row.customer_id).map_err(|_| corrupt("customer_id"))?,
        related_customer_id: CustomerId::parse(&row.related_customer_id)
            .map_err(|_| corrupt("related_customer_id"))?,
        kind: RelationKind::from_code(&row.kind).ok_or_else(|| corrupt("kind"))?,
        create_time: row.create_time,
    })
}
