//! Which cached answers a write makes stale, named once for the write's transaction and for the
//! bump after its commit. The transaction records them (`vipcare_storage::invalidation`), so an
//! invalidation the cache never got (Redis down, or the process killed before its bump) is
//! replayed, never lost; the handler then bumps them and the record goes
//! (`grpc::cached::invalidate`).

use sea_orm::ConnectionTrait;
use vipcare_storage::invalidation;

use super::relations;
use crate::domain::{Customer, CustomerId, Msisdn};
use crate::error::Error;

pub use vipcare_cache::tags::{customer as customer_tag, msisdn as msisdn_tag};

/// What a write to one customer's own data (a note, a relation) makes stale.
pub fn of_customer(id: &CustomerId) -> Vec<String> {
    vec![customer_tag(id.as_str())]
}

/// An update: the customer's answers and the look-ups of the numbers it had and has.
pub fn of_update(before: &Customer, after: &Customer) -> Vec<String> {
    with_numbers(&after.id, [&before.profile.msisdn, &after.profile.msisdn])
}

/// An erasure: the customer's answers and the look-up of the number it gave up.
pub fn of_erasure(id: &CustomerId, msisdn: &Option<Msisdn>) -> Vec<String> {
    with_numbers(id, [msisdn])
}

fn with_numbers<'a>(
    id: &CustomerId,
    msisdns: impl IntoIterator<Item = &'a Option<Msisdn>>,
) -> Vec<String> {
    let mut tags: Vec<String> = msisdns
        .into_iter()
        .flatten()
        .map(|m| msisdn_tag(m.as_str()))
        .collect();
    tags.push(customer_tag(id.as_str()));
    tags
}

/// Records `tags` and the family's answers in `txn`, when the customer's standing in its
/// household changed (status, erasure): household value counts only active members, so every
/// family member's view moves with it. Returns every tag recorded, for the bump after the commit.
pub async fn record_with_household<C: ConnectionTrait>(
    txn: &C,
    id: &CustomerId,
    mut tags: Vec<String>,
) -> Result<Vec<String>, Error> {
    let family = relations::family_of(txn, &[id.to_string()]).await?;
    tags.extend(family.iter().map(|member| customer_tag(member)));
    invalidation::record(txn, &tags).await?;
    Ok(tags)
}

/// Records `tags` in the write's transaction `txn`.
pub async fn record<C: ConnectionTrait>(txn: &C, tags: Vec<String>) -> Result<(), Error> {
    invalidation::record(txn, &tags).await?;
    Ok(())
}

/// Records the customers' tags and their family's (a customer's spend moves its household's
/// ARPU) in `txn`; returns the tags, for the bump after the commit.
pub async fn record_with_family<C: ConnectionTrait>(
    txn: &C,
    ids: &[CustomerId],
) -> Result<Vec<String>, Error> {
    let mut ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    ids.extend(relations::family_of(txn, &ids).await?);
    let tags: Vec<String> = ids.iter().map(|id| customer_tag(id)).collect();
    invalidation::record(txn, &tags).await?;
    Ok(tags)
}
