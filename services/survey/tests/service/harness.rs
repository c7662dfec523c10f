//! A profile, a tiering, a reminder, a complaint and a survey service per backend, wired as in
//! the suite: the survey reads customers from the profile and tiers from tiering, and its
//! outbox relays deliver invitations to the reminder service and follow-ups to the complaint
//! service. All five read one clock the test can move. The survey runs no roller of its own
//! (a test rolls when it wants the reports to see its responses), the complaint service no
//! pass and the reminder no dispatch workers, so what a test reads never races them. The calls
//! the scenarios share live here.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tonic::Request;
use vipcare_domain::Clock;
use vipcare_proto::common::v1 as common;
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::reminder::v1 as reminder;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::survey::v1 as pb;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_proto::tiering::v1 as tiering;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::InternalChannel;
use vipcare_survey::roller::Roller;
use vipcare_testkit::{TestEnv, wait_serving};

pub use vipcare_runtime::Caller;
pub use vipcare_testkit::status::code;

/// The services' "now": Monday 2026-06-15 12:00 in Shanghai.
pub const NOW: &str = "2026-06-15T04:00:00Z";

/// "Now" for every service: stopped at [`NOW`] until a test moves it.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn advance(&self, by: chrono::TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Five services on one backend; they stop when dropped.
pub struct Suite {
    pub label: &'static str,
    /// Every client signs its calls as the gateway does: the services answer nothing else.
    pub surveys: SurveyServiceClient<InternalChannel>,
    pub reminder: ReminderServiceClient<InternalChannel>,
    pub complaints: ComplaintServiceClient<InternalChannel>,
    pub profile: ProfileServiceClient<InternalChannel>,
    pub tiering: TieringServiceClient<InternalChannel>,
    pub clock: Arc<TestClock>,
    /// The survey's roller, run by the test before it reads a report.
    pub roller: Roller,
    /// Mobile numbers handed out so far.
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
    let clock = Arc::new(TestClock(Mutex::new(NOW.parse().unwrap())));
    let cache = env.cache().await;
    let fail = |service: &str, e: &dyn std::fmt::Display| -> ! {
        panic!("[{label}] {service} service starts: {e}")
    };
    let profile_app =
        vipcare_profile::App::build_with_clock(&env.settings(), cache.clone(), clock.clone())
            .await
            .unwrap_or_else(|e| fail("profile", &e));
    let profile_addr = profile_app.local_addr();
    // Tiering's tier-change notices are not what these tests are about: they wait in its
    // outbox for a reminder service at an address nothing listens on.
    let tiering_app = vipcare_tiering::App::build_with_clock(
        &env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\nreminder = \"http://127.0.0.1:9\"\n"
        )),
        cache.clone(),
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("tiering", &e));
    let tiering_addr = tiering_app.local_addr();
    let peers = format!(
        "[services]\nprofile = \"http://{profile_addr}\"\ntiering = \"http://{tiering_addr}\"\n"
    );
    let reminder_app = vipcare_reminder::App::build_with_clock(
        &env.settings_with(&format!("{peers}[reminder]\nworkers = 0\n")),
        cache.clone(),
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("reminder", &e));
    let reminder_addr = reminder_app.local_addr();
    let peers = format!("{peers}reminder = \"http://{reminder_addr}\"\n");
    let complaint_app = vipcare_complaint::App::build_with_clock(
        &env.settings_with(&format!("{peers}[complaint]\nsweep_seconds = 0\n")),
        cache.clone(),
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("complaint", &e));
    let complaint_addr = complaint_app.local_addr();
    let survey_app = vipcare_survey::App::build_with_clock(
        &env.settings_with(&format!(
            "{peers}complaint = \"http://{complaint_addr}\"\n[survey]\nroll_seconds = 0\n"
        )),
        cache,
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("survey", &e));
    let survey_addr = survey_app.local_addr();
    let roller = survey_app.roller();
    let mut stops = Vec::new();
    tokio::spawn(profile_app.run(stopped(&mut stops)));
    tokio::spawn(tiering_app.run(stopped(&mut stops)));
    tokio::spawn(reminder_app.run(stopped(&mut stops)));
    tokio::spawn(complaint_app.run(stopped(&mut stops)));
    tokio::spawn(survey_app.run(stopped(&mut stops)));
    wait_serving(profile_addr, vipcare_proto::service_names::PROFILE).await;
    wait_serving(tiering_addr, vipcare_proto::service_names::TIERING).await;
    wait_serving(reminder_addr, vipcare_proto::service_names::REMINDER).await;
    wait_serving(complaint_addr, vipcare_proto::service_names::COMPLAINT).await;
    wait_serving(survey_addr, vipcare_proto::service_names::SURVEY).await;
    Suite {
        label,
        surveys: SurveyServiceClient::new(env.internal_channel(survey_addr)),
        reminder: ReminderServiceClient::new(env.internal_channel(reminder_addr)),
        complaints: ComplaintServiceClient::new(env.internal_channel(complaint_addr)),
        profile: ProfileServiceClient::new(env.internal_channel(profile_addr)),
        tiering: TieringServiceClient::new(env.internal_channel(tiering_addr)),
        clock,
        roller,
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

/// Survey staff with every survey scope.
pub fn staff() -> Caller {
    Caller::new(
        "hall-7",
        "hall",
        &["survey:read", "survey:write", "survey:admin"],
    )
}

/// The gateway's token-only client of the survey page.
pub fn survey_link() -> Caller {
    Caller::new("survey-link", "web", &["survey:respond"])
}

/// `message` sent as `caller`.
pub fn as_caller<T>(caller: &Caller, message: T) -> Request<T> {
    let mut request = Request::new(message);
    caller.write_to(request.metadata_mut());
    request
}

/// `message` sent by survey staff.
pub fn by_staff<T>(message: T) -> Request<T> {
    as_caller(&staff(), message)
}

/// An invitation to rate an on-site visit by staff member `E1001` at hall `H01`.
pub fn invitation(customer_id: &str) -> pb::InviteToSurveyRequest {
    pb::InviteToSurveyRequest {
        customer_id: customer_id.into(),
        scenario_code: "ON_SITE_VISIT".into(),
        context: Some(pb::SurveyContext {
            hall_id: "H01".into(),
            staff_id: "E1001".into(),
            ..Default::default()
        }),
        channel: pb::SurveyChannel::Sms as i32,
        request_id: String::new(),
    }
}

/// Moment scores as the request carries them.
pub fn scores(pairs: &[(&str, i32)]) -> Vec<pb::MomentScore> {
    pairs
        .iter()
        .map(|(moment_code, score)| pb::MomentScore {
            moment_code: (*moment_code).into(),
            score: *score,
        })
        .collect()
}

/// The worked example of the README (and `domain/score_tests.rs`): an on-site visit that went
/// well but for the complaint.
pub fn worked_example() -> Vec<pb::MomentScore> {
    scores(&[
        ("APPOINTMENT", 5),
        ("ARRIVAL", 4),
        ("BUSINESS_HANDLING", 4),
        ("QUESTION_ANSWERING", 4),
        ("COMPLAINT_HANDLING", 1),
        ("FOLLOW_UP", 4),
    ])
}

/// An answer by invitation token.
pub fn by_token(token: &str, moment_scores: Vec<pb::MomentScore>) -> pb::SubmitResponseRequest {
    pb::SubmitResponseRequest {
        invitation_token: token.into(),
        moment_scores,
        ..Default::default()
    }
}

/// A staff-assisted answer at hall `hall` about staff member `staff`.
pub fn at_hall(
    customer_id: &str,
    scenario: &str,
    hall: &str,
    staff: &str,
    moment_scores: Vec<pb::MomentScore>,
) -> pb::SubmitResponseRequest {
    pb::SubmitResponseRequest {
        customer_id: customer_id.into(),
        scenario_code: scenario.into(),
        context: Some(pb::SurveyContext {
            hall_id: hall.into(),
            staff_id: staff.into(),
            ..Default::default()
        }),
        moment_scores,
        ..Default::default()
    }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

impl Suite {
    /// A new customer; with `tier` (a tier code such as "DIAMOND") set by an override, or the
    /// base tier when empty; with `account_manager` when not empty. Returns its id.
    pub async fn customer(&mut self, tier: &str, account_manager: &str) -> String {
        self.numbers += 1;
        let customer = profile::Customer {
            msisdn: format!("139{:08}", self.numbers),
            name: "李秀英".into(),
            gender: profile::Gender::Female as i32,
            contact_preferences: Some(profile::ContactPreferences {
                preferred_channels: vec![common::ContactChannel::Sms as i32],
                quiet_hours: None,
                opted_out_touchpoints: Vec::new(),
            }),
            account_manager_id: account_manager.into(),
            status: profile::CustomerStatus::Active as i32,
            ..Default::default()
        };
        let request = profile::CreateCustomerRequest {
            customer: Some(customer),
            request_id: String::new(),
        };
        let creator = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        let id = self
            .profile
            .create_customer(as_caller(&creator, request))
            .await
            .unwrap_or_else(|s| panic!("[{}] create customer: {s:?}", self.label))
            .into_inner()
            .customer
            .unwrap()
            .customer_id;
        if !tier.is_empty() {
            let request = tiering::OverrideTierRequest {
                customer_id: id.clone(),
                tier: tier.into(),
                reason: "test customer".into(),
                actor: "E9000".into(),
                ..Default::default()
            };
            self.tiering
                .override_tier(as_caller(&creator, request))
                .await
                .unwrap_or_else(|s| panic!("[{}] override tier: {s:?}", self.label));
        }
        id
    }

    /// Invites as staff, panicking on a refusal.
    pub async fn invite(
        &mut self,
        request: pb::InviteToSurveyRequest,
    ) -> pb::InviteToSurveyResponse {
        self.surveys
            .invite_to_survey(by_staff(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] invite: {s:?}", self.label))
            .into_inner()
    }

    /// Submits as `caller`, panicking on a refusal; the score.
    pub async fn submit(
        &mut self,
        caller: &Caller,
        request: pb::SubmitResponseRequest,
    ) -> pb::JourneyScore {
        self.surveys
            .submit_response(as_caller(caller, request))
            .await
            .unwrap_or_else(|s| panic!("[{}] submit: {s:?}", self.label))
            .into_inner()
            .score
            .unwrap()
    }

    /// Folds every response given so far into the roll-ups.
    pub async fn roll(&self) -> u64 {
        self.roller
            .roll_all()
            .await
            .unwrap_or_else(|e| panic!("[{}] roll: {e}", self.label))
    }

    /// The reminders the reminder service holds for `customer_id` once `done` says they are
    /// what the test waits for; as they are after 10 s if not. The relay delivers after the
    /// commit (woken by it, so this waits for a delivery, not a poll interval), in another
    /// task, and nothing tells a client when it has.
    pub async fn reminders_until(
        &mut self,
        customer_id: &str,
        done: impl Fn(&[reminder::Reminder]) -> bool,
    ) -> Vec<reminder::Reminder> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let request = reminder::ListRemindersRequest {
                customer_id: customer_id.into(),
                page_size: 500,
                ..Default::default()
            };
            let found = self
                .reminder
                .list_reminders(request)
                .await
                .unwrap_or_else(|s| panic!("[{}] list reminders: {s:?}", self.label))
                .into_inner()
                .reminders;
            if done(&found) || tokio::time::Instant::now() > deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The detractors listed once `done` says they are what the test waits for (the follow-up's
    /// fate is recorded when the relay hears back from the complaint service); as they are after
    /// 10 s if not.
    pub async fn detractors_until(
        &mut self,
        request: pb::ListDetractorsRequest,
        done: impl Fn(&[pb::Detractor]) -> bool,
    ) -> Vec<pb::Detractor> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found = self
                .surveys
                .list_detractors(by_staff(request.clone()))
                .await
                .unwrap_or_else(|s| panic!("[{}] list detractors: {s:?}", self.label))
                .into_inner()
                .detractors;
            if done(&found) || tokio::time::Instant::now() > deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
