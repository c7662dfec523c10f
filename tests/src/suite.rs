//! One running `vipcare up` on one test backend, and generated clients bound to its gateway.

use std::net::SocketAddr;
use std::time::Duration;

use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::service_names;
use vipcare_testkit::{Launch, SpawnedBinary, TestEnv, workspace_binary};

use crate::api_client::{ApiClient, Credentials};

/// The profile API as a channel system reaches it: through the gateway.
pub type ProfileApi = ProfileServiceClient<InterceptedService<Channel, Credentials>>;
/// The gateway's own ChannelService.
pub type ChannelApi = ChannelServiceClient<InterceptedService<Channel, Credentials>>;

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
    /// until the gateway and the profile service report SERVING. Starting twice on one env
    /// reuses its data, as a restarted deployment would.
    pub async fn start(env: &TestEnv) -> Suite {
        let binary = Launch::new(workspace_binary("vipcare-suite", "vipcare"))
            .arg("up")
            .config(settings_toml(env))
            .serving(service_names::CHANNEL)
            .serving(service_names::PROFILE)
            .spawn()
            .await;
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
        let settings = env.settings();
        if settings.database.url.is_some() {
            let sqlite_files: Vec<_> = std::fs::read_dir(&settings.data_dir)
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
        if settings.cache.redis_url.is_some() {
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

    /// The process log so far.
    pub fn log(&self) -> String {
        self.binary.log()
    }

    /// SIGTERM; asserts a clean exit (status 0) within 10 seconds.
    pub async fn stop_gracefully(mut self) {
        self.binary.stop_gracefully().await;
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
/// and the e2e clients.
fn settings_toml(env: &TestEnv) -> String {
    let settings = env.settings();
    let mut toml = format!(
        "data_dir = {}\n\
         [database]\nurl = {}\n\
         [cache]\nredis_url = {}\nkey_prefix = {}\n\
         [telemetry]\notlp_endpoint = \"\"\nlog_level = \"info\"\nlog_format = \"text\"\n",
        quoted(&settings.data_dir.display().to_string()),
        quoted(settings.database.url.as_deref().unwrap_or_default()),
        quoted(settings.cache.redis_url.as_deref().unwrap_or_default()),
        quoted(&settings.cache.key_prefix),
    );
    for service in ["profile", "tiering", "reminder", "complaint", "survey"] {
        toml.push_str(&format!("[{service}]\nlisten = \"127.0.0.1:0\"\n"));
    }
    toml.push_str("[gateway]\nlisten = \"127.0.0.1:0\"\n");
    for client in ApiClient::CONFIGURED {
        toml.push_str(&client.settings_toml());
    }
    toml
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
