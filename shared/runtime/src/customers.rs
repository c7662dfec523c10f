//! Who a customer is, as the services that own them tell it, for the services that need to
//! know before they act (complaint, survey): the profile (does the customer exist, their name,
//! their account manager) and tiering (their tier). Both over their contracts, signed like
//! every internal call, connected on first use so a service starts while its peers come up.
//! What each service makes of the answers (its own customer type, its own errors) stays its own.

use std::time::Duration;

use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as tiering_pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;

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

impl CustomerPeers {
    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
    ) -> Result<CustomerPeers, tonic::transport::Error> {
        Ok(CustomerPeers {
            profile: ProfileServiceClient::new(lazy_channel(profile_url, credential)?),
            tiering: TieringServiceClient::new(lazy_channel(tiering_url, credential)?),
        })
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
