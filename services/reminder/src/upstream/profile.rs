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

use futures::future::BoxFuture;
use tonic::{Code, Status};
use vipcare_runtime::batching::Batcher;
use vipcare_runtime::customers::{CustomerPeers, lazy_channel};
use vipcare_runtime::{InternalChannel, InternalCredential};

use super::convert::contact_of;
use super::{Contact, CustomerDirectory, UpstreamError};

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
struct Peers(CustomerPeers);

impl ProfileDirectory {
    pub fn new(profile: InternalChannel, tiering: InternalChannel) -> Self {
        let peers = Peers(CustomerPeers::new(profile, tiering));
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
        Ok(ProfileDirectory::new(
            lazy_channel(profile_url, credential)?,
            lazy_channel(tiering_url, credential)?,
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

    /// The contacts of those of `ids` the profile knows; with their tiers when `tiers`.
    async fn load(
        &self,
        ids: &[&str],
        tiers: bool,
    ) -> Result<HashMap<String, Contact>, UpstreamError> {
        let known = self
            .0
            .known(ids, tiers)
            .await
            .map_err(|f| failure(f.service, &f.status))?;
        Ok(known
            .into_iter()
            .map(|(id, k)| (id, contact_of(k.customer, k.tier)))
            .collect())
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
