//! The reads the views make of the tiering service: the customer's tier with the benefits left
//! this cycle, the churn risk, and the hotline routing priority of a calling number. Tiering
//! answers the lowest tier for a customer it has never evaluated, so every existing customer
//! has a tier; a NOT_FOUND here means the customer is gone, not that the tier is missing.
//!
//! Every one of these is an optional part of an answer (the view and the look-up answer without
//! them), so each waits at most `SECTION_BUDGET`: a tiering service that hangs costs the agent a
//! second, not the whole deadline of the call.

use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_proto::tiering::v1::{
    BenefitBalance, ChurnRisk, CustomerTier, GetChurnRiskRequest, GetChurnRiskResponse,
    GetCustomerTierRequest, GetCustomerTierResponse, GetRoutingPriorityRequest,
    GetRoutingPriorityResponse, get_customer_tier_request,
};
use vipcare_runtime::InternalChannel;

use super::call::{CallContext, Masking, Upstream, missing, within_budget};
use super::lookup::{CustomerId, Msisdn};
use crate::error::GatewayError;

/// The view's "tier" section: the tier in force and the benefits it brings.
#[derive(Debug, Clone, PartialEq)]
pub struct TierSection {
    pub tier: CustomerTier,
    pub benefits: Vec<BenefitBalance>,
}

/// Where the hotline routes a number, and whose number it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// 0 (normal) to 9 (highest).
    pub priority: i32,
    pub tier: String,
    pub customer_id: String,
}

#[derive(Debug, Clone)]
pub struct TieringReader {
    upstream: Upstream<TieringServiceClient<InternalChannel>>,
}

impl TieringReader {
    pub fn new(channel: InternalChannel, max_message_bytes: usize) -> TieringReader {
        let client =
            TieringServiceClient::new(channel).max_decoding_message_size(max_message_bytes);
        TieringReader {
            upstream: Upstream::new("tiering", client),
        }
    }

    pub async fn customer_tier(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
    ) -> Result<TierSection, GatewayError> {
        let request = GetCustomerTierRequest {
            customer: Some(get_customer_tier_request::Customer::CustomerId(
                id.as_str().to_owned(),
            )),
        };
        let GetCustomerTierResponse { tier, benefits } = within_budget(
            "tiering",
            self.upstream.call(
                ctx,
                request,
                Masking::AsClient,
                |mut client, request| async move { client.get_customer_tier(request).await },
            ),
        )
        .await?;
        let tier = tier.ok_or_else(|| missing("GetCustomerTier", "a tier"))?;
        Ok(TierSection { tier, benefits })
    }

    pub async fn churn_risk(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
    ) -> Result<ChurnRisk, GatewayError> {
        let request = GetChurnRiskRequest {
            customer_id: id.as_str().to_owned(),
        };
        let GetChurnRiskResponse {
            score,
            reasons,
            at_risk,
            // The view shows the risk as it stands; which evaluation computed it is for the
            // retention screens that call tiering themselves.
            period: _,
        } = within_budget(
            "tiering",
            self.upstream.call(
                ctx,
                request,
                Masking::AsClient,
                |mut client, request| async move { client.get_churn_risk(request).await },
            ),
        )
        .await?;
        Ok(ChurnRisk {
            score,
            reasons,
            at_risk,
        })
    }

    /// Always masked, like the rest of the caller look-up.
    pub async fn routing(
        &self,
        ctx: &CallContext,
        msisdn: &Msisdn,
    ) -> Result<Routing, GatewayError> {
        let request = GetRoutingPriorityRequest {
            msisdn: msisdn.as_str().to_owned(),
        };
        let GetRoutingPriorityResponse {
            priority,
            tier,
            customer_id,
        } = within_budget(
            "tiering",
            self.upstream.call(
                ctx,
                request,
                Masking::Always,
                |mut client, request| async move { client.get_routing_priority(request).await },
            ),
        )
        .await?;
        Ok(Routing {
            priority,
            tier,
            customer_id,
        })
    }
}
