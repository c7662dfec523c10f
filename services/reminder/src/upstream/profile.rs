//! The directory over the real services: BatchGetCustomers from the profile and
//! BatchGetCustomerTiers from tiering, both signed with the internal credential and asked at
//! once, for one customer or for a dispatch round's at a time. Nothing is cached: two calls
//! answer a whole round, and a schedule check asks the profile alone (it needs no tier), so a
//! cache would save little and could only be stale — a new quiet-hours setting or tier is read
//! on the next reminder. The checks of ScheduleReminder calls made at the same moment are asked
//! together, in one BatchGetCustomers ([`Batcher`]): a busy feed of single calls costs the
//! profile a round trip per batch, not per call.
//!
//! The reminder service reads as itself, without `pii:read`: it gets the masked customer (no
//! mobile number; the provider resolves it by customer id), writes no audit record per reminder,
//! and keeps no personal data in the cache — the profile's own rule for what it caches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_domain::BATCH_IDS;
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as tiering_pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::batching::Batcher;
use vipcare_runtime::{InternalChannel, InternalCredential};

use super::convert::contact_of;
use super::{Contact, CustomerDirectory, UpstreamError};

/// Bound on each call: a slow profile defers reminders, it does not hold a worker.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Schedule checks asked together at most, and such batches in flight at once.
const CHECKS_PER_BATCH: usize = 200;
const CHECK_BATCHES_IN_FLIGHT: usize = 2;

type Checked = Result<Option<Contact>, UpstreamError>;

/// The profile and tiering as the reminder service reads them. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ProfileDirectory {
    peers: Peers,
    /// Schedule checks, gathered across calls.
    checks: Arc<Batcher<String, Checked>>,
}

/// The two services' clients.
#[derive(Debug, Clone)]
struct Peers {
    profile: ProfileServiceClient<InternalChannel>,
    tiering: TieringServiceClient<InternalChannel>,
}

impl ProfileDirectory {
    pub fn new(profile: InternalChannel, tiering: InternalChannel) -> Self {
        let peers = Peers {
            profile: ProfileServiceClient::new(profile),
            tiering: TieringServiceClient::new(tiering),
        };
        let checking = peers.clone();
        let checks = Batcher::new(CHECKS_PER_BATCH, CHECK_BATCHES_IN_FLIGHT, move |ids| {
            let peers = checking.clone();
            async move { peers.check_all(ids).await }
        });
        ProfileDirectory {
            peers,
            checks: Arc::new(checks),
        }
    }

    /// Connects on first use, so the service starts while its peers are still starting.
    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
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
        ))
    }
}

impl Peers {
    /// Each of `ids` as the profile knows it (no tier), in their order; asked at once.
    async fn check_all(&self, ids: Vec<String>) -> Vec<Checked> {
        let mut asked: Vec<&str> = ids.iter().map(String::as_str).collect();
        asked.sort_unstable();
        asked.dedup();
        match self.load(&asked, false).await {
            Ok(found) => ids.iter().map(|id| Ok(found.get(id).cloned())).collect(),
            Err(failed) => ids.iter().map(|_| Err(failed.clone())).collect(),
        }
    }

    /// The contacts of those of `ids` the profile knows, in batches as large as the services
    /// take; with their tiers (tiering asked at the same time) when `tiers`, else with none.
    async fn load(
        &self,
        ids: &[&str],
        tiers: bool,
    ) -> Result<HashMap<String, Contact>, UpstreamError> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_IDS) {
            let asking_tiers = async {
                if tiers {
                    known(chunk, |ids| self.tiers(ids)).await
                } else {
                    Ok(Vec::new())
                }
            };
            let (customers, tiers) =
                futures::join!(known(chunk, |ids| self.customers(ids)), asking_tiers);
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

impl CustomerDirectory for ProfileDirectory {
    fn contact(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>> {
        let customer_id = customer_id.to_owned();
        Box::pin(async move {
            Ok(self
                .peers
                .load(&[&customer_id], true)
                .await?
                .remove(&customer_id))
        })
    }

    fn customer(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>> {
        let customer_id = customer_id.to_owned();
        Box::pin(async move {
            self.checks.call(customer_id).await.unwrap_or_else(|gone| {
                Err(UpstreamError::Unavailable {
                    service: "profile",
                    reason: gone.to_string(),
                })
            })
        })
    }

    fn contacts<'a>(
        &'a self,
        customer_ids: &'a [&'a str],
    ) -> BoxFuture<'a, Result<HashMap<String, Contact>, UpstreamError>> {
        Box::pin(self.peers.load(customer_ids, true))
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
