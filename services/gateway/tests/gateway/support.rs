//! The profile, tiering, reminder, complaint and survey services and a gateway in front of them,
//! started for one test environment, and generated clients that present an API key.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use futures::future::BoxFuture;
use prost_types::FieldMask;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};
use vipcare_cache::Cache;
use vipcare_gateway::App;
use vipcare_gateway::edge::{ManualClock, MonotonicClock, RateClock};
use vipcare_proto::common::v1::Date;
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::{CustomerView, GetCustomerViewRequest, get_customer_view_request};
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::profile::v1::{CreateCustomerRequest, Customer, Gender, UpdateCustomerRequest};
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::service_names;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_testkit::balancer::Balancer;
use vipcare_testkit::tcp_proxy::TcpProxy;
use vipcare_testkit::{TestEnv, wait_serving};

/// Every scope but `pii:read`: sees masked data, may do everything else.
pub const AGENT: &str = "agent-key-0123456789";
/// Every scope including `pii:read`.
pub const ADMIN: &str = "admin-key-0123456789";
/// Only `caller:lookup`, as a hotline switch would have.
pub const HOTLINE: &str = "hotline-key-0123456789";
/// `customer:read` with a budget of two calls and then one every two seconds.
pub const THROTTLED: &str = "throttled-key-0123456789";
/// Only `benefit:verify`: the airport lounge partner of the default benefit catalogue.
pub const LOUNGE: &str = "lounge-key-0123456789";
/// The one page origin the test gateways grant CORS to (`gateway.cors_origins`).
pub const WEB_ORIGIN: &str = "https://hall.example.cn";

/// The lounge partner's client name, which is also its partner id.
pub const LOUNGE_PARTNER: &str = "airport-lounges";

const ALL_BUT_PII: &str = r#""customer:read", "customer:write", "customer:erase", "consumption:write",
    "batch:read", "note:write", "audit:read", "caller:lookup", "tier:read", "tier:admin",
    "benefit:verify", "churn:read", "reminder:read", "reminder:write", "reminder:admin",
    "event:ingest", "complaint:read", "complaint:write", "complaint:admin", "survey:read",
    "survey:write", "survey:admin", "survey:respond""#;

/// The `[[gateway.clients]]` of every test gateway.
pub fn clients_toml() -> String {
    let digest = |key: &str| hex::encode(Sha256::digest(key.as_bytes()));
    format!(
        r#"
        [[gateway.clients]]
        name = "agent-app"
        channel = "account_manager"
        api_key_sha256 = "{agent}"
        rate_per_second = 100000.0
        burst = 100000
        scopes = [{ALL_BUT_PII}]

        [[gateway.clients]]
        name = "admin-console"
        channel = "admin"
        api_key_sha256 = "{admin}"
        rate_per_second = 100000.0
        burst = 100000
        scopes = [{ALL_BUT_PII}, "pii:read"]

        [[gateway.clients]]
        name = "hotline-switch"
        channel = "hotline"
        api_key_sha256 = "{hotline}"
        rate_per_second = 100000.0
        burst = 100000
        scopes = ["caller:lookup"]

        [[gateway.clients]]
        name = "partner-lounge"
        channel = "partner"
        api_key_sha256 = "{throttled}"
        scopes = ["customer:read"]
        rate_per_second = 0.5
        burst = 2

        [[gateway.clients]]
        name = "{LOUNGE_PARTNER}"
        channel = "partner"
        api_key_sha256 = "{lounge}"
        rate_per_second = 100000.0
        burst = 100000
        scopes = ["benefit:verify"]
        "#,
        agent = digest(AGENT),
        admin = digest(ADMIN),
        hotline = digest(HOTLINE),
        throttled = digest(THROTTLED),
        lounge = digest(LOUNGE),
    )
}

/// How a test wants its gateway deviate from the plain suite.
#[derive(Debug, Default)]
pub struct Options {
    /// The gateway's cache instead of the one it shares with the profile service.
    pub gateway_cache: Option<Cache>,
    /// Where the gateway looks for the profile service instead of the real one.
    pub profile_address: Option<String>,
    /// Where the gateway looks for the tiering service instead of the real one.
    pub tiering_address: Option<String>,
    /// Where the gateway looks for the reminder service instead of the real one.
    pub reminder_address: Option<String>,
    /// Where the gateway looks for the complaint service instead of the real one.
    pub complaint_address: Option<String>,
    /// Where the gateway looks for the survey service instead of the real one.
    pub survey_address: Option<String>,
    /// `[gateway]` lines for the survey link (`survey_link_per_second`, `survey_link_burst`).
    pub survey_link: Option<&'static str>,
    /// Puts a [`TcpProxy`] between the gateway and the tiering service (`Suite::tiering_link`).
    pub tiering_behind_proxy: bool,
    /// The clock the clients' rate limits refill by, instead of the real one.
    pub rate_clock: Option<Arc<ManualClock>>,
    /// An internal secret for the gateway other than the services' (a misconfigured rollout).
    pub gateway_secret: Option<&'static str>,
}

/// Running profile, tiering, reminder and complaint services and a gateway; all stop when this
/// is dropped.
pub struct Suite {
    pub label: &'static str,
    pub gateway: SocketAddr,
    channel: Channel,
    tiering_link: Option<TcpProxy>,
    _stop: Vec<oneshot::Sender<()>>,
    /// The address tiering was given for the complaint service before it started.
    _complaint_door: Balancer,
}

/// Spawns `run(shutdown)`; the shutdown future resolves when the returned sender is dropped.
fn serve<F>(run: impl FnOnce(BoxFuture<'static, ()>) -> F) -> oneshot::Sender<()>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(run(Box::pin(async move {
        let _ = stopped.await;
    })));
    stop
}

impl Suite {
    pub async fn start(env: &TestEnv) -> Suite {
        Suite::start_with(env, Options::default()).await
    }

    pub async fn start_with(env: &TestEnv, options: Options) -> Suite {
        let label = env.label;
        let cache = env.cache().await;
        let profile = vipcare_profile::App::build(&env.settings(), cache.clone())
            .await
            .unwrap_or_else(|err| panic!("[{label}] profile did not start: {err}"));
        let profile_addr = profile.local_addr();
        let stop_profile = serve(|shutdown| profile.run(shutdown));
        wait_serving(profile_addr, service_names::PROFILE).await;

        // Tiering reads value summaries from the real profile service and bumps the customer
        // tags in the same cache the gateway reads; it reads complaints from the complaint
        // service, which starts later (it needs tiering itself), through a door taken now (a
        // port picked now and bound later could be taken by another socket meanwhile).
        let complaint_door = Balancer::start().await.expect("the complaint door listens");
        let tiering_settings: vipcare_tiering::Settings = env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\ncomplaint = \"http://{}\"\n",
            complaint_door.addr()
        ));
        let tiering = vipcare_tiering::App::build(&tiering_settings, cache.clone())
            .await
            .unwrap_or_else(|err| panic!("[{label}] tiering did not start: {err}"));
        let tiering_addr = tiering.local_addr();
        let stop_tiering = serve(|shutdown| tiering.run(shutdown));
        wait_serving(tiering_addr, service_names::TIERING).await;
        let tiering_link = if options.tiering_behind_proxy {
            let proxy = TcpProxy::start(tiering_addr)
                .await
                .unwrap_or_else(|err| panic!("[{label}] tiering proxy: {err}"));
            Some(proxy)
        } else {
            None
        };

        // The reminder service reads contacts and tiers from the real services; tiering's
        // notices to it wait in tiering's outbox here (these tests do not follow them).
        let reminder_settings: vipcare_reminder::Settings = env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\ntiering = \"http://{tiering_addr}\"\n"
        ));
        let reminder = vipcare_reminder::App::build(&reminder_settings, cache.clone())
            .await
            .unwrap_or_else(|err| panic!("[{label}] reminder did not start: {err}"));
        let reminder_addr = reminder.local_addr();
        let stop_reminder = serve(|shutdown| reminder.run(shutdown));
        wait_serving(reminder_addr, service_names::REMINDER).await;

        // The complaint service learns who the customer is and their tier from the real
        // services, sends its notices to the real reminder service, and bumps the customer
        // tags in the same cache the gateway reads.
        let complaint_settings: vipcare_complaint::Settings = env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\ntiering = \"http://{tiering_addr}\"\n\
             reminder = \"http://{reminder_addr}\"\n[complaint]\nlisten = \"127.0.0.1:0\"\n"
        ));
        let complaint = vipcare_complaint::App::build(&complaint_settings, cache.clone())
            .await
            .unwrap_or_else(|err| panic!("[{label}] complaint did not start: {err}"));
        let complaint_addr = complaint.local_addr();
        let stop_complaint = serve(|shutdown| complaint.run(shutdown));
        wait_serving(complaint_addr, service_names::COMPLAINT).await;
        complaint_door.add(complaint_addr);

        let profile_address = options
            .profile_address
            .unwrap_or_else(|| format!("http://{profile_addr}"));
        let tiering_address = options.tiering_address.unwrap_or_else(|| {
            let addr = tiering_link.as_ref().map_or(tiering_addr, TcpProxy::addr);
            format!("http://{addr}")
        });
        let reminder_address = options
            .reminder_address
            .unwrap_or_else(|| format!("http://{reminder_addr}"));
        let complaint_address = options
            .complaint_address
            .unwrap_or_else(|| format!("http://{complaint_addr}"));
        // Customers, tiers and account managers from the real services; invitations to the
        // real reminder service, follow-ups to the real complaint service; answers bump the
        // customer tags in the same cache the gateway reads.
        let survey_settings: vipcare_survey::Settings = env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\n\
             tiering = \"http://{tiering_addr}\"\nreminder = \"http://{reminder_addr}\"\n\
             complaint = \"http://{complaint_addr}\"\n[survey]\nlisten = \"127.0.0.1:0\"\n"
        ));
        let survey = vipcare_survey::App::build(&survey_settings, cache.clone())
            .await
            .unwrap_or_else(|err| panic!("[{label}] survey did not start: {err}"));
        let survey_addr = survey.local_addr();
        let stop_survey = serve(|shutdown| survey.run(shutdown));
        wait_serving(survey_addr, service_names::SURVEY).await;
        let survey_address = options
            .survey_address
            .unwrap_or_else(|| format!("http://{survey_addr}"));
        let settings: vipcare_gateway::Settings = env.settings_with(&format!(
            "[services]\nprofile = \"{profile_address}\"\ntiering = \"{tiering_address}\"\n\
             reminder = \"{reminder_address}\"\ncomplaint = \"{complaint_address}\"\n\
             survey = \"{survey_address}\"\n\
             [gateway]\ncors_origins = [\"{WEB_ORIGIN}\"]\n{}\n{}{}",
            options.survey_link.unwrap_or_default(),
            clients_toml(),
            options
                .gateway_secret
                .map(|secret| format!("[internal]\nsecret = \"{secret}\"\n"))
                .unwrap_or_default()
        ));
        let gateway_cache = options.gateway_cache.unwrap_or(cache);
        let rate_clock: Arc<dyn RateClock> = match options.rate_clock {
            Some(clock) => clock,
            None => Arc::new(MonotonicClock::default()),
        };
        let gateway = App::build_with_rate_clock(&settings, gateway_cache, rate_clock)
            .await
            .unwrap_or_else(|err| panic!("[{label}] gateway did not start: {err}"));
        let gateway_addr = gateway.local_addr();
        let stop_gateway = serve(|shutdown| gateway.run(shutdown));
        wait_serving(gateway_addr, service_names::CHANNEL).await;

        let channel = Endpoint::from_shared(format!("http://{gateway_addr}"))
            .expect("a socket address is a valid endpoint")
            .connect_lazy();
        Suite {
            label,
            gateway: gateway_addr,
            channel,
            tiering_link,
            _stop: vec![
                stop_gateway,
                stop_survey,
                stop_complaint,
                stop_reminder,
                stop_tiering,
                stop_profile,
            ],
            _complaint_door: complaint_door,
        }
    }

    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// The customer's view through the gateway by id, calling with `key`.
    pub async fn customer_view(&self, key: &str, id: &str) -> CustomerView {
        let request = GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::CustomerId(id.to_owned())),
        };
        match self.views(key).get_customer_view(request).await {
            Ok(answer) => answer.into_inner().view.expect("a view"),
            Err(status) => panic!("[{}] GetCustomerView: {status:?}", self.label),
        }
    }

    /// The profile service through the gateway, calling with `key`.
    pub fn profile(&self, key: &str) -> ProfileServiceClient<InterceptedService<Channel, ApiKey>> {
        ProfileServiceClient::with_interceptor(self.channel(), ApiKey::new(key))
    }

    /// The tiering service through the gateway, calling with `key`.
    pub fn tiering(&self, key: &str) -> TieringServiceClient<InterceptedService<Channel, ApiKey>> {
        TieringServiceClient::with_interceptor(self.channel(), ApiKey::new(key))
    }

    /// The reminder service through the gateway, calling with `key`.
    pub fn reminder(
        &self,
        key: &str,
    ) -> ReminderServiceClient<InterceptedService<Channel, ApiKey>> {
        ReminderServiceClient::with_interceptor(self.channel(), ApiKey::new(key))
    }

    /// The complaint service through the gateway, calling with `key`.
    pub fn complaint(
        &self,
        key: &str,
    ) -> ComplaintServiceClient<InterceptedService<Channel, ApiKey>> {
        ComplaintServiceClient::with_interceptor(self.channel(), ApiKey::new(key))
    }

    /// The survey service through the gateway, calling with `key`.
    pub fn survey(&self, key: &str) -> SurveyServiceClient<InterceptedService<Channel, ApiKey>> {
        SurveyServiceClient::with_interceptor(self.channel(), ApiKey::new(key))
    }

    /// The survey service through the gateway with no key: a customer's page from the link.
    pub fn survey_link(&self) -> SurveyServiceClient<Channel> {
        SurveyServiceClient::new(self.channel())
    }

    /// The proxy between the gateway and tiering, when the options asked for one.
    pub fn tiering_link(&self) -> &TcpProxy {
        self.tiering_link
            .as_ref()
            .expect("started with tiering_behind_proxy")
    }

    /// The gateway's ChannelService, calling with `key`.
    pub fn views(&self, key: &str) -> ChannelServiceClient<InterceptedService<Channel, ApiKey>> {
        ChannelServiceClient::with_interceptor(self.channel(), ApiKey::new(key))
    }

    /// Creates a customer through the gateway and returns it as an admin sees it.
    pub async fn create_customer(&self, msisdn: &str, name: &str) -> Customer {
        let request = CreateCustomerRequest {
            customer: Some(new_customer(msisdn, name)),
            request_id: String::new(),
        };
        self.profile(ADMIN)
            .create_customer(request)
            .await
            .unwrap_or_else(|status| panic!("[{}] create {msisdn}: {status:?}", self.label))
            .into_inner()
            .customer
            .expect("a created customer")
    }
}

/// Changes one field through the gateway and returns the customer with its new etag.
pub async fn update(suite: &Suite, current: &Customer, change: Customer, path: &str) -> Customer {
    let request = UpdateCustomerRequest {
        customer: Some(Customer {
            customer_id: current.customer_id.clone(),
            etag: current.etag.clone(),
            ..change
        }),
        update_mask: Some(FieldMask {
            paths: vec![path.to_owned()],
        }),
    };
    match suite.profile(AGENT).update_customer(request).await {
        Ok(answer) => answer.into_inner().customer.expect("the updated customer"),
        Err(status) => panic!("[{}] UpdateCustomer {path}: {status:?}", suite.label),
    }
}

pub fn occupation(value: &str) -> Customer {
    Customer {
        occupation: value.to_owned(),
        ..Customer::default()
    }
}

/// A customer with the personal fields that masking hides.
pub fn new_customer(msisdn: &str, name: &str) -> Customer {
    Customer {
        msisdn: msisdn.to_owned(),
        name: name.to_owned(),
        gender: Gender::Female as i32,
        birth_date: Some(Date {
            year: 1980,
            month: 5,
            day: 17,
        }),
        region_code: "440100".into(),
        preferred_language: "yue".into(),
        occupation: "engineer".into(),
        account_manager_id: "am-007".into(),
        plan_code: "GLOBAL-588".into(),
        network_joined_on: Some(Date {
            year: 2015,
            month: 3,
            day: 1,
        }),
        ..Customer::default()
    }
}

/// Presents an API key as `authorization: Bearer <key>`.
#[derive(Debug, Clone)]
pub struct ApiKey(AsciiMetadataValue);

impl ApiKey {
    pub fn new(key: &str) -> ApiKey {
        ApiKey(MetadataValue::try_from(format!("Bearer {key}")).expect("an ASCII key"))
    }
}

impl Interceptor for ApiKey {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// A port the OS had free a moment ago, for a service that must be named before it starts.
/// An address nothing listens on: the discard port, which no test server takes and the system
/// never hands out for a socket of its own (a port picked and let go could be, by the time it
/// is called).
pub async fn closed_address() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9))
}
