//! The gRPC face of the profile service: `ProfileApi` implements the generated trait by
//! handing each call to a handler module (convert, call the store and the domain, convert
//! back), and maps errors to statuses in one place.

mod cached;
mod consumption;
pub mod convert;
mod customers;
mod relations;
mod status;
mod summaries;
mod worklog;

use std::sync::Arc;

use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status, Streaming};
use vipcare_cache::Cache;
use vipcare_proto::profile::v1 as pb;
use vipcare_proto::profile::v1::profile_service_server::{ProfileService, ProfileServiceServer};
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::Idempotency;
use vipcare_storage::{Database, page};

use crate::domain::{Channel, Clock, Disclosure, Invalid, Viewer, Violation};

/// The scope that lifts masking.
pub const PII_READ: &str = "pii:read";

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct ProfileApi {
    db: Database,
    /// The request_id flow of every side-effecting call.
    requests: Idempotency,
    cache: Cache,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ProfileApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileApi")
            .field("clock", &self.clock)
            .finish()
    }
}

impl ProfileApi {
    pub fn new(
        db: Database,
        requests: Idempotency,
        cache: Cache,
        clock: Arc<dyn Clock>,
    ) -> ProfileApi {
        ProfileApi {
            db,
            requests,
            cache,
            clock,
        }
    }

    /// The generated server, refusing messages over `max_message_bytes`.
    pub fn into_server(self, max_message_bytes: usize) -> ProfileServiceServer<ProfileApi> {
        ProfileServiceServer::new(self).max_decoding_message_size(max_message_bytes)
    }
}

/// The caller as the gateway identified it, and what it may see.
fn viewer(metadata: &MetadataMap) -> Viewer {
    let caller = Caller::from_metadata(metadata);
    Viewer {
        disclosure: if caller.has_scope(PII_READ) {
            Disclosure::Full
        } else {
            Disclosure::Masked
        },
        channel: Channel::from_code(&caller.channel),
        client: caller.client,
    }
}

/// Page size (0 → 50, clamped to 500) and the cursor inside the page token.
fn paging(page_size: i32, page_token: &str) -> Result<(u64, Option<String>), Violation> {
    let size = crate::domain::page_size(page_size, 50, 500).map_err(|e| e.at("page_size"))?;
    if page_token.is_empty() {
        return Ok((size, None));
    }
    let cursor = page::decode(page_token)
        .ok_or_else(|| Invalid::new("not a token this service issued").at("page_token"))?;
    Ok((size, Some(cursor)))
}

/// What handlers return; the trait impl maps the error to a status in one place.
type Reply<T> = Result<Response<T>, crate::error::Error>;
type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ProfileService for ProfileApi {
    async fn create_customer(
        &self,
        r: Request<pb::CreateCustomerRequest>,
    ) -> Answer<pb::CreateCustomerResponse> {
        customers::create(self, r).await.map_err(Status::from)
    }

    async fn get_customer(
        &self,
        r: Request<pb::GetCustomerRequest>,
    ) -> Answer<pb::GetCustomerResponse> {
        customers::get(self, r).await.map_err(Status::from)
    }

    async fn batch_get_customers(
        &self,
        r: Request<pb::BatchGetCustomersRequest>,
    ) -> Answer<pb::BatchGetCustomersResponse> {
        customers::batch_get(self, r).await.map_err(Status::from)
    }

    async fn update_customer(
        &self,
        r: Request<pb::UpdateCustomerRequest>,
    ) -> Answer<pb::UpdateCustomerResponse> {
        customers::update(self, r).await.map_err(Status::from)
    }

    async fn list_customers(
        &self,
        r: Request<pb::ListCustomersRequest>,
    ) -> Answer<pb::ListCustomersResponse> {
        customers::list(self, r).await.map_err(Status::from)
    }

    async fn erase_customer(
        &self,
        r: Request<pb::EraseCustomerRequest>,
    ) -> Answer<pb::EraseCustomerResponse> {
        customers::erase(self, r).await.map_err(Status::from)
    }

    async fn add_relation(
        &self,
        r: Request<pb::AddRelationRequest>,
    ) -> Answer<pb::AddRelationResponse> {
        relations::add(self, r).await.map_err(Status::from)
    }

    async fn remove_relation(
        &self,
        r: Request<pb::RemoveRelationRequest>,
    ) -> Answer<pb::RemoveRelationResponse> {
        relations::remove(self, r).await.map_err(Status::from)
    }

    async fn list_relations(
        &self,
        r: Request<pb::ListRelationsRequest>,
    ) -> Answer<pb::ListRelationsResponse> {
        relations::list(self, r).await.map_err(Status::from)
    }

    async fn record_consumption(
        &self,
        r: Request<pb::RecordConsumptionRequest>,
    ) -> Answer<pb::RecordConsumptionResponse> {
        consumption::record(self, r).await.map_err(Status::from)
    }

    async fn import_consumption(
        &self,
        r: Request<Streaming<pb::ImportConsumptionRequest>>,
    ) -> Answer<pb::ImportConsumptionResponse> {
        consumption::import(self, r).await
    }

    async fn get_value_summary(
        &self,
        r: Request<pb::GetValueSummaryRequest>,
    ) -> Answer<pb::GetValueSummaryResponse> {
        summaries::get(self, r).await.map_err(Status::from)
    }

    async fn add_service_note(
        &self,
        r: Request<pb::AddServiceNoteRequest>,
    ) -> Answer<pb::AddServiceNoteResponse> {
        worklog::add_note(self, r).await.map_err(Status::from)
    }

    async fn list_service_notes(
        &self,
        r: Request<pb::ListServiceNotesRequest>,
    ) -> Answer<pb::ListServiceNotesResponse> {
        worklog::list_notes(self, r).await.map_err(Status::from)
    }

    type StreamValueSummariesStream = summaries::SummaryStream;

    async fn stream_value_summaries(
        &self,
        r: Request<pb::StreamValueSummariesRequest>,
    ) -> Answer<Self::StreamValueSummariesStream> {
        summaries::stream(self, r).await.map_err(Status::from)
    }

    async fn list_audit_records(
        &self,
        r: Request<pb::ListAuditRecordsRequest>,
    ) -> Answer<pb::ListAuditRecordsResponse> {
        worklog::list_audit(self, r).await.map_err(Status::from)
    }
}
