//! Who the customer is, as the services that own them tell it: the profile knows whether the
//! customer exists and their name (masked, as staff tasks may show it), tiering their tier, which
//! sets the SLA targets, the progress cadence and the compensation limit of a complaint. Handlers
//! read them through [`Directory`], so tests stand a fixed map in for both services.
//!
//! A directory that cannot answer says so ([`UpstreamError`]) rather than guessing: a complaint
//! held to the wrong tier's clock is worse than one opened a moment later.

use std::collections::HashMap;
use std::fmt::Debug;
use std::time::Duration;

use futures::future::BoxFuture;
use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as tiering_pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{InternalChannel, InternalCredential};

/// Bound on one look-up, so a slow peer answers UNAVAILABLE instead of holding the call.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// A customer as a complaint needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub customer_id: String,
    /// As staff may read it in a task; the id when the profile has no name.
    pub name: String,
    /// The tier code in force ("DIAMOND"); empty when tiering knows none (held to STANDARD).
    pub tier: String,
}

/// Why the directory could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// The profile or tiering is down, slow or overloaded: ask again later.
    #[error("{service} unavailable: {reason}")]
    Unavailable {
        service: &'static str,
        reason: String,
    },
    /// It answered, but not as the contract says it would: a fault to log.
    #[error("{service} answered unexpectedly: {reason}")]
    Unexpected {
        service: &'static str,
        reason: String,
    },
}

/// Where handlers learn who a customer is.
pub trait Directory: Send + Sync + Debug {
    /// `Ok(None)` for a customer the profile does not know.
    fn customer(&self, customer_id: &str)
    -> BoxFuture<'_, Result<Option<Customer>, UpstreamError>>;
}

/// The profile and tiering services, over their contracts.
#[derive(Debug, Clone)]
pub struct Peers {
    profile: ProfileServiceClient<InternalChannel>,
    tiering: TieringServiceClient<InternalChannel>,
}

impl Peers {
    /// Connects on first use, so the service starts while its peers are still coming up.
    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
    ) -> Result<Peers, tonic::transport::Error> {
        let lazy = |url: &str| {
            Endpoint::from_shared(url.to_owned()).map(|e| {
                credential.channel(
                    e.tcp_nodelay(true)
                        .connect_timeout(Duration::from_secs(2))
                        .connect_lazy(),
                )
            })
        };
        Ok(Peers {
            profile: ProfileServiceClient::new(lazy(profile_url)?),
            tiering: TieringServiceClient::new(lazy(tiering_url)?),
        })
    }

    async fn profile(&self, id: &str) -> Result<Option<profile_pb::Customer>, Status> {
        let mut request = tonic::Request::new(profile_pb::GetCustomerRequest {
            lookup: Some(profile_pb::get_customer_request::Lookup::CustomerId(
                id.to_owned(),
            )),
        });
        request.set_timeout(CALL_TIMEOUT);
        match self.profile.clone().get_customer(request).await {
            Ok(answer) => Ok(answer.into_inner().customer),
            // The profile refuses an id that cannot be one of its customers' (not a UUID): for
            // a complaint that is a customer it does not know.
            Err(s) if matches!(s.code(), Code::NotFound | Code::InvalidArgument) => Ok(None),
            Err(s) => Err(s),
        }
    }

    async fn tier(&self, id: &str) -> Result<String, Status> {
        let mut request = tonic::Request::new(tiering_pb::GetCustomerTierRequest {
            customer: Some(tiering_pb::get_customer_tier_request::Customer::CustomerId(
                id.to_owned(),
            )),
        });
        request.set_timeout(CALL_TIMEOUT);
        match self.tiering.clone().get_customer_tier(request).await {
            Ok(answer) => Ok(answer.into_inner().tier.map(|t| t.tier).unwrap_or_default()),
            // A customer tiering has not evaluated yet is held to the base tier.
            Err(s) if s.code() == Code::NotFound => Ok(String::new()),
            Err(s) => Err(s),
        }
    }
}

impl Directory for Peers {
    fn customer(
        &self,
        customer_id: &str,
    ) -> BoxFuture<'_, Result<Option<Customer>, UpstreamError>> {
        let id = customer_id.to_owned();
        Box::pin(async move {
            let (profile, tier) = futures::join!(self.profile(&id), self.tier(&id));
            let Some(found) = profile.map_err(|s| failure("profile", &s))? else {
                return Ok(None);
            };
            let tier = tier.map_err(|s| failure("tiering", &s))?;
            let name = if found.name.trim().is_empty() {
                id.clone()
            } else {
                found.name
            };
            Ok(Some(Customer {
                customer_id: id,
                name,
                tier,
            }))
        })
    }
}

/// What a refused call means here: the peer's trouble (retry) or a broken contract (ours).
fn failure(service: &'static str, status: &Status) -> UpstreamError {
    let reason = format!("{:?}: {}", status.code(), status.message());
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Aborted
        | Code::Cancelled
        | Code::Unknown => UpstreamError::Unavailable { service, reason },
        _ => UpstreamError::Unexpected { service, reason },
    }
}

/// A fixed set of customers, for tests and for the embedded demo without peers.
#[derive(Debug, Default, Clone)]
pub struct FixedDirectory {
    customers: HashMap<String, Customer>,
}

impl FixedDirectory {
    pub fn with(mut self, customer_id: &str, tier: &str) -> FixedDirectory {
        self.customers.insert(
            customer_id.to_owned(),
            Customer {
                customer_id: customer_id.to_owned(),
                name: customer_id.to_owned(),
                tier: tier.to_owned(),
            },
        );
        self
    }
}

impl Directory for FixedDirectory {
    fn customer(
        &self,
        customer_id: &str,
    ) -> BoxFuture<'_, Result<Option<Customer>, UpstreamError>> {
        let found = self.customers.get(customer_id).cloned();
        Box::pin(async move { Ok(found) })
    }
}
