//! A profile and a tiering service per backend, wired as in the suite (one cache, tiering
//! reaching the profile through a link the test can cut), the calls the scenarios share and
//! the assertions on what a caller is told. Both services read one clock the test can move.
//! The reminder service does not exist: tiering's notices are sent to the profile server,
//! which answers them as any server without that service would. The complaint service is a
//! fake that lists what the test put in it (churn risk reads a customer's complaints). The
//! survey service is the real one, reached through a link the test can cut; it reads customers
//! from the profile and tiers from tiering, as in the suite.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::Request;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{Caller, InternalChannel};
use vipcare_testkit::tcp_proxy::TcpProxy;
use vipcare_testkit::{TestEnv, wait_serving};
use vipcare_tiering::Settings;
use vipcare_tiering::domain::Clock;
use vipcare_tiering::expiry::OverrideExpiry;

pub use crate::complaints::FakeComplaints;
pub use crate::customers::{Person, months};
pub use vipcare_testkit::status::{assert_invalid, code, refusal};

/// Both services' "now": 2026-06-15 12:00 in Shanghai, so the current period is 2026-06.
pub const NOW: &str = "2026-06-15T04:00:00Z";

/// "Now" for both services: stopped at [`NOW`] until a test moves it.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A profile and a tiering service on one backend; both stop when dropped.
pub struct Suite {
    pub label: &'static str,
    /// Both clients sign their calls as the gateway does: the services answer nothing else.
    pub profile: ProfileServiceClient<InternalChannel>,
    pub tiering: TieringServiceClient<InternalChannel>,
    /// Where tiering listens, for calls that bypass the signed client.
    pub tiering_addr: SocketAddr,
    /// Tiering's connection to the profile service.
    pub profile_link: TcpProxy,
    pub clock: Arc<TestClock>,
    /// Tiering's pass that closes overrides that ran out.
    pub override_expiry: Arc<OverrideExpiry>,
    /// The complaints tiering reads for churn risk (none unless a test adds some).
    pub complaints: FakeComplaints,
    /// The survey service, signed as the gateway signs (a test gives customers scores here).
    pub surveys: SurveyServiceClient<InternalChannel>,
    /// Tiering's connection to the survey service.
    pub survey_link: TcpProxy,
    tiering_settings: Settings,
    /// Mobile numbers handed out so far.
    pub(crate) numbers: u32,
    /// Stops the tiering service, whose run ends in the task.
    tiering_run: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
    _stops: Vec<oneshot::Sender<()>>,
    env: TestEnv,
}

/// A suite per configured backend.
pub async fn suites() -> Vec<Suite> {
    let mut all = Vec::new();
    for env in TestEnv::all().await {
        all.push(start(env).await);
    }
    all
}

async fn start(env: TestEnv) -> Suite {
    let label = env.label;
    let clock = Arc::new(TestClock(Mutex::new(NOW.parse().unwrap())));
    let cache = env.cache().await;
    let profile_app =
        vipcare_profile::App::build_with_clock(&env.settings(), cache.clone(), clock.clone())
            .await
            .unwrap_or_else(|e| panic!("[{label}] profile service starts: {e}"));
    let profile_addr = profile_app.local_addr();
    let profile_link = TcpProxy::start(profile_addr).await.expect("proxy listens");
    let complaints = FakeComplaints::start().await;
    // The survey asks tiering for tiers and tiering asks the survey for scores: the survey is
    // given a door taken now, which forwards to tiering once it listens. Its follow-ups of low
    // scores wait in its outbox for a complaint service at an address nothing listens on.
    let tiering_door = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("door listens");
    let survey_app = vipcare_survey::App::build_with_clock(
        &env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\ntiering = \"http://{}\"\n\
             complaint = \"http://127.0.0.1:9\"\nreminder = \"http://127.0.0.1:9\"\n\
             [survey]\nroll_seconds = 0\n",
            tiering_door.local_addr().unwrap()
        )),
        cache.clone(),
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| panic!("[{label}] survey service starts: {e}"));
    let survey_addr = survey_app.local_addr();
    let survey_link = TcpProxy::start(survey_addr).await.expect("proxy listens");
    let tiering_settings: Settings = env.settings_with(&format!(
        "[services]\nprofile = \"http://{}\"\nreminder = \"http://{profile_addr}\"\n\
         complaint = \"http://{}\"\nsurvey = \"http://{}\"\n",
        profile_link.addr(),
        complaints.addr,
        survey_link.addr()
    ));
    let tiering_app =
        vipcare_tiering::App::build_with_clock(&tiering_settings, cache, clock.clone())
            .await
            .unwrap_or_else(|e| panic!("[{label}] tiering service starts: {e}"));
    let tiering_addr = tiering_app.local_addr();
    let override_expiry = tiering_app.override_expiry();
    tokio::spawn(forward(tiering_door, tiering_addr));
    let mut stops = Vec::new();
    tokio::spawn(profile_app.run(stopped(&mut stops)));
    let tiering_run = run_tiering(tiering_app);
    tokio::spawn(survey_app.run(stopped(&mut stops)));
    wait_serving(profile_addr, vipcare_proto::service_names::PROFILE).await;
    wait_serving(tiering_addr, vipcare_proto::service_names::TIERING).await;
    wait_serving(survey_addr, vipcare_proto::service_names::SURVEY).await;
    Suite {
        label,
        profile: ProfileServiceClient::new(env.internal_channel(profile_addr)),
        tiering: TieringServiceClient::new(env.internal_channel(tiering_addr)),
        tiering_addr,
        profile_link,
        clock,
        override_expiry,
        complaints,
        surveys: SurveyServiceClient::new(env.internal_channel(survey_addr)),
        survey_link,
        tiering_settings,
        numbers: 0,
        tiering_run: Some(tiering_run),
        _stops: stops,
        env,
    }
}

/// Runs `app` until the sender is used or dropped; the handle ends when it has stopped.
fn run_tiering(app: vipcare_tiering::App) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = app
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    (stop, task)
}

/// Forwards every connection made to `door` to `target`, until the runtime stops.
async fn forward(door: TcpListener, target: SocketAddr) {
    while let Ok((mut inbound, _)) = door.accept().await {
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// A shutdown future that resolves when its sender (kept in `stops`) is dropped.
fn stopped(stops: &mut Vec<oneshot::Sender<()>>) -> impl Future<Output = ()> + Send + 'static {
    let (stop, stopped) = oneshot::channel::<()>();
    stops.push(stop);
    async {
        let _ = stopped.await;
    }
}

impl Suite {
    /// Evaluates and applies `period`.
    pub async fn evaluate(&mut self, id: &str, period: &str) -> pb::Evaluation {
        let request = pb::EvaluateCustomerRequest {
            customer_id: id.into(),
            dry_run: false,
            what_if_policy: None,
            period: period.into(),
        };
        self.tiering
            .evaluate_customer(request)
            .await
            .unwrap_or_else(|s| panic!("[{}] evaluate {period}: {s:?}", self.label))
            .into_inner()
            .evaluation
            .unwrap()
    }

    pub async fn tier(&mut self, id: &str) -> pb::GetCustomerTierResponse {
        let request = pb::GetCustomerTierRequest {
            customer: Some(pb::get_customer_tier_request::Customer::CustomerId(
                id.into(),
            )),
        };
        self.tiering
            .get_customer_tier(request)
            .await
            .unwrap_or_else(|s| panic!("[{}] tier: {s:?}", self.label))
            .into_inner()
    }

    /// The tier in force.
    pub async fn tier_code(&mut self, id: &str) -> String {
        self.tier(id).await.tier.unwrap().tier
    }

    /// Tier changes, newest first.
    pub async fn history(&mut self, id: &str) -> Vec<pb::TierChange> {
        let request = pb::ListTierHistoryRequest {
            customer_id: id.into(),
            page_size: 100,
            page_token: String::new(),
        };
        self.tiering
            .list_tier_history(request)
            .await
            .unwrap_or_else(|s| panic!("[{}] history: {s:?}", self.label))
            .into_inner()
            .changes
    }

    /// Overrides the tier (no expiry) as an operator.
    pub async fn override_to(&mut self, id: &str, tier: &str) -> pb::CustomerTier {
        let request = pb::OverrideTierRequest {
            customer_id: id.into(),
            tier: tier.into(),
            reason: "service recovery".into(),
            actor: "emp-7".into(),
            expire_time: None,
            request_id: String::new(),
        };
        self.tiering
            .override_tier(request)
            .await
            .unwrap_or_else(|s| panic!("[{}] override to {tier}: {s:?}", self.label))
            .into_inner()
            .tier
            .unwrap()
    }

    pub async fn policy(&mut self) -> pb::GetTierPolicyResponse {
        self.tiering
            .get_tier_policy(pb::GetTierPolicyRequest { version: 0 })
            .await
            .unwrap_or_else(|s| panic!("[{}] policy: {s:?}", self.label))
            .into_inner()
    }

    /// Polls the run until it is no longer RUNNING (at most a minute).
    pub async fn finished_run(&mut self, run_id: &str) -> pb::EvaluationRun {
        let poll = async {
            let mut ticks = tokio::time::interval(Duration::from_millis(20));
            loop {
                ticks.tick().await;
                let request = pb::GetEvaluationRunRequest {
                    run_id: run_id.into(),
                };
                let run = self
                    .tiering
                    .get_evaluation_run(request)
                    .await
                    .unwrap_or_else(|s| panic!("[{}] run: {s:?}", self.label))
                    .into_inner()
                    .run
                    .unwrap();
                if run.state != pb::RunState::Running as i32 {
                    return run;
                }
            }
        };
        let label = self.label;
        tokio::time::timeout(Duration::from_secs(60), poll)
            .await
            .unwrap_or_else(|_| panic!("[{label}] run {run_id} did not finish within a minute"))
    }

    /// Stops the tiering service as a SIGTERM does and waits until it has: its listener
    /// closed, its background work ended.
    pub async fn stop_tiering(&mut self) {
        if let Some((stop, task)) = self.tiering_run.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
        }
    }

    /// Starts a second tiering process on the same database and cache (a replica, or the
    /// first one restarted) and points `tiering` at it.
    pub async fn start_tiering_replica(&mut self) {
        let label = self.label;
        let app = vipcare_tiering::App::build_with_clock(
            &self.tiering_settings,
            self.env.cache().await,
            self.clock.clone(),
        )
        .await
        .unwrap_or_else(|e| panic!("[{label}] tiering replica starts: {e}"));
        let addr = app.local_addr();
        self.tiering_run = Some(run_tiering(app));
        wait_serving(addr, vipcare_proto::service_names::TIERING).await;
        self.tiering = TieringServiceClient::new(self.env.internal_channel(addr));
        self.tiering_addr = addr;
    }

    /// The settings the tiering service was started with (its database, for the outbox).
    pub fn tiering_settings(&self) -> &Settings {
        &self.tiering_settings
    }
}

/// `message` sent as `caller`.
pub fn as_caller<T>(caller: &Caller, message: T) -> Request<T> {
    let mut request = Request::new(message);
    caller.write_to(request.metadata_mut());
    request
}

/// `message` sent by a partner client through the gateway.
pub fn as_partner<T>(partner: &str, message: T) -> Request<T> {
    as_caller(&Caller::new(partner, "partner", &[]), message)
}

/// Score points compare to two decimals.
pub fn assert_points(label: &str, actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.011,
        "[{label}] {actual} is not {expected}"
    );
}
