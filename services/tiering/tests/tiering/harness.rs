//! A profile and a tiering service per backend, wired as in the suite (one cache, tiering
//! reaching the profile through a link the test can cut), the calls the scenarios share and
//! the assertions on what a caller is told.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{Caller, Settings};
use vipcare_testkit::tcp_proxy::TcpProxy;
use vipcare_testkit::{TestEnv, wait_serving};
use vipcare_tiering::domain::FixedClock;

pub use crate::customers::{Person, months};

/// Both services' "now": 2026-06-15 12:00 in Shanghai, so the current period is 2026-06.
pub const NOW: &str = "2026-06-15T04:00:00Z";

/// A profile and a tiering service on one backend; both stop when dropped.
pub struct Suite {
    pub label: &'static str,
    pub profile: ProfileServiceClient<Channel>,
    pub tiering: TieringServiceClient<Channel>,
    /// Tiering's connection to the profile service.
    pub profile_link: TcpProxy,
    tiering_settings: Settings,
    /// Mobile numbers handed out so far.
    pub(crate) numbers: u32,
    _stops: Vec<oneshot::Sender<()>>,
    _env: TestEnv,
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
    let clock = Arc::new(FixedClock(NOW.parse().unwrap()));
    let cache = env.cache().await;
    let profile_app =
        vipcare_profile::App::build_with_clock(env.settings(), cache.clone(), clock.clone())
            .await
            .unwrap_or_else(|e| panic!("[{label}] profile service starts: {e}"));
    let profile_addr = profile_app.local_addr();
    let profile_link = TcpProxy::start(profile_addr).await.expect("proxy listens");
    let tiering_settings = env.settings_with(&format!(
        "[services]\nprofile = \"http://{}\"\n",
        profile_link.addr()
    ));
    let tiering_app = vipcare_tiering::App::build_with_clock(&tiering_settings, cache, clock)
        .await
        .unwrap_or_else(|e| panic!("[{label}] tiering service starts: {e}"));
    let tiering_addr = tiering_app.local_addr();
    let mut stops = Vec::new();
    tokio::spawn(profile_app.run(stopped(&mut stops)));
    tokio::spawn(tiering_app.run(stopped(&mut stops)));
    wait_serving(profile_addr, vipcare_proto::service_names::PROFILE).await;
    wait_serving(tiering_addr, vipcare_proto::service_names::TIERING).await;
    Suite {
        label,
        profile: ProfileServiceClient::connect(format!("http://{profile_addr}"))
            .await
            .expect("profile client connects"),
        tiering: TieringServiceClient::connect(format!("http://{tiering_addr}"))
            .await
            .expect("tiering client connects"),
        profile_link,
        tiering_settings,
        numbers: 0,
        _stops: stops,
        _env: env,
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

/// Asserts INVALID_ARGUMENT with a field violation on exactly `field`.
pub fn assert_invalid(label: &str, result: Result<impl std::fmt::Debug, Status>, field: &str) {
    let status = result.expect_err(&format!("[{label}] expected INVALID_ARGUMENT for {field}"));
    assert_eq!(
        status.code(),
        Code::InvalidArgument,
        "[{label}] {field}: {status:?}"
    );
    let bad = status
        .get_details_bad_request()
        .unwrap_or_else(|| panic!("[{label}] {field}: no BadRequest detail in {status:?}"));
    let fields: Vec<&str> = bad
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, [field], "[{label}] {status:?}");
}

pub fn code<T: std::fmt::Debug>(result: Result<T, Status>) -> Code {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(status) => status.code(),
    }
}

/// The refusal of a FAILED_PRECONDITION benefit answer, e.g. "QUOTA_EXHAUSTED".
pub fn refusal<T: std::fmt::Debug>(result: Result<T, Status>) -> String {
    let status = result.expect_err("expected a refusal");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    let failure = status
        .get_details_precondition_failure()
        .unwrap_or_else(|| panic!("no PreconditionFailure detail in {status:?}"));
    failure.violations[0].r#type.clone()
}

/// Score points compare to two decimals.
pub fn assert_points(label: &str, actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.011,
        "[{label}] {actual} is not {expected}"
    );
}
