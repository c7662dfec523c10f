//! The gRPC face of the reminder service: `ReminderApi` implements the generated trait by
//! handing each call to a handler module (convert the request, call the store, the domain and
//! the dispatcher, convert back), and maps errors to statuses in one place (`status`). Events
//! are the ingest's (`events`).

pub(crate) mod convert;
mod delivery;
pub mod events;
mod reminders;
mod request;
mod rules;
mod status;
mod templates;
mod tier_change;

use std::sync::Arc;

use tonic::{Request, Response, Status, Streaming};
use vipcare_domain::Clock;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::reminder_service_server::{
    ReminderService, ReminderServiceServer,
};
use vipcare_storage::Database;
use vipcare_storage::idempotency::Idempotency;

use crate::benefits::TierBenefits;
use crate::catalogue::Catalogue;
use crate::dispatch::Dispatcher;
use crate::ingest::Ingest;
use crate::scheduling::Gathered;
use crate::stale::StaleViews;
use crate::upstream::CustomerDirectory;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct ReminderApi {
    db: Database,
    /// The request_id flow of every side-effecting call.
    requests: Idempotency,
    clock: Arc<dyn Clock>,
    /// Whether a customer exists, and their channels: the profile's, through its contract.
    directory: Arc<dyn CustomerDirectory>,
    /// What a tier brings, for tier-change notices.
    benefits: Arc<TierBenefits>,
    /// Delivery receipts go to the dispatcher, which decides what they mean.
    dispatcher: Arc<Dispatcher>,
    ingest: Ingest,
    /// Bumps the views of customers whose reminders a call scheduled or cancelled.
    stale: StaleViews,
    /// The rules and templates calls schedule by, read once a second at most.
    catalogue: Arc<Catalogue>,
    /// Where schedules without a request_id are stored, together with the calls made meanwhile.
    gathered: Arc<Gathered>,
}

impl std::fmt::Debug for ReminderApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReminderApi")
            .field("clock", &self.clock)
            .finish()
    }
}

impl ReminderApi {
    pub fn new(
        db: Database,
        requests: Idempotency,
        clock: Arc<dyn Clock>,
        directory: Arc<dyn CustomerDirectory>,
        benefits: Arc<TierBenefits>,
        dispatcher: Arc<Dispatcher>,
        ingest: Ingest,
    ) -> ReminderApi {
        ReminderApi {
            catalogue: Arc::new(Catalogue::new(db.clone())),
            gathered: Arc::new(Gathered::new(db.clone(), StaleViews::unbumped())),
            db,
            requests,
            clock,
            directory,
            benefits,
            dispatcher,
            ingest,
            stale: StaleViews::unbumped(),
        }
    }

    /// Where the views its writes make stale are bumped (by default nowhere: the records wait
    /// for a replay).
    pub fn with_stale_views(mut self, stale: StaleViews) -> ReminderApi {
        self.gathered = Arc::new(Gathered::new(self.db.clone(), stale.clone()));
        self.stale = stale;
        self
    }

    /// The generated server, refusing messages over `max_message_bytes`.
    pub fn into_server(self, max_message_bytes: usize) -> ReminderServiceServer<ReminderApi> {
        ReminderServiceServer::new(self).max_decoding_message_size(max_message_bytes)
    }
}

/// What handlers return; the trait impl maps the error to a status in one place.
type Reply<T> = Result<Response<T>, crate::error::Error>;
type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ReminderService for ReminderApi {
    async fn get_touchpoint_rule(
        &self,
        r: Request<pb::GetTouchpointRuleRequest>,
    ) -> Answer<pb::GetTouchpointRuleResponse> {
        rules::get(self, r).await.map_err(Status::from)
    }

    async fn list_touchpoint_rules(
        &self,
        r: Request<pb::ListTouchpointRulesRequest>,
    ) -> Answer<pb::ListTouchpointRulesResponse> {
        rules::list(self, r).await.map_err(Status::from)
    }

    async fn update_touchpoint_rule(
        &self,
        r: Request<pb::UpdateTouchpointRuleRequest>,
    ) -> Answer<pb::UpdateTouchpointRuleResponse> {
        rules::update(self, r).await.map_err(Status::from)
    }

    async fn upsert_template(
        &self,
        r: Request<pb::UpsertTemplateRequest>,
    ) -> Answer<pb::UpsertTemplateResponse> {
        templates::upsert(self, r).await.map_err(Status::from)
    }

    async fn get_template(
        &self,
        r: Request<pb::GetTemplateRequest>,
    ) -> Answer<pb::GetTemplateResponse> {
        templates::get(self, r).await.map_err(Status::from)
    }

    async fn list_templates(
        &self,
        r: Request<pb::ListTemplatesRequest>,
    ) -> Answer<pb::ListTemplatesResponse> {
        templates::list(self, r).await.map_err(Status::from)
    }

    async fn preview_template(
        &self,
        r: Request<pb::PreviewTemplateRequest>,
    ) -> Answer<pb::PreviewTemplateResponse> {
        templates::preview(self, r).await.map_err(Status::from)
    }

    async fn schedule_reminder(
        &self,
        r: Request<pb::ScheduleReminderRequest>,
    ) -> Answer<pb::ScheduleReminderResponse> {
        reminders::schedule(self, r).await.map_err(Status::from)
    }

    async fn cancel_reminder(
        &self,
        r: Request<pb::CancelReminderRequest>,
    ) -> Answer<pb::CancelReminderResponse> {
        reminders::cancel(self, r).await.map_err(Status::from)
    }

    async fn get_reminder(
        &self,
        r: Request<pb::GetReminderRequest>,
    ) -> Answer<pb::GetReminderResponse> {
        reminders::get(self, r).await.map_err(Status::from)
    }

    async fn list_reminders(
        &self,
        r: Request<pb::ListRemindersRequest>,
    ) -> Answer<pb::ListRemindersResponse> {
        reminders::list(self, r).await.map_err(Status::from)
    }

    async fn report_delivery(
        &self,
        r: Request<pb::ReportDeliveryRequest>,
    ) -> Answer<pb::ReportDeliveryResponse> {
        delivery::report(self, r).await.map_err(Status::from)
    }

    async fn ingest_event(
        &self,
        r: Request<pb::IngestEventRequest>,
    ) -> Answer<pb::IngestEventResponse> {
        events::ingest_event(&self.ingest, r.into_inner())
            .await
            .map(Response::new)
    }

    async fn ingest_events(
        &self,
        r: Request<Streaming<pb::IngestEventsRequest>>,
    ) -> Answer<pb::IngestEventsResponse> {
        events::ingest_events(&self.ingest, r.into_inner())
            .await
            .map(Response::new)
    }

    async fn get_delivery_stats(
        &self,
        r: Request<pb::GetDeliveryStatsRequest>,
    ) -> Answer<pb::GetDeliveryStatsResponse> {
        delivery::stats(self, r).await.map_err(Status::from)
    }

    async fn notify_tier_change(
        &self,
        r: Request<pb::NotifyTierChangeRequest>,
    ) -> Answer<pb::NotifyTierChangeResponse> {
        tier_change::notify(self, r).await.map_err(Status::from)
    }
}
