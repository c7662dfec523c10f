//! The gRPC face of the tiering service: `TieringApi` implements the generated trait by handing
//! each call to a handler module (convert the request, call the store and the domain, convert
//! back), and maps errors to statuses in one place.

mod benefits;
pub(crate) mod convert;
mod policy;
#[cfg(test)]
mod proptests;
mod request;
mod runs;
mod status;
mod tiers;

pub(crate) use tiers::customer_tag;

use std::sync::Arc;

use tonic::{Request, Response, Status};
use vipcare_cache::Cache;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_server::{TieringService, TieringServiceServer};
use vipcare_storage::Database;
use vipcare_storage::idempotency::Idempotency;

use crate::batch::Runner;
use crate::domain::Clock;
use crate::service_history::ServiceHistory;
use crate::survey::Survey;
use crate::upstream::Profile;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct TieringApi {
    db: Database,
    /// The request_id flow of every side-effecting call.
    requests: Idempotency,
    cache: Cache,
    clock: Arc<dyn Clock>,
    profile: Profile,
    /// The customer's complaints and work-log problems, for churn risk.
    history: ServiceHistory,
    /// The customer's latest peak-end score, for the score and churn risk.
    survey: Survey,
    runner: Arc<Runner>,
}

impl std::fmt::Debug for TieringApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TieringApi")
            .field("clock", &self.clock)
            .finish()
    }
}

/// The services tiering reads customers from.
#[derive(Debug, Clone)]
pub struct Peers {
    pub profile: Profile,
    pub history: ServiceHistory,
    pub survey: Survey,
}

impl TieringApi {
    pub fn new(
        db: Database,
        requests: Idempotency,
        cache: Cache,
        clock: Arc<dyn Clock>,
        peers: Peers,
        runner: Arc<Runner>,
    ) -> TieringApi {
        let Peers {
            profile,
            history,
            survey,
        } = peers;
        TieringApi {
            db,
            requests,
            cache,
            clock,
            profile,
            history,
            survey,
            runner,
        }
    }

    /// The generated server, refusing messages over `max_message_bytes`.
    pub fn into_server(self, max_message_bytes: usize) -> TieringServiceServer<TieringApi> {
        TieringServiceServer::new(self).max_decoding_message_size(max_message_bytes)
    }
}

/// What handlers return; the trait impl maps the error to a status in one place.
type Reply<T> = Result<Response<T>, crate::error::Error>;
type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl TieringService for TieringApi {
    async fn get_tier_policy(
        &self,
        r: Request<pb::GetTierPolicyRequest>,
    ) -> Answer<pb::GetTierPolicyResponse> {
        policy::get(self, r).await.map_err(Status::from)
    }

    async fn update_tier_policy(
        &self,
        r: Request<pb::UpdateTierPolicyRequest>,
    ) -> Answer<pb::UpdateTierPolicyResponse> {
        policy::update(self, r).await.map_err(Status::from)
    }

    async fn evaluate_customer(
        &self,
        r: Request<pb::EvaluateCustomerRequest>,
    ) -> Answer<pb::EvaluateCustomerResponse> {
        policy::evaluate_customer(self, r)
            .await
            .map_err(Status::from)
    }

    async fn run_evaluation(
        &self,
        r: Request<pb::RunEvaluationRequest>,
    ) -> Answer<pb::RunEvaluationResponse> {
        runs::start(self, r).await.map_err(Status::from)
    }

    async fn get_evaluation_run(
        &self,
        r: Request<pb::GetEvaluationRunRequest>,
    ) -> Answer<pb::GetEvaluationRunResponse> {
        runs::get(self, r).await.map_err(Status::from)
    }

    async fn list_run_decisions(
        &self,
        r: Request<pb::ListRunDecisionsRequest>,
    ) -> Answer<pb::ListRunDecisionsResponse> {
        runs::decisions(self, r).await.map_err(Status::from)
    }

    async fn get_customer_tier(
        &self,
        r: Request<pb::GetCustomerTierRequest>,
    ) -> Answer<pb::GetCustomerTierResponse> {
        tiers::get(self, r).await.map_err(Status::from)
    }

    async fn batch_get_customer_tiers(
        &self,
        r: Request<pb::BatchGetCustomerTiersRequest>,
    ) -> Answer<pb::BatchGetCustomerTiersResponse> {
        tiers::batch_get(self, r).await.map_err(Status::from)
    }

    async fn list_tier_history(
        &self,
        r: Request<pb::ListTierHistoryRequest>,
    ) -> Answer<pb::ListTierHistoryResponse> {
        tiers::history(self, r).await.map_err(Status::from)
    }

    async fn override_tier(
        &self,
        r: Request<pb::OverrideTierRequest>,
    ) -> Answer<pb::OverrideTierResponse> {
        tiers::set_override(self, r).await.map_err(Status::from)
    }

    async fn list_benefits(
        &self,
        r: Request<pb::ListBenefitsRequest>,
    ) -> Answer<pb::ListBenefitsResponse> {
        benefits::list(self, r).await.map_err(Status::from)
    }

    async fn upsert_benefit(
        &self,
        r: Request<pb::UpsertBenefitRequest>,
    ) -> Answer<pb::UpsertBenefitResponse> {
        benefits::upsert(self, r).await.map_err(Status::from)
    }

    async fn check_entitlement(
        &self,
        r: Request<pb::CheckEntitlementRequest>,
    ) -> Answer<pb::CheckEntitlementResponse> {
        benefits::check(self, r).await.map_err(Status::from)
    }

    async fn redeem_benefit(
        &self,
        r: Request<pb::RedeemBenefitRequest>,
    ) -> Answer<pb::RedeemBenefitResponse> {
        benefits::redeem(self, r).await.map_err(Status::from)
    }

    async fn list_redemptions(
        &self,
        r: Request<pb::ListRedemptionsRequest>,
    ) -> Answer<pb::ListRedemptionsResponse> {
        benefits::redemptions(self, r).await.map_err(Status::from)
    }

    async fn get_routing_priority(
        &self,
        r: Request<pb::GetRoutingPriorityRequest>,
    ) -> Answer<pb::GetRoutingPriorityResponse> {
        tiers::priority(self, r).await.map_err(Status::from)
    }

    async fn get_churn_risk(
        &self,
        r: Request<pb::GetChurnRiskRequest>,
    ) -> Answer<pb::GetChurnRiskResponse> {
        tiers::churn(self, r).await.map_err(Status::from)
    }

    async fn list_at_risk(
        &self,
        r: Request<pb::ListAtRiskRequest>,
    ) -> Answer<pb::ListAtRiskResponse> {
        tiers::at_risk(self, r).await.map_err(Status::from)
    }
}
