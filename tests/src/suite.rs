//! One running `vipcare up` on one test backend, and generated clients bound to its gateway.

use std::net::SocketAddr;
use std::time::Duration;

use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::{CustomerView, GetCustomerViewRequest, get_customer_view_request};
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::service_names;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_testkit::{Launch, SpawnedBinary, TestEnv, workspace_binary};

use crate::api_client::{ApiClient, Credentials};

/// The profile API as a channel system reaches it: through the gateway.
pub type ProfileApi = ProfileServiceClient<InterceptedService<Channel, Credentials>>;
/// The gateway's own ChannelService.
pub type ChannelApi = ChannelServiceClient<InterceptedService<Channel, Credentials>>;
/// The tiering API as channel systems and partners reach it: through the gateway.
pub type TieringApi = TieringServiceClient<InterceptedService<Channel, Credentials>>;
/// The reminder service through the gateway.
pub type ReminderApi = ReminderServiceClient<InterceptedService<Channel, Credentials>>;
/// The complaint service through the gateway.
pub type ComplaintApi = ComplaintServiceClient<InterceptedService<Channel, Credentials>>;
/// The survey service through the gateway, as one client.
pub type SurveyApi = SurveyServiceClient<InterceptedService<Channel, Credentials>>;

/// What `vipcare up` serves: a flow may start once each of them answers SERVING.
const SERVICES: [&str; 6] = [
    service_names::CHANNEL,
    service_names::PROFILE,
    service_names::TIERING,
    service_names::REMINDER,
    service_names::COMPLAINT,
    service_names::SURVEY,
];

/// Bounds every call, so a hung server fails the test instead of hanging it.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// A `vipcare up` process. Dropping it stops the process; if the test is failing at that point
/// the backend and the process log are printed.
pub struct Suite {
    /// "sqlite" or "postgres+redis".
    pub label: &'static str,
    binary: SpawnedBinary,
    gateway: SocketAddr,
    channel: Channel,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("label", &self.label)
            .field("gateway", &self.gateway)
            .finish()
    }
}

impl Suite {
    /// Starts `vipcare up` on `env`'s database and cache (every listener on port 0) and waits
    /// until every service it runs reports SERVING. Starting twice on one env reuses its data,
    /// as a restarted deployment would.
    pub async fn start(env: &TestEnv) -> Suite {
        Suite::launch(env, settings_toml(env)).await
    }

    /// As [`Suite::start`], with the cache at `redis_url` instead of the env's Redis (a proxy in
    /// front of it that the test can cut); keys keep the env's prefix.
    pub async fn start_with_redis(env: &TestEnv, redis_url: &str) -> Suite {
        let own = env
            .cache_settings()
            .redis_url
            .as_deref()
            .unwrap_or_default();
        let toml = settings_toml(env).replace(
            &format!("redis_url = {}", quoted(own)),
            &format!("redis_url = {}", quoted(redis_url)),
        );
        Suite::launch(env, toml).await
    }

    /// As [`Suite::start`], exporting spans to the OTLP receiver at `otlp_endpoint` (batches
    /// sent every 100 ms, so a flow need not wait long), with `extra` TOML appended to the
    /// settings (tables the base leaves out, such as `[reminder.channels.sms]`).
    pub async fn start_traced(env: &TestEnv, otlp_endpoint: &str, extra: &str) -> Suite {
        let toml = settings_toml(env).replace(
            "otlp_endpoint = \"\"",
            &format!("otlp_endpoint = {}", quoted(otlp_endpoint)),
        ) + extra;
        let launch = Launch::new(workspace_binary("vipcare-suite", "vipcare"))
            .env("OTEL_BSP_SCHEDULE_DELAY", "100");
        Suite::launch_with(env, launch, toml).await
    }

    async fn launch(env: &TestEnv, toml: String) -> Suite {
        let launch = Launch::new(workspace_binary("vipcare-suite", "vipcare"));
        Suite::launch_with(env, launch, toml).await
    }

    async fn launch_with(env: &TestEnv, launch: Launch, toml: String) -> Suite {
        let mut launch = launch.arg("up").config(toml);
        for service in SERVICES {
            launch = launch.serving(service);
        }
        let binary = launch.spawn().await;
        let gateway = binary.addr(service_names::CHANNEL);
        let channel = Endpoint::from_shared(format!("http://{gateway}"))
            .expect("a socket address is a valid endpoint")
            .timeout(CALL_TIMEOUT)
            .connect()
            .await
            .unwrap_or_else(|err| panic!("[{}] cannot connect to the gateway: {err}", env.label));
        let suite = Suite {
            label: env.label,
            binary,
            gateway,
            channel,
        };
        suite.assert_backend(env);
        suite
    }

    /// The flows must really run on the env's servers, not quietly on the embedded defaults.
    fn assert_backend(&self, env: &TestEnv) {
        if env.database_settings().url.is_some() {
            let sqlite_files: Vec<_> = std::fs::read_dir(env.data_dir())
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.file_name())
                .filter(|name| name.to_string_lossy().ends_with(".db"))
                .collect();
            assert!(
                sqlite_files.is_empty(),
                "[{}] PostgreSQL is configured but SQLite files appeared: {sqlite_files:?}",
                self.label
            );
        }
        if env.cache_settings().redis_url.is_some() {
            assert!(
                self.log().contains("cache=\"redis\""),
                "[{}] Redis is configured but the suite did not report using it",
                self.label
            );
        }
    }

    /// Where the gateway listens (gRPC and gRPC-Web).
    pub fn gateway(&self) -> SocketAddr {
        self.gateway
    }

    /// The profile API as `client`.
    pub fn profile(&self, client: ApiClient) -> ProfileApi {
        self.profile_with(client.credentials())
    }

    /// The profile API with hand-made credentials (forged headers and the like).
    pub fn profile_with(&self, credentials: Credentials) -> ProfileApi {
        ProfileServiceClient::with_interceptor(self.channel.clone(), credentials)
    }

    /// The gateway's ChannelService as `client`.
    pub fn channel_api(&self, client: ApiClient) -> ChannelApi {
        ChannelServiceClient::with_interceptor(self.channel.clone(), client.credentials())
    }

    /// The hall's view of customer `id` through the gateway; a refusal fails the test.
    pub async fn customer_view(&self, id: &str) -> CustomerView {
        self.channel_api(ApiClient::Hall)
            .get_customer_view(GetCustomerViewRequest {
                lookup: Some(get_customer_view_request::Lookup::CustomerId(id.to_owned())),
            })
            .await
            .unwrap_or_else(|s| panic!("[{}] customer view: {s:?}", self.label))
            .into_inner()
            .view
            .expect("a view")
    }

    /// The tiering API as `client`.
    pub fn tiering(&self, client: ApiClient) -> TieringApi {
        TieringServiceClient::with_interceptor(self.channel.clone(), client.credentials())
    }

    /// The reminder API as `client`.
    pub fn reminder(&self, client: ApiClient) -> ReminderApi {
        ReminderServiceClient::with_interceptor(self.channel.clone(), client.credentials())
    }

    /// The complaint API as `client`.
    pub fn complaint(&self, client: ApiClient) -> ComplaintApi {
        ComplaintServiceClient::with_interceptor(self.channel.clone(), client.credentials())
    }

    /// The survey API as `client` (`ApiClient::NoKey`: the customer's page, by token).
    pub fn survey(&self, client: ApiClient) -> SurveyApi {
        SurveyServiceClient::with_interceptor(self.channel.clone(), client.credentials())
    }

    /// Where the Prometheus scrape endpoint listens (`metrics_addr=` in the log).
    pub fn metrics_addr(&self) -> SocketAddr {
        crate::metrics::metrics_addr(&self.log())
            .unwrap_or_else(|| panic!("[{}] no metrics endpoint in the log", self.label))
    }

    /// The process log so far.
    pub fn log(&self) -> String {
        self.binary.log()
    }

    /// SIGTERM; asserts a clean exit (status 0) within 10 seconds.
    pub async fn stop_gracefully(mut self) {
        self.binary.stop_gracefully().await;
    }

    /// SIGKILL, as a crash ends a process: no shutdown code runs, its memory is lost.
    pub fn kill(mut self) {
        self.binary.kill();
    }
}

impl Drop for Suite {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The binary's log follows when `binary` is dropped right after this.
            eprintln!("e2e failure on backend {}", self.label);
        }
    }
}

/// Settings for the spawned suite: the env's data directory, database and cache, loopback
/// listeners on port 0, text logs at info (the launcher reads the bound addresses from them),
/// the e2e clients and their page origin. No internal secret: `vipcare up` makes its own.
fn settings_toml(env: &TestEnv) -> String {
    let mut toml = format!(
        "data_dir = {}\n\
         [database]\nurl = {}\n\
         [cache]\nredis_url = {}\nkey_prefix = {}\n\
         [telemetry]\notlp_endpoint = \"\"\nlog_level = \"info\"\nlog_format = \"text\"\n\
         metrics_listen = \"127.0.0.1:0\"\n",
        quoted(&env.data_dir().display().to_string()),
        quoted(env.database_settings().url.as_deref().unwrap_or_default()),
        quoted(
            env.cache_settings()
                .redis_url
                .as_deref()
                .unwrap_or_default()
        ),
        quoted(&env.cache_settings().key_prefix),
    );
    for service in ["profile", "tiering", "reminder", "complaint", "survey"] {
        toml.push_str(&format!("[{service}]\nlisten = \"127.0.0.1:0\"\n"));
    }
    // The page origin the gRPC-Web flows call from is the one the gateway grants CORS to.
    toml.push_str(&format!(
        "[gateway]\nlisten = \"127.0.0.1:0\"\ncors_origins = [\"{}\"]\n",
        crate::grpc_web::ORIGIN
    ));
    for client in ApiClient::CONFIGURED {
        toml.push_str(&client.settings_toml());
    }
    toml
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
