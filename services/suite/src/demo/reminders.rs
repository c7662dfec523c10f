//! Sending the demo's day of reminders ([`day`](super::day)) through the reminder service's own
//! API: the billing events in one IngestEvents stream, the channel systems' reminders one
//! ScheduleReminder each. The customers come from the profile's masked listing (a listing with
//! `pii:read` would be audited, and each audit tells the customer their data was looked at).
//! Event ids and dedupe keys name the day, so running it again that day creates nothing twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use tonic::Request;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::profile::v1::{
    CustomerStatus, GetCustomerRequest, ListCustomersRequest, get_customer_request,
};
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::reminder::v1::{IngestEventsRequest, IngestEventsResponse};
use vipcare_runtime::{Caller, InternalCredential};

use super::day::{self, DemoCustomer};
use super::keys::DemoKey;
use super::load::{Credentials, LoadError, ProfileClient, profile_client};

pub type ReminderClient = ReminderServiceClient<InterceptedService<Channel, Credentials>>;

/// Calls in flight while scheduling, as while loading.
const IN_FLIGHT: usize = 16;
/// Events per IngestEvents message: the most one may carry.
const EVENTS_PER_MESSAGE: usize = 1_000;
/// Customers per listing page: the most a page may hold.
const PAGE: i32 = 500;
/// The stream carries every event of the day; it may outlast the default deadline.
const INGEST_DEADLINE: Duration = Duration::from_secs(300);

/// What sending one day did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayScheduled {
    /// Active customers the day was planned for.
    pub customers: usize,
    /// Events the reminder service kept, and how many of them it had seen before.
    pub events: i64,
    pub duplicate_events: i64,
    /// Events refused (a bug in the plan; the first reason is logged).
    pub rejected_events: i64,
    /// Reminders the events created.
    pub from_events: i64,
    /// Reminders scheduled directly, and those whose dedupe key was already taken.
    pub scheduled: usize,
    pub deduplicated: usize,
}

/// The profile and reminder clients the day is sent with, as `admin` but without `pii:read`.
pub fn clients(
    profile: Channel,
    reminder: Channel,
    admin: &DemoKey,
    credential: &InternalCredential,
) -> (ProfileClient, ReminderClient) {
    let scopes: Vec<&str> = admin
        .scopes
        .iter()
        .copied()
        .filter(|s| *s != "pii:read")
        .collect();
    let caller = Caller::new(&admin.client, admin.channel, &scopes);
    let credentials = Credentials::internal(&caller, credential);
    let reminders = ReminderServiceClient::with_interceptor(reminder, credentials.clone());
    (profile_client(profile, credentials), reminders)
}

/// Plans the day at `now` for every active customer (`featured`, a mobile number, gets all of
/// it) and sends it.
pub async fn send_day(
    profile: &ProfileClient,
    reminders: &ReminderClient,
    featured: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DayScheduled, LoadError> {
    let customers = active_customers(profile).await?;
    let featured = match featured {
        Some(msisdn) => Some(customer_id_of(profile, msisdn).await?),
        None => None,
    };
    let day = day::plan(&customers, featured.as_deref(), now);
    let mut done = DayScheduled {
        customers: customers.len(),
        ..DayScheduled::default()
    };
    if !day.events.is_empty() {
        let ingested = ingest(reminders, day.events).await?;
        if let Some(first) = ingested.rejections.first() {
            tracing::warn!(rejected = ingested.rejected, event_id = %first.event_id, field = %first.field, reason = %first.reason, "demo events rejected");
        }
        done.events = ingested.accepted;
        done.duplicate_events = ingested.duplicates;
        done.rejected_events = ingested.rejected;
        done.from_events = ingested.reminders_created;
    }
    let deduplicated: Vec<bool> = futures::stream::iter(day.schedules)
        .map(|request| {
            let mut client = reminders.clone();
            async move {
                let answer = client.schedule_reminder(request).await?.into_inner();
                Ok(answer.deduplicated)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await
        .map_err(at("ScheduleReminder"))?;
    done.scheduled = deduplicated.iter().filter(|d| !**d).count();
    done.deduplicated = deduplicated.len() - done.scheduled;
    Ok(done)
}

async fn ingest(
    reminders: &ReminderClient,
    events: Vec<vipcare_proto::reminder::v1::Event>,
) -> Result<IngestEventsResponse, LoadError> {
    let messages: Vec<IngestEventsRequest> = events
        .chunks(EVENTS_PER_MESSAGE)
        .map(|chunk| IngestEventsRequest {
            events: chunk.to_vec(),
        })
        .collect();
    let mut request = Request::new(futures::stream::iter(messages));
    request.set_timeout(INGEST_DEADLINE);
    let answer = reminders
        .clone()
        .ingest_events(request)
        .await
        .map_err(at("IngestEvents"))?;
    Ok(answer.into_inner())
}

/// Every active customer, masked, in the listing's order.
pub(super) async fn active_customers(
    profile: &ProfileClient,
) -> Result<Vec<DemoCustomer>, LoadError> {
    let mut customers = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = ListCustomersRequest {
            page_size: PAGE,
            page_token,
            status: CustomerStatus::Active as i32,
            ..ListCustomersRequest::default()
        };
        let page = profile
            .clone()
            .list_customers(request)
            .await
            .map_err(at("ListCustomers"))?
            .into_inner();
        customers.extend(page.customers.into_iter().map(|c| DemoCustomer {
            customer_id: c.customer_id,
            name: c.name,
            account_manager_id: c.account_manager_id,
        }));
        if page.next_page_token.is_empty() {
            return Ok(customers);
        }
        page_token = page.next_page_token;
    }
}

pub(super) async fn customer_id_of(
    profile: &ProfileClient,
    msisdn: &str,
) -> Result<String, LoadError> {
    let request = GetCustomerRequest {
        lookup: Some(get_customer_request::Lookup::Msisdn(msisdn.to_owned())),
    };
    let found = profile
        .clone()
        .get_customer(request)
        .await
        .map_err(at("GetCustomer"))?;
    Ok(found
        .into_inner()
        .customer
        .map(|c| c.customer_id)
        .unwrap_or_default())
}

pub(super) fn at(step: &'static str) -> impl Fn(tonic::Status) -> LoadError {
    move |status| LoadError { step, status }
}
