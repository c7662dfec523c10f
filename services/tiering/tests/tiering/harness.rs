//! A profile and a tiering service per backend, wired as in the suite (one cache, tiering
//! reaching the profile through a link the test can cut), and the customers the scenarios need.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{Caller, Settings};
use vipcare_testkit::tcp_proxy::TcpProxy;
use vipcare_testkit::{TestEnv, wait_serving};
use vipcare_tiering::domain::{FixedClock, Period};

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
    numbers: u32,
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

/// Who a new customer is, for the score: tenure, key-person flag and line status.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub joined: (i32, i32, i32),
    pub key_person: bool,
    pub status: profile::CustomerStatus,
}

impl Person {
    /// On the network since 2016: full tenure points, no churn signal from tenure.
    pub fn veteran() -> Person {
        Person {
            joined: (2016, 1, 10),
            key_person: false,
            status: profile::CustomerStatus::Active,
        }
    }

    /// Joined in January 2025: 17 months, a short tenure for churn.
    pub fn newcomer() -> Person {
        Person {
            joined: (2025, 1, 10),
            ..Person::veteran()
        }
    }

    pub fn key_person(self) -> Person {
        Person {
            key_person: true,
            ..self
        }
    }

    pub fn suspended(self) -> Person {
        Person {
            status: profile::CustomerStatus::Suspended,
            ..self
        }
    }
}

/// `n` periods from `first` on.
pub fn months(first: &str, n: usize) -> Vec<String> {
    let mut period = Period::parse(first).expect("a valid period");
    let mut all = Vec::new();
    for _ in 0..n {
        all.push(period.to_string());
        period = period.next();
    }
    all
}

impl Suite {
    /// Creates a customer with a fresh number; returns it unmasked (id, msisdn, etag).
    pub async fn create(&mut self, person: Person) -> profile::Customer {
        self.numbers += 1;
        let (year, month, day) = person.joined;
        let customer = profile::Customer {
            msisdn: format!("139{:08}", self.numbers),
            name: "李秀英".into(),
            gender: profile::Gender::Female as i32,
            contact_preferences: Some(profile::ContactPreferences {
                preferred_channels: vec![common::ContactChannel::Sms as i32],
                quiet_hours: None,
                opted_out_touchpoints: Vec::new(),
            }),
            group: person.key_person.then(|| profile::GroupMembership {
                group_id: "g-1".into(),
                name: "Acme".into(),
                key_person: true,
            }),
            network_joined_on: Some(common::Date { year, month, day }),
            status: person.status as i32,
            ..Default::default()
        };
        let request = profile::CreateCustomerRequest {
            customer: Some(customer),
            request_id: String::new(),
        };
        let clerk = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        self.profile
            .create_customer(as_caller(&clerk, request))
            .await
            .unwrap_or_else(|s| panic!("[{}] create customer: {s:?}", self.label))
            .into_inner()
            .customer
            .unwrap()
    }

    /// Records `spend_fen` for each of `periods`.
    pub async fn spend(&mut self, id: &str, periods: &[String], spend_fen: i64) {
        for period in periods {
            let request = profile::RecordConsumptionRequest {
                customer_id: id.into(),
                period: period.clone(),
                spend_fen,
                data_mb: 2048,
                voice_minutes: 300,
                roaming_fen: 0,
                vas_fen: 0,
            };
            self.profile
                .record_consumption(request)
                .await
                .unwrap_or_else(|s| panic!("[{}] record {period}: {s:?}", self.label));
        }
    }

    /// A customer whose data scores `tier` under the default policy (not evaluated yet):
    /// STANDARD a newcomer without spend (13.09); the others veterans with a year of spend to
    /// 2026-05 — SILVER ¥50 (43.14), GOLD ¥150 (58.82), PLATINUM ¥250 (74.51) and DIAMOND ¥300
    /// as a group key person (89.41).
    pub async fn customer_scoring(&mut self, tier: &str) -> profile::Customer {
        let (person, spend) = match tier {
            "STANDARD" => (Person::newcomer(), 0),
            "SILVER" => (Person::veteran(), 5_000),
            "GOLD" => (Person::veteran(), 15_000),
            "PLATINUM" => (Person::veteran(), 25_000),
            "DIAMOND" => (Person::veteran().key_person(), 30_000),
            other => panic!("no recipe for {other}"),
        };
        let customer = self.create(person).await;
        if spend > 0 {
            self.spend(&customer.customer_id, &months("2025-06", 12), spend)
                .await;
        }
        customer
    }

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
