//! The policy table: every method the gateway lets through, with the scope it requires. A method
//! that is not listed is denied, so a new RPC stays closed until someone decides who may call it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::{Either, Ready, ready};
use tonic::Code;
use tonic::body::Body;
use tower::{Layer, Service};
use vipcare_runtime::status;

use super::{Client, Reply, reject};
use crate::route;
use crate::scopes::{
    AUDIT_READ, BATCH_READ, BENEFIT_VERIFY, CALLER_LOOKUP, CHURN_READ, COMPLAINT_ADMIN,
    COMPLAINT_READ, COMPLAINT_WRITE, CONSUMPTION_WRITE, CUSTOMER_ERASE, CUSTOMER_READ,
    CUSTOMER_WRITE, EVENT_INGEST, NOTE_WRITE, REMINDER_ADMIN, REMINDER_READ, REMINDER_WRITE,
    SURVEY_ADMIN, SURVEY_READ, SURVEY_RESPOND, SURVEY_WRITE, TIER_ADMIN, TIER_READ,
};

/// Full method path and the scope it requires. Later services add their methods here.
#[rustfmt::skip]
pub const POLICY: &[(&str, &str)] = &[
    ("/vipcare.profile.v1.ProfileService/CreateCustomer",       CUSTOMER_WRITE),
    ("/vipcare.profile.v1.ProfileService/GetCustomer",          CUSTOMER_READ),
    ("/vipcare.profile.v1.ProfileService/UpdateCustomer",       CUSTOMER_WRITE),
    ("/vipcare.profile.v1.ProfileService/ListCustomers",        CUSTOMER_READ),
    ("/vipcare.profile.v1.ProfileService/EraseCustomer",        CUSTOMER_ERASE),
    ("/vipcare.profile.v1.ProfileService/AddRelation",          CUSTOMER_WRITE),
    ("/vipcare.profile.v1.ProfileService/RemoveRelation",       CUSTOMER_WRITE),
    ("/vipcare.profile.v1.ProfileService/ListRelations",        CUSTOMER_READ),
    ("/vipcare.profile.v1.ProfileService/RecordConsumption",    CONSUMPTION_WRITE),
    ("/vipcare.profile.v1.ProfileService/ImportConsumption",    CONSUMPTION_WRITE),
    ("/vipcare.profile.v1.ProfileService/GetValueSummary",      CUSTOMER_READ),
    ("/vipcare.profile.v1.ProfileService/AddServiceNote",       NOTE_WRITE),
    ("/vipcare.profile.v1.ProfileService/ListServiceNotes",     CUSTOMER_READ),
    ("/vipcare.profile.v1.ProfileService/StreamValueSummaries", BATCH_READ),
    ("/vipcare.profile.v1.ProfileService/ListAuditRecords",     AUDIT_READ),
    ("/vipcare.tiering.v1.TieringService/GetTierPolicy",        TIER_READ),
    ("/vipcare.tiering.v1.TieringService/UpdateTierPolicy",     TIER_ADMIN),
    ("/vipcare.tiering.v1.TieringService/EvaluateCustomer",     TIER_ADMIN),
    ("/vipcare.tiering.v1.TieringService/RunEvaluation",        TIER_ADMIN),
    ("/vipcare.tiering.v1.TieringService/GetEvaluationRun",     TIER_READ),
    ("/vipcare.tiering.v1.TieringService/ListRunDecisions",     TIER_READ),
    ("/vipcare.tiering.v1.TieringService/GetCustomerTier",      TIER_READ),
    ("/vipcare.tiering.v1.TieringService/ListTierHistory",      TIER_READ),
    ("/vipcare.tiering.v1.TieringService/OverrideTier",         TIER_ADMIN),
    ("/vipcare.tiering.v1.TieringService/ListBenefits",         TIER_READ),
    ("/vipcare.tiering.v1.TieringService/UpsertBenefit",        TIER_ADMIN),
    // Partners verify and redeem at their counter by the customer's number, and nothing else.
    ("/vipcare.tiering.v1.TieringService/CheckEntitlement",     BENEFIT_VERIFY),
    ("/vipcare.tiering.v1.TieringService/RedeemBenefit",        BENEFIT_VERIFY),
    ("/vipcare.tiering.v1.TieringService/ListRedemptions",      TIER_READ),
    // The hotline switch routes by it, with the same scope as LookupCaller.
    ("/vipcare.tiering.v1.TieringService/GetRoutingPriority",   CALLER_LOOKUP),
    ("/vipcare.tiering.v1.TieringService/GetChurnRisk",         CHURN_READ),
    ("/vipcare.tiering.v1.TieringService/ListAtRisk",           CHURN_READ),
    ("/vipcare.reminder.v1.ReminderService/GetTouchpointRule",    REMINDER_READ),
    ("/vipcare.reminder.v1.ReminderService/ListTouchpointRules",  REMINDER_READ),
    ("/vipcare.reminder.v1.ReminderService/UpdateTouchpointRule", REMINDER_ADMIN),
    ("/vipcare.reminder.v1.ReminderService/UpsertTemplate",       REMINDER_ADMIN),
    ("/vipcare.reminder.v1.ReminderService/GetTemplate",          REMINDER_READ),
    ("/vipcare.reminder.v1.ReminderService/ListTemplates",        REMINDER_READ),
    ("/vipcare.reminder.v1.ReminderService/PreviewTemplate",      REMINDER_READ),
    ("/vipcare.reminder.v1.ReminderService/ScheduleReminder",     REMINDER_WRITE),
    ("/vipcare.reminder.v1.ReminderService/CancelReminder",       REMINDER_WRITE),
    ("/vipcare.reminder.v1.ReminderService/GetReminder",          REMINDER_READ),
    ("/vipcare.reminder.v1.ReminderService/ListReminders",        REMINDER_READ),
    // Channel providers' delivery receipts.
    ("/vipcare.reminder.v1.ReminderService/ReportDelivery",       REMINDER_WRITE),
    ("/vipcare.reminder.v1.ReminderService/IngestEvent",          EVENT_INGEST),
    // Billing feeds: a stream of events, as many per message as the sender batches.
    ("/vipcare.reminder.v1.ReminderService/IngestEvents",         EVENT_INGEST),
    ("/vipcare.reminder.v1.ReminderService/GetDeliveryStats",     REMINDER_READ),
    ("/vipcare.complaint.v1.ComplaintService/OpenComplaint",      COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/AcknowledgeComplaint", COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/StartWork",          COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/WaitForCustomer",    COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/ResumeWork",         COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/AddAction",          COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/TransferComplaint",  COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/ResolveComplaint",   COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/ConfirmResolution",  COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/CloseComplaint",     COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/ReopenComplaint",    COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/GetComplaint",       COMPLAINT_READ),
    ("/vipcare.complaint.v1.ComplaintService/GetComplaintTimeline", COMPLAINT_READ),
    ("/vipcare.complaint.v1.ComplaintService/ListComplaints",     COMPLAINT_READ),
    ("/vipcare.complaint.v1.ComplaintService/PromiseToCustomer",  COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/FulfilPromise",      COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/ScheduleFollowUp",   COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/EscalateComplaint",  COMPLAINT_WRITE),
    ("/vipcare.complaint.v1.ComplaintService/ProposeCompensation", COMPLAINT_WRITE),
    // Four eyes: a supervisor approves what the counter proposed over its tier limit.
    ("/vipcare.complaint.v1.ComplaintService/ApproveCompensation", COMPLAINT_ADMIN),
    ("/vipcare.complaint.v1.ComplaintService/RejectCompensation", COMPLAINT_ADMIN),
    ("/vipcare.complaint.v1.ComplaintService/GetSlaPolicy",       COMPLAINT_READ),
    ("/vipcare.complaint.v1.ComplaintService/UpdateSlaPolicy",    COMPLAINT_ADMIN),
    ("/vipcare.complaint.v1.ComplaintService/GetSlaReport",       COMPLAINT_READ),
    // Hall dashboards: a server stream of changes.
    ("/vipcare.complaint.v1.ComplaintService/WatchComplaints",    COMPLAINT_READ),
    ("/vipcare.survey.v1.SurveyService/GetScenario",            SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/ListScenarios",          SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/UpsertScenario",         SURVEY_ADMIN),
    ("/vipcare.survey.v1.SurveyService/InviteToSurvey",         SURVEY_WRITE),
    // The customer's own two calls, by one-time token: also open without a key as the built-in
    // `survey-link` client (edge::survey_link). A counter answering for the customer needs
    // `survey:write` besides, which the survey service checks for the form without a token.
    ("/vipcare.survey.v1.SurveyService/GetInvitation",          SURVEY_RESPOND),
    ("/vipcare.survey.v1.SurveyService/SubmitResponse",         SURVEY_RESPOND),
    ("/vipcare.survey.v1.SurveyService/GetResponse",            SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/ListResponses",          SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/GetSatisfaction",        SURVEY_READ),
    // In bulk for the tiering run, not for screens.
    ("/vipcare.survey.v1.SurveyService/BatchGetSatisfaction",   SURVEY_ADMIN),
    ("/vipcare.survey.v1.SurveyService/GetMomentReport",        SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/GetScoreTrend",          SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/ListAlerts",             SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/ListDetractors",         SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/GetSurveyPolicy",        SURVEY_READ),
    ("/vipcare.survey.v1.SurveyService/UpdateSurveyPolicy",     SURVEY_ADMIN),
    ("/vipcare.gateway.v1.ChannelService/GetCustomerView",      CUSTOMER_READ),
    ("/vipcare.gateway.v1.ChannelService/LookupCaller",         CALLER_LOOKUP),
];

/// Methods only services call, each other, over the internal credential: no entry in the
/// table, so no client may call them through the gateway.
/// The batch reads answer in bulk for dispatchers, not for screens.
pub const SERVICE_ONLY: &[&str] = &[
    "/vipcare.reminder.v1.ReminderService/NotifyTierChange",
    "/vipcare.profile.v1.ProfileService/BatchGetCustomers",
    "/vipcare.tiering.v1.TieringService/BatchGetCustomerTiers",
];

/// What the table says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The method is listed and needs a scope the client lacks.
    MissingScope(&'static str),
    /// A vipcare service the gateway knows, but a method nobody has allowed yet.
    NotListed,
    /// Not a vipcare service the gateway routes.
    UnknownService,
}

/// The table as a lookup by full path, built once at start.
#[derive(Debug)]
pub struct Policy {
    required: HashMap<&'static str, &'static str>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(POLICY)
    }
}

impl Policy {
    pub fn new(table: &[(&'static str, &'static str)]) -> Policy {
        Policy {
            required: table.iter().copied().collect(),
        }
    }

    pub fn decide(&self, path: &str, client: &Client) -> Decision {
        match self.required.get(path) {
            Some(scope) if client.caller.has_scope(scope) => Decision::Allow,
            Some(scope) => Decision::MissingScope(scope),
            None if route::destination(path).is_some() => Decision::NotListed,
            None => Decision::UnknownService,
        }
    }
}

/// Checks the authenticated client against the policy table.
#[derive(Debug, Clone)]
pub struct AuthorizeLayer {
    policy: Arc<Policy>,
}

impl AuthorizeLayer {
    pub fn new(policy: Arc<Policy>) -> Self {
        AuthorizeLayer { policy }
    }
}

impl<S> Layer<S> for AuthorizeLayer {
    type Service = Authorize<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Authorize {
            inner,
            policy: self.policy.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Authorize<S> {
    inner: S,
    policy: Arc<Policy>,
}

impl<S> Service<http::Request<Body>> for Authorize<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Either<Ready<Reply>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Reply<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let Some(client) = req.extensions().get::<Arc<Client>>() else {
            return Either::Left(ready(Ok(reject(status::with_reason(
                Code::Unauthenticated,
                "API_KEY_MISSING",
                "missing API key",
            )))));
        };
        let denial = match self.policy.decide(req.uri().path(), client) {
            Decision::Allow => return Either::Right(self.inner.call(req)),
            Decision::MissingScope(scope) => status::with_reason(
                Code::PermissionDenied,
                "SCOPE_MISSING",
                format!("client {} lacks the scope {scope}", client.caller.client),
            ),
            Decision::NotListed => status::with_reason(
                Code::PermissionDenied,
                "METHOD_NOT_OPEN",
                "this method is not open through the gateway",
            ),
            Decision::UnknownService => {
                status::with_reason(Code::Unimplemented, "NO_SUCH_SERVICE", "no such service")
            }
        };
        Either::Left(ready(Ok(reject(denial))))
    }
}

#[cfg(test)]
mod tests;
