//! A profile, a tiering, a reminder and a complaint service per backend, wired as in the suite:
//! the complaint service reads customers from the profile and tiers from tiering, and its
//! outbox relay delivers notices and staff tasks to the reminder service. All four read one
//! clock the test can move. The complaint service runs no background pass of its own (a test
//! runs `pass` when it moved the clock) and the reminder no dispatch workers, so what a test
//! reads never races them. The calls the scenarios share live here.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tonic::Request;
use vipcare_complaint::sweep::{Sweep, Swept};
use vipcare_domain::Clock;
use vipcare_proto::common::v1 as common;
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::reminder::v1 as reminder;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::tiering::v1 as tiering;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::InternalChannel;
use vipcare_testkit::{TestEnv, wait_serving};

pub use vipcare_runtime::Caller;
pub use vipcare_testkit::status::{assert_invalid, code, refusal};

/// The services' "now": Monday 2026-06-15 12:00 in Shanghai, inside working hours.
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

/// Four services on one backend; they stop when dropped.
pub struct Suite {
    pub label: &'static str,
    /// Every client signs its calls as the gateway does: the services answer nothing else.
    pub complaints: ComplaintServiceClient<InternalChannel>,
    pub reminder: ReminderServiceClient<InternalChannel>,
    pub profile: ProfileServiceClient<InternalChannel>,
    pub tiering: TieringServiceClient<InternalChannel>,
    pub clock: Arc<TestClock>,
    /// The complaint service's background pass, run by the test after moving the clock.
    pub sweep: Arc<Sweep>,
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
    let complaint_app = vipcare_complaint::App::build_with_clock(
        &env.settings_with(&format!(
            "{peers}reminder = \"http://{reminder_addr}\"\n[complaint]\nsweep_seconds = 0\n"
        )),
        cache,
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("complaint", &e));
    let complaint_addr = complaint_app.local_addr();
    let sweep = complaint_app.sweep();
    let mut stops = Vec::new();
    tokio::spawn(profile_app.run(stopped(&mut stops)));
    tokio::spawn(tiering_app.run(stopped(&mut stops)));
    tokio::spawn(reminder_app.run(stopped(&mut stops)));
    tokio::spawn(complaint_app.run(stopped(&mut stops)));
    wait_serving(profile_addr, vipcare_proto::service_names::PROFILE).await;
    wait_serving(tiering_addr, vipcare_proto::service_names::TIERING).await;
    wait_serving(reminder_addr, vipcare_proto::service_names::REMINDER).await;
    wait_serving(complaint_addr, vipcare_proto::service_names::COMPLAINT).await;
    Suite {
        label,
        complaints: ComplaintServiceClient::new(env.internal_channel(complaint_addr)),
        reminder: ReminderServiceClient::new(env.internal_channel(reminder_addr)),
        profile: ProfileServiceClient::new(env.internal_channel(profile_addr)),
        tiering: TieringServiceClient::new(env.internal_channel(tiering_addr)),
        clock,
        sweep,
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

/// A hotline agent with the scopes complaints are handled under.
pub fn agent() -> Caller {
    Caller::new(
        "hotline-1",
        "hotline",
        &["complaint:read", "complaint:write", "complaint:admin"],
    )
}

/// `message` sent as `caller`.
pub fn as_caller<T>(caller: &Caller, message: T) -> Request<T> {
    let mut request = Request::new(message);
    caller.write_to(request.metadata_mut());
    request
}

/// `message` sent as the hotline agent.
pub fn by_agent<T>(message: T) -> Request<T> {
    as_caller(&agent(), message)
}

/// A well-formed opening by staff member `E1001` on the hotline: a billing complaint of
/// medium severity.
pub fn opening(customer_id: &str) -> pb::OpenComplaintRequest {
    pb::OpenComplaintRequest {
        customer_id: customer_id.into(),
        channel: pb::Channel::Hotline as i32,
        category: pb::Category::Billing as i32,
        severity: pb::Severity::Medium as i32,
        summary: "本月话费多扣了30元".into(),
        description: "客户称未订购的流量包被扣费".into(),
        first_contact_owner: "E1001".into(),
        ..Default::default()
    }
}

impl Suite {
    /// A new customer; with `tier` (a tier code such as "DIAMOND") set by an override, or the
    /// base tier when empty. Returns its id.
    pub async fn customer(&mut self, tier: &str) -> String {
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
            status: profile::CustomerStatus::Active as i32,
            ..Default::default()
        };
        let request = profile::CreateCustomerRequest {
            customer: Some(customer),
            request_id: String::new(),
        };
        let staff = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        let id = self
            .profile
            .create_customer(as_caller(&staff, request))
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
                .override_tier(as_caller(&staff, request))
                .await
                .unwrap_or_else(|s| panic!("[{}] override tier: {s:?}", self.label));
        }
        id
    }

    /// Opens `request` as the agent, panicking on a refusal.
    pub async fn open(&mut self, request: pb::OpenComplaintRequest) -> pb::OpenComplaintResponse {
        self.complaints
            .open_complaint(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] open: {s:?}", self.label))
            .into_inner()
    }

    pub async fn get(&mut self, complaint_id: &str) -> pb::Complaint {
        let request = pb::GetComplaintRequest {
            complaint_id: complaint_id.into(),
        };
        self.complaints
            .get_complaint(by_agent(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] get {complaint_id}: {s:?}", self.label))
            .into_inner()
            .complaint
            .unwrap()
    }

    /// Moves every service's clock on and runs the complaint pass once.
    pub async fn advance_and_sweep(&mut self, by: chrono::TimeDelta) -> Swept {
        self.clock.advance(by);
        self.sweep
            .pass()
            .await
            .unwrap_or_else(|e| panic!("[{}] complaint pass: {e}", self.label))
    }

    /// The reminders the reminder service holds for `customer_id` (notices to them and tasks
    /// about them), once at least `at_least` arrived from the complaint outbox.
    pub async fn reminders_of(
        &mut self,
        customer_id: &str,
        at_least: usize,
    ) -> Vec<reminder::Reminder> {
        self.reminders_until(customer_id, |all| all.len() >= at_least)
            .await
    }

    /// The reminders held for `customer_id` once `done` says they are what the test waits for;
    /// as they are after 10 s if not. The one wait of these tests: the relay delivers after the
    /// commit (woken by it, so this waits for a delivery, not a poll interval), in another task,
    /// and nothing tells a client when it has.
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
}
