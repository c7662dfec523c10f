//! The directory over the real services: BatchGetCustomers from the profile and
//! BatchGetCustomerTiers from tiering, both signed with the internal credential and asked at
//! once. One customer (a schedule check, a receipt) is cached for a minute under the
//! customer's tag, which the profile and tiering bump on every change, so a new quiet-hours
//! setting or tier is read on the next reminder, not a minute later; a dispatch round asks for
//! all its customers in one pair of calls, uncached.
//!
//! The reminder service reads as itself, without `pii:read`: it gets the masked customer (no
//! mobile number; the provider resolves it by customer id), writes no audit record per reminder,
//! and keeps no personal data in the cache — the profile's own rule for what it caches.

use std::collections::HashMap;
use std::time::Duration;

use futures::future::BoxFuture;
use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_cache::{Cache, tags};
use vipcare_domain::BATCH_IDS;
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as tiering_pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{InternalChannel, InternalCredential};

use super::convert::{Cached, contact_of};
use super::{Contact, CustomerDirectory, UpstreamError};

/// Bound on each call: a slow profile defers reminders, it does not hold a worker.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Writers bump the customer tag, so this only bounds what a cache emptied behind our back or
/// a lost bump costs.
const TTL: Duration = Duration::from_secs(60);

/// The profile and tiering as the reminder service reads them. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ProfileDirectory {
    profile: ProfileServiceClient<InternalChannel>,
    tiering: TieringServiceClient<InternalChannel>,
    cache: Cache,
}

impl ProfileDirectory {
    pub fn new(profile: InternalChannel, tiering: InternalChannel, cache: Cache) -> Self {
        ProfileDirectory {
            profile: ProfileServiceClient::new(profile),
            tiering: TieringServiceClient::new(tiering),
            cache,
        }
    }

    /// Connects on first use, so the service starts while its peers are still starting.
    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
        cache: Cache,
    ) -> Result<Self, tonic::transport::Error> {
        let lazy = |url: &str| {
            Endpoint::from_shared(url.to_owned()).map(|e| {
                let channel = e
                    .tcp_nodelay(true)
                    .connect_timeout(Duration::from_secs(2))
                    .connect_lazy();
                credential.channel(channel)
            })
        };
        Ok(ProfileDirectory::new(
            lazy(profile_url)?,
            lazy(tiering_url)?,
            cache,
        ))
    }

    async fn load(&self, customer_id: &str) -> Result<Option<Contact>, UpstreamError> {
        Ok(self.load_many(&[customer_id]).await?.remove(customer_id))
    }

    /// The contacts of those of `ids` the profile knows, both services asked at once, in
    /// batches as large as they take.
    async fn load_many(&self, ids: &[&str]) -> Result<HashMap<String, Contact>, UpstreamError> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_IDS) {
            let (customers, tiers) = futures::join!(
                known(chunk, |ids| self.customers(ids)),
                known(chunk, |ids| self.tiers(ids)),
            );
            let customers = customers.map_err(|s| failure("profile", &s))?;
            let mut tiers: HashMap<String, String> = tiers
                .map_err(|s| failure("tiering", &s))?
                .into_iter()
                .collect();
            for customer in customers {
                let tier = tiers.remove(&customer.customer_id).unwrap_or_default();
                found.insert(customer.customer_id.clone(), contact_of(customer, tier));
            }
        }
        Ok(found)
    }

    /// The customers the profile knows among `ids`, masked.
    async fn customers(&self, ids: Vec<String>) -> Result<Vec<profile_pb::Customer>, Status> {
        let mut request =
            tonic::Request::new(profile_pb::BatchGetCustomersRequest { customer_ids: ids });
        request.set_timeout(CALL_TIMEOUT);
        let answer = self.profile.clone().batch_get_customers(request).await?;
        Ok(answer.into_inner().customers)
    }

    /// Each customer's tier code, as (customer id, tier).
    async fn tiers(&self, ids: Vec<String>) -> Result<Vec<(String, String)>, Status> {
        let mut request =
            tonic::Request::new(tiering_pb::BatchGetCustomerTiersRequest { customer_ids: ids });
        request.set_timeout(CALL_TIMEOUT);
        let answer = self
            .tiering
            .clone()
            .batch_get_customer_tiers(request)
            .await?;
        let tiers = answer.into_inner().tiers;
        Ok(tiers.into_iter().map(|t| (t.customer_id, t.tier)).collect())
    }
}

/// What `call` answers for `ids` at once. An id a service refuses (INVALID_ARGUMENT) cannot be
/// one of its customers, and would fail its whole batch: then each id is asked alone and the
/// refused ones are left out, so one odd id does not hold back a round's other customers.
async fn known<'a, T, F, Fut>(ids: &'a [&'a str], call: F) -> Result<Vec<T>, Status>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Status>>,
{
    let owned = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect();
    match call(owned(ids)).await {
        Err(s) if s.code() == Code::InvalidArgument && ids.len() > 1 => {
            let alone = ids.iter().map(|id| call(owned(&[*id])));
            let mut all = Vec::new();
            for answer in futures::future::join_all(alone).await {
                match answer {
                    Ok(found) => all.extend(found),
                    Err(s) if s.code() == Code::InvalidArgument => {}
                    Err(s) => return Err(s),
                }
            }
            Ok(all)
        }
        Err(s) if s.code() == Code::InvalidArgument => Ok(Vec::new()),
        answer => answer,
    }
}

/// Why a cached load produced nothing to cache.
enum Miss {
    Unknown,
    Failed(UpstreamError),
}

impl CustomerDirectory for ProfileDirectory {
    fn contact(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>> {
        let customer_id = customer_id.to_owned();
        Box::pin(async move {
            let key = format!("reminder:contact:{customer_id}");
            let tag = tags::customer(&customer_id);
            // An unknown customer is not cached: one created a moment later must be found.
            let loaded = self
                .cache
                .get_or_load(&key, &tag, TTL, || async {
                    match self.load(&customer_id).await {
                        Ok(Some(contact)) => serde_json::to_vec(&Cached::of(&contact))
                            .map_err(|e| Miss::Failed(unexpected(e))),
                        Ok(None) => Err(Miss::Unknown),
                        Err(e) => Err(Miss::Failed(e)),
                    }
                })
                .await;
            match loaded {
                Ok(bytes) => match serde_json::from_slice::<Cached>(&bytes) {
                    Ok(cached) => Ok(Some(cached.into_contact(&customer_id))),
                    // Written by another version of the service: ask the source instead.
                    Err(_) => self.load(&customer_id).await,
                },
                Err(Miss::Unknown) => Ok(None),
                Err(Miss::Failed(e)) => Err(e),
            }
        })
    }

    /// Straight from both services, not through the cache: two calls for a round however many
    /// customers it has, where looking each up in the cache cost a round trip per customer.
    fn contacts<'a>(
        &'a self,
        customer_ids: &'a [&'a str],
    ) -> BoxFuture<'a, Result<HashMap<String, Contact>, UpstreamError>> {
        Box::pin(self.load_many(customer_ids))
    }
}

fn unexpected(e: impl std::fmt::Display) -> UpstreamError {
    UpstreamError::Unexpected {
        service: "reminder cache",
        reason: e.to_string(),
    }
}

fn failure(service: &'static str, status: &Status) -> UpstreamError {
    let reason = format!("{:?}: {}", status.code(), status.message());
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Cancelled
        | Code::Aborted
        | Code::Unknown => UpstreamError::Unavailable { service, reason },
        _ => UpstreamError::Unexpected { service, reason },
    }
}
