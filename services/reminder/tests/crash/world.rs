//! One backend's world: a real profile and tiering in this process (the binary reads contact
//! preferences and tiers from them), two webhook sinks standing in for the SMS provider (which
//! takes everything) and the e-mail provider (which refuses everything, so e-mail falls back to
//! SMS or fails), and the `vipcare-reminder` binary as a child process on the env's store. The
//! binary is started, killed with SIGKILL and started again on the same store; clients follow it
//! to whichever port it bound last.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, watch};
use tonic::Request;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::service_names;
use vipcare_runtime::{Caller, InternalChannel, InternalCredential};
use vipcare_testkit::process::{Launch, SpawnedBinary};
use vipcare_testkit::webhook_sink::{Reply, WebhookSink};
use vipcare_testkit::{TestEnv, plain_channel, wait_serving};

use crate::population::CustomerPlan;

const BINARY: &str = env!("CARGO_BIN_EXE_vipcare-reminder");
/// The env's internal secret (testkit's): the binary signs and checks calls with it.
const SECRET: &str = "vipcare-tests-internal-secret-0123456789";
/// The shortest lease the settings allow: a killed worker's claims wait this long.
const LEASE_SECONDS: i64 = 5;
/// Bounds every call, so a call to a process being killed fails instead of hanging the test.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

pub type ReminderClient = ReminderServiceClient<InternalChannel>;

/// Fields drop in order: the binary before the peers, the env (its database) last.
pub struct World {
    binary: Option<SpawnedBinary>,
    _stops: Vec<oneshot::Sender<()>>,
    pub label: &'static str,
    pub sms: Arc<WebhookSink>,
    pub email: Arc<WebhookSink>,
    profile_addr: SocketAddr,
    tiering_addr: SocketAddr,
    /// Where the binary serves now; `None` while it is down.
    reminder_addr: watch::Sender<Option<SocketAddr>>,
    /// When each killed process was gone, on the system clock the binary also reads.
    pub kills: Vec<DateTime<Utc>>,
    pub env: TestEnv,
}

impl World {
    pub async fn start(env: TestEnv) -> World {
        let label = env.label;
        let cache = env.cache().await;
        // No reminder service for the peers to notify: nothing but the test schedules reminders.
        let nobody = "reminder = \"http://127.0.0.1:9\"\n";
        let profile_app = vipcare_profile::App::build(
            &env.settings_with(&format!("[services]\n{nobody}")),
            cache.clone(),
        )
        .await
        .unwrap_or_else(|e| panic!("[{label}] profile starts: {e}"));
        let profile_addr = profile_app.local_addr();
        let tiering_app = vipcare_tiering::App::build(
            &env.settings_with(&format!(
                "[services]\nprofile = \"http://{profile_addr}\"\n{nobody}"
            )),
            cache,
        )
        .await
        .unwrap_or_else(|e| panic!("[{label}] tiering starts: {e}"));
        let tiering_addr = tiering_app.local_addr();
        let mut stops = Vec::new();
        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        tokio::spawn(profile_app.run(async {
            let _ = stopped.await;
        }));
        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        tokio::spawn(tiering_app.run(async {
            let _ = stopped.await;
        }));
        wait_serving(profile_addr, service_names::PROFILE).await;
        wait_serving(tiering_addr, service_names::TIERING).await;
        let sms = WebhookSink::start().await.expect("the SMS sink listens");
        let email = WebhookSink::start().await.expect("the e-mail sink listens");
        email.reply(Reply::Status(400));
        World {
            label,
            env,
            sms: Arc::new(sms),
            email: Arc::new(email),
            profile_addr,
            tiering_addr,
            reminder_addr: watch::channel(None).0,
            binary: None,
            kills: Vec::new(),
            _stops: stops,
        }
    }

    /// Creates the customers in the profile, a few at a time; their ids in order.
    pub async fn create_customers(&self, plans: &[CustomerPlan]) -> Vec<String> {
        use futures::StreamExt;
        let client = ProfileServiceClient::new(self.env.internal_channel(self.profile_addr));
        let staff = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        let label = self.label;
        futures::stream::iter(plans.iter().enumerate())
            .map(|(n, plan)| {
                let mut client = client.clone();
                let mut request = Request::new(profile::CreateCustomerRequest {
                    customer: Some(customer(n, plan)),
                    request_id: format!("crash-customer-{n}"),
                });
                staff.write_to(request.metadata_mut());
                async move {
                    let created = client
                        .create_customer(request)
                        .await
                        .unwrap_or_else(|s| panic!("[{label}] create customer {n}: {s:?}"));
                    let customer = created.into_inner().customer.unwrap_or_default();
                    customer.customer_id
                }
            })
            .buffered(16)
            .collect()
            .await
    }

    /// Starts the binary on the env's store with `workers` dispatch workers and waits until it
    /// serves.
    pub async fn launch(&mut self, workers: u32) {
        let binary = Launch::new(BINARY)
            .config(self.config(workers))
            // Secrets are read from the environment only.
            .env("VIPCARE__INTERNAL__SECRET", SECRET)
            .serving(service_names::REMINDER)
            .spawn()
            .await;
        self.reminder_addr
            .send_replace(Some(binary.addr(service_names::REMINDER)));
        self.binary = Some(binary);
    }

    /// SIGKILL, as a crash or the OOM killer ends it; returns once it is gone. The kill is
    /// timed after the process is gone, so nothing it wrote is later than its kill.
    pub fn kill(&mut self) {
        self.reminder_addr.send_replace(None);
        if let Some(mut binary) = self.binary.take() {
            binary.kill();
            self.kills.push(Utc::now());
        }
    }

    /// SIGTERM, asserting a clean exit.
    pub async fn stop(&mut self) {
        self.reminder_addr.send_replace(None);
        if let Some(mut binary) = self.binary.take() {
            binary.stop_gracefully().await;
        }
    }

    /// The binary's current log.
    pub fn log(&self) -> String {
        self.binary
            .as_ref()
            .map(SpawnedBinary::log)
            .unwrap_or_default()
    }

    /// Follows the binary across restarts.
    pub fn reminder_addr(&self) -> watch::Receiver<Option<SocketAddr>> {
        self.reminder_addr.subscribe()
    }

    /// A client of the binary where it serves now (it waits while the binary is down).
    pub async fn reminder(&self) -> ReminderClient {
        client_of(&self.env.internal_credential(), &mut self.reminder_addr()).await
    }

    /// The settings file: the env's data directory, database and cache, the peers in this
    /// process, both providers, and a lease as short as allowed so takeovers come quickly.
    fn config(&self, workers: u32) -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let cache = self.env.cache_settings();
        let webhook = |sink: &WebhookSink| {
            format!(
                "kind = \"webhook\"\nurl = {}\nfailures_to_open = 1000\n",
                q(&sink.url())
            )
        };
        format!(
            "data_dir = {}\n[database]\nurl = {}\n[cache]\nredis_url = {}\nkey_prefix = {}\n\
             [telemetry]\notlp_endpoint = \"\"\nlog_level = \"info\"\nlog_format = \"text\"\n\
             [services]\nprofile = \"http://{}\"\ntiering = \"http://{}\"\n\
             [reminder]\nlisten = \"127.0.0.1:0\"\nworkers = {workers}\n\
             lease_seconds = {LEASE_SECONDS}\ndaily_cap = 100\n\
             [reminder.channels.sms]\n{}[reminder.channels.email]\n{}",
            q(&self.env.data_dir().display().to_string()),
            q(self
                .env
                .database_settings()
                .url
                .as_deref()
                .unwrap_or_default()),
            q(cache.redis_url.as_deref().unwrap_or_default()),
            q(&cache.key_prefix),
            self.profile_addr,
            self.tiering_addr,
            webhook(&self.sms),
            webhook(&self.email),
        )
    }
}

/// A client of the binary at the address `addr` holds, waiting for one while it is down.
pub async fn client_of(
    credential: &InternalCredential,
    addr: &mut watch::Receiver<Option<SocketAddr>>,
) -> ReminderClient {
    let serving = addr.wait_for(Option::is_some).await.map(|a| *a);
    let Ok(Some(addr)) = serving else {
        panic!("the test dropped the binary's address");
    };
    ReminderServiceClient::new(credential.channel(plain_channel(addr)))
}

/// `message` with the call bounded by [`CALL_TIMEOUT`].
pub fn bounded<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(CALL_TIMEOUT);
    request
}

fn customer(n: usize, plan: &CustomerPlan) -> profile::Customer {
    profile::Customer {
        msisdn: format!("139{n:08}"),
        name: "王建国".into(),
        gender: profile::Gender::Male as i32,
        contact_preferences: Some(profile::ContactPreferences {
            preferred_channels: plan.channels.iter().map(|c| *c as i32).collect(),
            quiet_hours: Some(plan.quiet.to_proto()),
            opted_out_touchpoints: plan.opted_out.iter().map(|t| *t as i32).collect(),
        }),
        network_joined_on: Some(common::Date {
            year: 2016,
            month: 1,
            day: 10,
        }),
        status: profile::CustomerStatus::Active as i32,
        ..Default::default()
    }
}
