//! GetCustomer through the cache. Only masked customers are cached, so no personal data ever
//! sits in Redis; unmasked reads go to the database, where their audit record is written
//! anyway. Writers invalidate the customer's tag (and the msisdn tags it had and has) after
//! their commit; the cache's generations make a read that raced the write harmless.

use std::time::Duration;

use futures::StreamExt;
use prost::Message;
use vipcare_cache::Cache;
use vipcare_proto::profile::v1 as pb;

use super::ProfileApi;
use super::convert::customer_to_proto;
use crate::domain::{CustomerId, Disclosure, Msisdn};
use crate::error::Error;
use crate::store::customers;

/// Writes invalidate entries at once; the TTL only bounds what a lost invalidation can cost.
const TTL: Duration = Duration::from_secs(300);

pub fn customer_tag(id: &str) -> String {
    format!("customer:{id}")
}

pub fn msisdn_tag(msisdn: &str) -> String {
    format!("msisdn:{msisdn}")
}

/// The masked customer, from the cache or the database.
pub async fn masked_customer(api: &ProfileApi, id: &CustomerId) -> Result<pb::Customer, Error> {
    let key = format!("profile:customer:{id}");
    let bytes = api
        .cache
        .get_or_load(&key, &customer_tag(id.as_str()), TTL, || async {
            let customer = customers::get(api.db.conn(), id).await?;
            Ok::<_, Error>(customer_to_proto(&customer, Disclosure::Masked).encode_to_vec())
        })
        .await?;
    pb::Customer::decode(bytes.as_slice())
        .map_err(|err| Error::Internal(format!("undecodable cached customer {id}: {err}")))
}

/// The id of the customer with this msisdn, from the cache or the database.
pub async fn customer_id_of(api: &ProfileApi, msisdn: &Msisdn) -> Result<CustomerId, Error> {
    let key = format!("profile:msisdn:{}", msisdn.as_str());
    let bytes = api
        .cache
        .get_or_load(&key, &msisdn_tag(msisdn.as_str()), TTL, || async {
            match customers::find_by_msisdn(api.db.conn(), msisdn).await? {
                Some(customer) => Ok(customer.id.to_string().into_bytes()),
                None => Err(Error::NotFound {
                    kind: "customer",
                    id: format!("msisdn {}", crate::domain::mask_msisdn(msisdn.as_str())),
                }),
            }
        })
        .await?;
    let text = String::from_utf8(bytes).unwrap_or_default();
    CustomerId::parse(&text).map_err(|_| Error::Internal(format!("bad cached id {text:?}")))
}

/// Invalidates every tag, a few at a time (a large import touches many customers).
pub async fn invalidate(cache: &Cache, tags: Vec<String>) {
    futures::stream::iter(tags)
        .for_each_concurrent(32, |tag| async move { cache.invalidate(&tag).await })
        .await;
}

/// Invalidates the given customers.
pub async fn invalidate_customers<S: AsRef<str>>(cache: &Cache, ids: &[S]) {
    let tags = ids.iter().map(|id| customer_tag(id.as_ref())).collect();
    invalidate(cache, tags).await;
}
