//! Loading a demo set through the profile service's own gRPC API, the way a CRM migration or a
//! billing feed would: customers created 16 at a time, every bill in one client-streaming
//! ImportConsumption, then relations and work-log entries. The loader talks either to the
//! profile service directly (`vipcare up --demo`, with the admin's caller metadata signed with
//! the suite's internal credential) or through the gateway with an API key (the benchmark):
//! only the credentials differ.

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use tonic::metadata::{AsciiMetadataValue, MetadataMap};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Status};
use vipcare_proto::common::v1::Channel as ChannelKind;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::profile::v1::{
    AddRelationRequest, AddServiceNoteRequest, CreateCustomerRequest, Customer,
    ImportConsumptionRequest, ListCustomersRequest,
};
use vipcare_runtime::{Caller, InternalCredential};

use super::data::DemoSet;

/// Calls in flight while loading: enough to keep a PostgreSQL pool busy, few enough not to
/// trip the gateway's rate limit of a default client.
const IN_FLIGHT: usize = 16;
/// The import streams every bill in one call; it may outlast the server's default deadline.
const IMPORT_DEADLINE: Duration = Duration::from_secs(600);

/// Who the loader calls as.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Straight to a service, with the caller headers the gateway would set, signed as the
    /// gateway signs them.
    Internal {
        caller: MetadataMap,
        credential: InternalCredential,
    },
    /// Through the gateway, with `authorization: Bearer <key>`.
    Bearer(AsciiMetadataValue),
}

impl Credentials {
    pub fn internal(caller: &Caller, credential: &InternalCredential) -> Credentials {
        let mut headers = MetadataMap::new();
        caller.write_to(&mut headers);
        Credentials::Internal {
            caller: headers,
            credential: credential.clone(),
        }
    }

    /// Panics on a key that is not a valid header value (keys are hex).
    pub fn bearer(key: &str) -> Credentials {
        let value = format!("Bearer {key}")
            .parse()
            .expect("an API key is a valid header value");
        Credentials::Bearer(value)
    }
}

impl Interceptor for Credentials {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let metadata = request.metadata_mut();
        match self {
            Credentials::Internal { caller, credential } => {
                for entry in caller.iter() {
                    if let tonic::metadata::KeyAndValueRef::Ascii(name, value) = entry {
                        metadata.insert(name.clone(), value.clone());
                    }
                }
                // Signed per call, over the caller headers just set.
                credential.stamp(metadata.as_mut());
            }
            Credentials::Bearer(value) => {
                metadata.insert("authorization", value.clone());
            }
        }
        Ok(request)
    }
}

pub type ProfileClient = ProfileServiceClient<InterceptedService<Channel, Credentials>>;

pub fn profile_client(channel: Channel, credentials: Credentials) -> ProfileClient {
    ProfileServiceClient::with_interceptor(channel, credentials)
}

/// What a load wrote.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Server-assigned ids, in the order of `DemoSet::people`.
    pub customer_ids: Vec<String>,
    pub bills_accepted: i64,
    pub bills_rejected: i64,
    pub relations: usize,
    pub notes: usize,
    pub elapsed: Duration,
}

/// The result of [`load_unless_present`].
#[derive(Debug, Clone)]
pub enum Outcome {
    Loaded(Loaded),
    /// The store already had customers; nothing was written. One of them, for examples.
    AlreadyPresent(Box<Customer>),
}

#[derive(Debug, thiserror::Error)]
#[error("demo load failed at {step}: {}: {}", .status.code(), .status.message())]
pub struct LoadError {
    pub step: &'static str,
    pub status: Status,
}

fn at(step: &'static str) -> impl Fn(Status) -> LoadError {
    move |status| LoadError { step, status }
}

/// Loads `set` unless the store already has customers, so a second `up --demo` on the same
/// data directory does not duplicate anything.
pub async fn load_unless_present(
    client: &ProfileClient,
    set: &DemoSet,
) -> Result<Outcome, LoadError> {
    match any_customer(client).await? {
        Some(customer) => Ok(Outcome::AlreadyPresent(Box::new(customer))),
        None => load(client, set).await.map(Outcome::Loaded),
    }
}

/// One customer of the store, if it has any.
pub async fn any_customer(client: &ProfileClient) -> Result<Option<Customer>, LoadError> {
    let request = ListCustomersRequest {
        page_size: 1,
        ..ListCustomersRequest::default()
    };
    let page = client
        .clone()
        .list_customers(request)
        .await
        .map_err(at("ListCustomers"))?;
    Ok(page.into_inner().customers.into_iter().next())
}

/// Writes the whole set.
pub async fn load(client: &ProfileClient, set: &DemoSet) -> Result<Loaded, LoadError> {
    let started = Instant::now();
    let customer_ids = create_customers(client, set).await?;
    tracing::info!(customers = customer_ids.len(), elapsed = ?started.elapsed(), "demo customers created");
    let (bills_accepted, bills_rejected) = import_bills(client, set, &customer_ids).await?;
    tracing::info!(bills_accepted, bills_rejected, elapsed = ?started.elapsed(), "demo consumption imported");
    let relations = add_relations(client, set, &customer_ids).await?;
    let notes = add_notes(client, set, &customer_ids).await?;
    tracing::info!(relations, notes, elapsed = ?started.elapsed(), "demo data loaded");
    Ok(Loaded {
        customer_ids,
        bills_accepted,
        bills_rejected,
        relations,
        notes,
        elapsed: started.elapsed(),
    })
}

async fn create_customers(client: &ProfileClient, set: &DemoSet) -> Result<Vec<String>, LoadError> {
    futures::stream::iter(&set.people)
        .map(|person| {
            let mut client = client.clone();
            let request = CreateCustomerRequest {
                customer: Some(person.customer.clone()),
                request_id: String::new(),
            };
            async move {
                let created = client.create_customer(request).await?.into_inner();
                Ok(created.customer.map(|c| c.customer_id).unwrap_or_default())
            }
        })
        // Ordered, so ids line up with the people they belong to.
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
        .map_err(at("CreateCustomer"))
}

async fn import_bills(
    client: &ProfileClient,
    set: &DemoSet,
    ids: &[String],
) -> Result<(i64, i64), LoadError> {
    let rows: Vec<ImportConsumptionRequest> = set
        .activity
        .bills
        .iter()
        .map(|bill| ImportConsumptionRequest {
            customer_id: ids[bill.person].clone(),
            period: bill.period.clone(),
            spend_fen: bill.spend_fen,
            data_mb: bill.data_mb,
            voice_minutes: bill.voice_minutes,
            roaming_fen: bill.roaming_fen,
            vas_fen: bill.vas_fen,
        })
        .collect();
    let mut request = Request::new(futures::stream::iter(rows));
    request.set_timeout(IMPORT_DEADLINE);
    let answer = client
        .clone()
        .import_consumption(request)
        .await
        .map_err(at("ImportConsumption"))?
        .into_inner();
    if let Some(first) = answer.rejections.first() {
        tracing::warn!(rejected = answer.rejected, field = %first.field, reason = %first.reason, "demo bills rejected");
    }
    Ok((answer.accepted, answer.rejected))
}

async fn add_relations(
    client: &ProfileClient,
    set: &DemoSet,
    ids: &[String],
) -> Result<usize, LoadError> {
    let requests = set.activity.links.iter().map(|link| AddRelationRequest {
        customer_id: ids[link.from].clone(),
        related_customer_id: ids[link.to].clone(),
        kind: link.kind as i32,
    });
    futures::stream::iter(requests)
        .map(|request| {
            let mut client = client.clone();
            async move { client.add_relation(request).await.map(|_| 1) }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_fold(0, |n, one| async move { Ok(n + one) })
        .await
        .map_err(at("AddRelation"))
}

async fn add_notes(
    client: &ProfileClient,
    set: &DemoSet,
    ids: &[String],
) -> Result<usize, LoadError> {
    // One customer's entries in order, so the log reads need -> progress; customers in parallel.
    let mut by_person: Vec<Vec<AddServiceNoteRequest>> = vec![Vec::new(); ids.len()];
    for note in &set.activity.notes {
        by_person[note.person].push(AddServiceNoteRequest {
            customer_id: ids[note.person].clone(),
            kind: note.kind as i32,
            text: note.text.clone(),
            author: note.author.clone(),
            channel: ChannelKind::AccountManager as i32,
            request_id: String::new(),
        });
    }
    futures::stream::iter(by_person.into_iter().filter(|notes| !notes.is_empty()))
        .map(|notes| {
            let mut client = client.clone();
            async move {
                let count = notes.len();
                for request in notes {
                    client.add_service_note(request).await?;
                }
                Ok::<_, Status>(count)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_fold(0, |n, count| async move { Ok(n + count) })
        .await
        .map_err(at("AddServiceNote"))
}
