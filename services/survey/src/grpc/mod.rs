//! The gRPC face of the survey service: `SurveyApi` implements the generated trait by handing
//! each call to a handler module (convert the request, check it, act through the domain and
//! the store in one transaction with its outbox rows, convert back), and maps errors to
//! statuses in one place (`status`).
//!
//! - `scenarios`: the journey model, versioned; `policy`: the scoring and follow-up policy;
//! - `invitations`: inviting (fatigue, token, reminder) and what a token's page shows;
//! - `submit`: a response scored, stored and followed up; `responses`: reading them back and
//!   the customers' latest satisfaction;
//! - `reports`: moment reports, trends, alerts and detractors, from the daily roll-ups.

pub mod convert;
mod invitations;
mod policy;
mod reports;
mod request;
mod responses;
mod scenarios;
mod status;
mod submit;

use std::sync::Arc;

use tokio::sync::Notify;
use tonic::{Request, Response, Status};
use vipcare_domain::Clock;
use vipcare_proto::survey::v1 as pb;
use vipcare_proto::survey::v1::survey_service_server::{SurveyService, SurveyServiceServer};
use vipcare_storage::Database;
use vipcare_storage::idempotency::Idempotency;
use vipcare_storage::invalidation::StaleViews;

use crate::baselines::BaselineCache;
use crate::domain::SurveyPolicy;
use crate::error::Error;
use crate::settings::SurveySettings;
use crate::store::policy::{self as stored_policy, StoredPolicy};
use crate::upstream::Directory;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct SurveyApi {
    db: Database,
    /// The request_id flow of every side-effecting call.
    requests: Idempotency,
    clock: Arc<dyn Clock>,
    /// Who the customer is: the profile's and tiering's, through their contracts.
    directory: Arc<dyn Directory>,
    /// Poked after a commit that wrote an invitation, so its relay sends it without a poll.
    invitations: Arc<Notify>,
    /// The policy in force until one is stored (`[survey]`), the link base and the desk.
    settings: Arc<SurveySettings>,
    starting: Arc<SurveyPolicy>,
    baselines: Arc<BaselineCache>,
    /// SubmitResponse calls, handled in batches.
    submissions: Arc<submit::Submissions>,
}

impl std::fmt::Debug for SurveyApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SurveyApi")
            .field("clock", &self.clock)
            .finish()
    }
}

/// What a survey service is wired to, besides its database.
pub struct Wiring {
    pub requests: Idempotency,
    /// Bumps the customer views a batch of responses made stale, after its commit.
    pub stale: StaleViews,
    pub clock: Arc<dyn Clock>,
    pub directory: Arc<dyn Directory>,
    pub invitations: Arc<Notify>,
    pub follow_ups: Arc<Notify>,
    pub settings: Arc<SurveySettings>,
    pub starting: Arc<SurveyPolicy>,
}

impl SurveyApi {
    pub fn new(db: Database, wiring: Wiring) -> SurveyApi {
        let Wiring {
            requests,
            stale,
            clock,
            directory,
            invitations,
            follow_ups,
            settings,
            starting,
        } = wiring;
        let baselines = Arc::new(BaselineCache::default());
        let submissions = submit::Submissions::new(submit::Parts {
            db: db.clone(),
            requests: requests.clone(),
            stale,
            clock: clock.clone(),
            directory: directory.clone(),
            follow_ups,
            settings: settings.clone(),
            starting: starting.clone(),
            baselines: baselines.clone(),
        });
        SurveyApi {
            db,
            requests,
            clock,
            directory,
            invitations,
            settings,
            starting,
            baselines,
            submissions: Arc::new(submissions),
        }
    }

    /// The generated server, refusing messages over `max_message_bytes`.
    pub fn into_server(self, max_message_bytes: usize) -> SurveyServiceServer<SurveyApi> {
        SurveyServiceServer::new(self).max_decoding_message_size(max_message_bytes)
    }

    /// The policy in force: the stored one, or the settings' starting values.
    async fn policy(&self) -> Result<StoredPolicy, Error> {
        Ok(stored_policy::get(self.db.conn(), &self.starting).await?)
    }
}

/// What handlers return; the trait impl maps the error to a status in one place.
type Reply<T> = Result<Response<T>, Error>;
type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl SurveyService for SurveyApi {
    async fn get_scenario(
        &self,
        r: Request<pb::GetScenarioRequest>,
    ) -> Answer<pb::GetScenarioResponse> {
        scenarios::get(self, r).await.map_err(Status::from)
    }

    async fn list_scenarios(
        &self,
        r: Request<pb::ListScenariosRequest>,
    ) -> Answer<pb::ListScenariosResponse> {
        scenarios::list(self, r).await.map_err(Status::from)
    }

    async fn upsert_scenario(
        &self,
        r: Request<pb::UpsertScenarioRequest>,
    ) -> Answer<pb::UpsertScenarioResponse> {
        scenarios::upsert(self, r).await.map_err(Status::from)
    }

    async fn invite_to_survey(
        &self,
        r: Request<pb::InviteToSurveyRequest>,
    ) -> Answer<pb::InviteToSurveyResponse> {
        invitations::invite(self, r).await.map_err(Status::from)
    }

    async fn get_invitation(
        &self,
        r: Request<pb::GetInvitationRequest>,
    ) -> Answer<pb::GetInvitationResponse> {
        invitations::get(self, r).await.map_err(Status::from)
    }

    async fn submit_response(
        &self,
        r: Request<pb::SubmitResponseRequest>,
    ) -> Answer<pb::SubmitResponseResponse> {
        submit::submit(self, r).await.map_err(Status::from)
    }

    async fn get_response(
        &self,
        r: Request<pb::GetResponseRequest>,
    ) -> Answer<pb::GetResponseResponse> {
        responses::get(self, r).await.map_err(Status::from)
    }

    async fn list_responses(
        &self,
        r: Request<pb::ListResponsesRequest>,
    ) -> Answer<pb::ListResponsesResponse> {
        responses::list(self, r).await.map_err(Status::from)
    }

    async fn get_satisfaction(
        &self,
        r: Request<pb::GetSatisfactionRequest>,
    ) -> Answer<pb::GetSatisfactionResponse> {
        responses::satisfaction(self, r).await.map_err(Status::from)
    }

    async fn batch_get_satisfaction(
        &self,
        r: Request<pb::BatchGetSatisfactionRequest>,
    ) -> Answer<pb::BatchGetSatisfactionResponse> {
        responses::batch_satisfaction(self, r)
            .await
            .map_err(Status::from)
    }

    async fn get_moment_report(
        &self,
        r: Request<pb::GetMomentReportRequest>,
    ) -> Answer<pb::GetMomentReportResponse> {
        reports::moment_report(self, r).await.map_err(Status::from)
    }

    async fn get_score_trend(
        &self,
        r: Request<pb::GetScoreTrendRequest>,
    ) -> Answer<pb::GetScoreTrendResponse> {
        reports::trend(self, r).await.map_err(Status::from)
    }

    async fn list_alerts(
        &self,
        r: Request<pb::ListAlertsRequest>,
    ) -> Answer<pb::ListAlertsResponse> {
        reports::alerts(self, r).await.map_err(Status::from)
    }

    async fn list_detractors(
        &self,
        r: Request<pb::ListDetractorsRequest>,
    ) -> Answer<pb::ListDetractorsResponse> {
        reports::detractors(self, r).await.map_err(Status::from)
    }

    async fn get_survey_policy(
        &self,
        r: Request<pb::GetSurveyPolicyRequest>,
    ) -> Answer<pb::GetSurveyPolicyResponse> {
        policy::get(self, r).await.map_err(Status::from)
    }

    async fn update_survey_policy(
        &self,
        r: Request<pb::UpdateSurveyPolicyRequest>,
    ) -> Answer<pb::UpdateSurveyPolicyResponse> {
        policy::update(self, r).await.map_err(Status::from)
    }
}
