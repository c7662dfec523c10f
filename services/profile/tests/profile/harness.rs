//! Starting a profile service per backend and talking to it as the gateway would.

use std::net::SocketAddr;
use std::sync::Arc;

use prost::Message;
use tokio::sync::oneshot;
use tonic::{Request, Status};
use vipcare_profile::App;
use vipcare_profile::Settings;
use vipcare_profile::domain::FixedClock;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::reminder::v1 as reminder;
use vipcare_runtime::{Caller, InternalChannel, InternalCredential};
use vipcare_storage::Database;
use vipcare_storage::sea_orm::ConnectionTrait;
use vipcare_testkit::{TestEnv, wait_serving};

pub use vipcare_proto::profile::v1::get_customer_request::Lookup;
pub use vipcare_testkit::status::{assert_invalid, code};

/// The service's "now": 2025-01-15 12:00 in Shanghai, so "today" is 2025-01-15.
pub const NOW: &str = "2025-01-15T04:00:00Z";

/// One running service; stops when dropped.
pub struct Service {
    pub label: &'static str,
    pub addr: SocketAddr,
    /// Signs its calls as the gateway does: the service answers nothing else.
    pub client: ProfileServiceClient<InternalChannel>,
    /// What the client signs with, for tests that build calls by hand.
    pub credential: InternalCredential,
    /// The service's own store, for what no RPC shows (its outbox).
    pub db: Database,
    _stop: oneshot::Sender<()>,
    _env: TestEnv,
}

/// A service per configured backend.
pub async fn services() -> Vec<Service> {
    let mut all = Vec::new();
    for env in TestEnv::all().await {
        all.push(start(env).await);
    }
    all
}

pub async fn start(env: TestEnv) -> Service {
    let settings = env.settings();
    start_with(env, settings).await
}

/// A service on `env`'s backend with settings of the test's own (e.g. a database behind a proxy).
pub async fn start_with(env: TestEnv, settings: Settings) -> Service {
    let clock = Arc::new(FixedClock(NOW.parse().unwrap()));
    let app = App::build_with_clock(&settings, env.cache().await, clock)
        .await
        .unwrap_or_else(|e| panic!("[{}] profile service starts: {e}", env.label));
    let addr = app.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    wait_serving(addr, vipcare_proto::service_names::PROFILE).await;
    let credential = settings
        .internal
        .credential()
        .expect("test settings carry an internal secret");
    let client =
        ProfileServiceClient::new(credential.channel(vipcare_testkit::plain_channel(addr)));
    let db = env.database("profile").await;
    Service {
        label: env.label,
        addr,
        client,
        credential,
        db,
        _stop: stop,
        _env: env,
    }
}

/// The sensitive-query notices waiting in the service's outbox for the reminder service
/// (nothing serves it in these tests, so none is delivered), oldest first.
pub async fn waiting_notices(svc: &Service) -> Vec<reminder::Event> {
    let sql = "SELECT payload FROM outbox WHERE destination = 'reminder' ORDER BY id";
    let rows = svc
        .db
        .conn()
        .query_all_raw(vipcare_storage::statement(svc.db.conn(), sql, []))
        .await
        .expect("the outbox reads");
    rows.iter()
        .map(|row| {
            let payload: Vec<u8> = row.try_get("", "payload").expect("a payload");
            reminder::IngestEventRequest::decode(payload.as_slice())
                .expect("an IngestEventRequest")
                .event
                .expect("an event")
        })
        .collect()
}

/// A hall clerk allowed to see personal data.
pub fn clerk() -> Caller {
    Caller::new("hall-7", "hall", &["customer:read", "pii:read"])
}

/// A web client without `pii:read`.
pub fn web() -> Caller {
    Caller::new("web-portal", "web", &["customer:read"])
}

/// `message` sent as `caller`.
pub fn as_caller<T>(caller: &Caller, message: T) -> Request<T> {
    let mut request = Request::new(message);
    caller.write_to(request.metadata_mut());
    request
}

/// A complete, valid customer.
pub fn customer(msisdn: &str, name: &str) -> pb::Customer {
    pb::Customer {
        msisdn: msisdn.into(),
        name: name.into(),
        gender: pb::Gender::Male as i32,
        birth_date: Some(common::Date {
            year: 1980,
            month: 6,
            day: 15,
        }),
        region_code: "440100".into(),
        preferred_language: "yue".into(),
        occupation: "engineer".into(),
        interests: vec!["car club".into()],
        contact_preferences: Some(pb::ContactPreferences {
            preferred_channels: vec![
                common::ContactChannel::AppPush as i32,
                common::ContactChannel::Sms as i32,
            ],
            quiet_hours: None,
            opted_out_touchpoints: vec![common::Touchpoint::LowBalance as i32],
        }),
        account_manager_id: "am-1".into(),
        group: Some(pb::GroupMembership {
            group_id: "g-1".into(),
            name: "Acme".into(),
            key_person: true,
        }),
        plan_code: "P188".into(),
        network_joined_on: Some(common::Date {
            year: 2020,
            month: 3,
            day: 15,
        }),
        id_document: Some(pb::IdDocument {
            r#type: pb::IdDocumentType::ResidentIdCard as i32,
            number: "11010519800615019X".into(),
        }),
        ..Default::default()
    }
}

/// Creates `customer` as the clerk and returns it unmasked.
pub async fn create(svc: &mut Service, customer: pb::Customer) -> pb::Customer {
    let request = pb::CreateCustomerRequest {
        customer: Some(customer),
        request_id: String::new(),
    };
    svc.client
        .create_customer(as_caller(&clerk(), request))
        .await
        .unwrap_or_else(|s| panic!("[{}] create: {s:?}", svc.label))
        .into_inner()
        .customer
        .unwrap()
}

/// `n` customers with distinct numbers 1390000xxxx.
pub async fn create_many(svc: &mut Service, n: usize) -> Vec<pb::Customer> {
    let mut all = Vec::new();
    for i in 0..n {
        all.push(create(svc, customer(&format!("1390000{i:04}"), "王小明")).await);
    }
    all
}

pub async fn get(svc: &mut Service, caller: &Caller, id: &str) -> Result<pb::Customer, Status> {
    let request = pb::GetCustomerRequest {
        lookup: Some(Lookup::CustomerId(id.into())),
    };
    let response = svc.client.get_customer(as_caller(caller, request)).await?;
    Ok(response.into_inner().customer.unwrap())
}

pub async fn audit_records(svc: &mut Service, id: &str) -> Vec<pb::AuditRecord> {
    let request = pb::ListAuditRecordsRequest {
        customer_id: id.into(),
        page_size: 500,
        page_token: String::new(),
    };
    svc.client
        .list_audit_records(as_caller(&clerk(), request))
        .await
        .unwrap()
        .into_inner()
        .records
}
