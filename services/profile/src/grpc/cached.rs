//! GetCustomer through the cache. Only masked customers are cached, so no personal data ever
//! sits in Redis; unmasked reads go to the database, where their audit record is written
//! anyway. Writers record the tags they make stale in their transaction (`store::stale`) and
//! bump them after their commit; the cache's generations make a read that raced the write
//! harmless, and the record makes a bump the cache never got happen later instead of never.

use std::time::Duration;

use prost::Message;
use vipcare_proto::profile::v1 as pb;
use vipcare_storage::invalidation;

use super::ProfileApi;
use super::convert::customer_to_proto;
use crate::domain::{CustomerId, Disclosure, Msisdn};
use crate::error::Error;
use crate::store::customers;
pub use crate::store::stale::{customer_tag, msisdn_tag};

/// Writes invalidate entries at once, and a bump Redis missed is replayed from its record; the
/// TTL only bounds what a cache emptied behind the service's back can cost.
const TTL: Duration = Duration::from_secs(300);

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
                None => Err(Error::MsisdnNotFound),
            }
        })
        .await?;
    let text = String::from_utf8(bytes).unwrap_or_default();
    CustomerId::parse(&text).map_err(|_| Error::Internal(format!("bad cached id {text:?}")))
}

/// After the commit of a write that recorded `tags`: bumps them in one round trip (a large
/// import touches many customers), and clears their record once the bump was written.
pub async fn invalidate(api: &ProfileApi, tags: Vec<String>) {
    invalidation::settle_tags(api.db.conn(), tags, &api.cache.invalidator()).await;
}
