//! Who a customer is, as the services that own them tell it, for the services that need to
//! know before they act (complaint, survey): the profile (does the customer exist, their name,
//! their account manager) and tiering (their tier). Both over their contracts, signed like
//! every internal call, connected on first use so a service starts while its peers come up.
//! What each service makes of the answers (its own customer type, its own errors) stays its own.
//!
//! Many customers are asked at once ([`CustomerPeers::known`]): one BatchGetCustomers and one
//! BatchGetCustomerTiers per [`BATCH_IDS`], asked side by side, for a dispatch round or for the
//! calls a service gathered into one batch.

use std::collections::HashMap;
use std::time::Duration;

use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as tiering_pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;

use vipcare_domain::BATCH_IDS;

use crate::{InternalChannel, InternalCredential};

/// Bound on one look-up, so a slow peer answers UNAVAILABLE instead of holding the call.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// A channel to `url` that connects on first use, signed like every internal call.
pub fn lazy_channel(
    url: &str,
    credential: &InternalCredential,
) -> Result<InternalChannel, tonic::transport::Error> {
    Endpoint::from_shared(url.to_owned()).map(|e| {
        credential.channel(
            e.tcp_nodelay(true)
                .connect_timeout(Duration::from_secs(2))
                .connect_lazy(),
        )
    })
}

/// The profile and tiering services.
#[derive(Debug, Clone)]
pub struct CustomerPeers {
    profile: ProfileServiceClient<InternalChannel>,
    tiering: TieringServiceClient<InternalChannel>,
}

/// A customer as both services know them.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    /// As the profile tells it to an internal caller.
    pub customer: profile_pb::Customer,
    /// The tier code in force; empty when tiering has not placed them (or was not asked).
    pub tier: String,
}

/// Which peer refused a look-up, and how.
#[derive(Debug, Clone)]
pub struct PeerFailure {
    pub service: &'static str,
    pub status: Status,
}

impl CustomerPeers {
    /// Over channels made elsewhere (e.g. with [`lazy_channel`]).
    pub fn new(profile: InternalChannel, tiering: InternalChannel) -> CustomerPeers {
        CustomerPeers {
            profile: ProfileServiceClient::new(profile),
            tiering: TieringServiceClient::new(tiering),
        }
    }

    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
    ) -> Result<CustomerPeers, tonic::transport::Error> {
        Ok(CustomerPeers::new(
            lazy_channel(profile_url, credential)?,
            lazy_channel(tiering_url, credential)?,
        ))
    }

    /// Those of `ids` the profile knows, by id, in batches as large as the services take; with
    /// their tiers (tiering asked at the same time) when `tiers`, else with none.
    pub async fn known(
        &self,
        ids: &[&str],
        tiers: bool,
    ) -> Result<HashMap<String, Known>, PeerFailure> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_IDS) {
            let asking_tiers = async {
                if tiers {
                    each_known(chunk, |ids| self.tiers(ids)).await
                } else {
                    Ok(Vec::new())
                }
            };
            let (customers, tiers) =
                futures::join!(each_known(chunk, |ids| self.customers(ids)), asking_tiers);
            let failed = |service| move |status| PeerFailure { service, status };
            let customers = customers.map_err(failed("profile"))?;
            let mut tiers: HashMap<String, String> =
                tiers.map_err(failed("tiering"))?.into_iter().collect();
            for customer in customers {
                let tier = tiers.remove(&customer.customer_id).unwrap_or_default();
                found.insert(customer.customer_id.clone(), Known { customer, tier });
            }
        }
        Ok(found)
    }

    /// The customers the profile knows among `ids`.
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

    /// The customer by id; `None` for one the profile does not know.
    pub async fn profile(&self, id: &str) -> Result<Option<profile_pb::Customer>, Status> {
        let mut request = tonic::Request::new(profile_pb::GetCustomerRequest {
            lookup: Some(profile_pb::get_customer_request::Lookup::CustomerId(
                id.to_owned(),
            )),
        });
        request.set_timeout(CALL_TIMEOUT);
        match self.profile.clone().get_customer(request).await {
            Ok(answer) => Ok(answer.into_inner().customer),
            // The profile refuses an id that cannot be one of its customers' (not a UUID): a
            // customer it does not know.
            Err(s) if matches!(s.code(), Code::NotFound | Code::InvalidArgument) => Ok(None),
            Err(s) => Err(s),
        }
    }

    /// The customer's tier code; empty for one tiering has not placed yet.
    pub async fn tier(&self, id: &str) -> Result<String, Status> {
        let mut request = tonic::Request::new(tiering_pb::GetCustomerTierRequest {
            customer: Some(tiering_pb::get_customer_tier_request::Customer::CustomerId(
                id.to_owned(),
            )),
        });
        request.set_timeout(CALL_TIMEOUT);
        match self.tiering.clone().get_customer_tier(request).await {
            Ok(answer) => Ok(answer.into_inner().tier.map(|t| t.tier).unwrap_or_default()),
            Err(s) if s.code() == Code::NotFound => Ok(String::new()),
            Err(s) => Err(s),
        }
    }
}

/// What `call` answers for `ids` at once. An id a service refuses (INVALID_ARGUMENT) cannot be
/// one of its customers, and would fail its whole batch: then each id is asked alone and the
/// refused ones are left out, so one odd id does not hold back the others.
async fn each_known<'a, T, F, Fut>(ids: &'a [&'a str], call: F) -> Result<Vec<T>, Status>
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
