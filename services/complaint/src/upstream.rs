//! Who the customer is, as the services that own them tell it: the profile knows whether the
//! customer exists and their name (masked, as staff tasks may show it), tiering their tier, which
//! sets the SLA targets, the progress cadence and the compensation limit of a complaint. Handlers
//! read them through [`Directory`], so tests stand a fixed map in for both services.
//!
//! A directory that cannot answer says so ([`UpstreamError`]) rather than guessing: a complaint
//! held to the wrong tier's clock is worse than one opened a moment later.

use std::collections::HashMap;
use std::fmt::Debug;

use futures::future::BoxFuture;
use tonic::{Code, Status};
use vipcare_runtime::InternalCredential;
use vipcare_runtime::customers::CustomerPeers;

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
pub struct Peers(CustomerPeers);

impl Peers {
    /// Connects on first use, so the service starts while its peers are still coming up.
    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
    ) -> Result<Peers, tonic::transport::Error> {
        CustomerPeers::connect_lazy(profile_url, tiering_url, credential).map(Peers)
    }
}

impl Directory for Peers {
    fn customer(
        &self,
        customer_id: &str,
    ) -> BoxFuture<'_, Result<Option<Customer>, UpstreamError>> {
        let id = customer_id.to_owned();
        Box::pin(async move {
            let (profile, tier) = futures::join!(self.0.profile(&id), self.0.tier(&id));
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
