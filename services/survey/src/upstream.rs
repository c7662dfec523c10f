//! Who the customer is, as the services that own them tell it: the profile knows whether the
//! customer exists and who their account manager is (who follows up an unhappy answer when the
//! survey names no staff member), tiering their tier (how often they may be asked, and the tier
//! a response is reported under). Handlers read them through [`Directory`], so tests may stand
//! a fixed map in for both services.
//!
//! A directory that cannot answer says so ([`UpstreamError`]) rather than guessing: an
//! invitation held to the wrong tier's fatigue rule is worse than one sent a moment later.

use std::collections::HashMap;
use std::fmt::Debug;

use futures::future::BoxFuture;
use tonic::{Code, Status};
use vipcare_runtime::InternalCredential;
use vipcare_runtime::customers::CustomerPeers;

/// The tier of a customer tiering has not placed yet.
pub const BASE_TIER: &str = "STANDARD";

/// A customer as a survey needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub customer_id: String,
    /// The tier code in force ("DIAMOND"); [`BASE_TIER`] when tiering knows none.
    pub tier: String,
    /// `None` when the customer has none.
    pub account_manager: Option<String>,
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
    /// Those of `ids` the profile knows, by id, asked at once (the submissions of one batch).
    fn customers<'a>(
        &'a self,
        ids: &'a [&'a str],
    ) -> BoxFuture<'a, Result<HashMap<String, Customer>, UpstreamError>>;

    /// `Ok(None)` for a customer the profile does not know.
    fn customer<'a>(
        &'a self,
        customer_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Customer>, UpstreamError>> {
        Box::pin(async move { Ok(self.customers(&[customer_id]).await?.remove(customer_id)) })
    }
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
    fn customers<'a>(
        &'a self,
        ids: &'a [&'a str],
    ) -> BoxFuture<'a, Result<HashMap<String, Customer>, UpstreamError>> {
        Box::pin(async move {
            let known = self
                .0
                .known(ids, true)
                .await
                .map_err(|f| failure(f.service, &f.status))?;
            Ok(known
                .into_iter()
                .map(|(id, known)| {
                    let tier = if known.tier.is_empty() {
                        BASE_TIER.to_owned()
                    } else {
                        known.tier
                    };
                    let account_manager =
                        Some(known.customer.account_manager_id).filter(|m| !m.is_empty());
                    let customer = Customer {
                        customer_id: id.clone(),
                        tier,
                        account_manager,
                    };
                    (id, customer)
                })
                .collect())
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

/// A fixed set of customers, for tests and demos without peers.
#[derive(Debug, Default, Clone)]
pub struct FixedDirectory {
    customers: HashMap<String, Customer>,
}

impl FixedDirectory {
    pub fn with(mut self, customer: Customer) -> FixedDirectory {
        self.customers
            .insert(customer.customer_id.clone(), customer);
        self
    }
}

impl Directory for FixedDirectory {
    fn customers<'a>(
        &'a self,
        ids: &'a [&'a str],
    ) -> BoxFuture<'a, Result<HashMap<String, Customer>, UpstreamError>> {
        let found = ids
            .iter()
            .filter_map(|id| self.customers.get(*id))
            .map(|c| (c.customer_id.clone(), c.clone()))
            .collect();
        Box::pin(async move { Ok(found) })
    }
}
