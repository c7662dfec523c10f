//! A profile, a tiering and a reminder service per backend, wired as in the suite: the reminder
//! reads customers from the profile and tiers from tiering, and tiering's outbox relay delivers
//! its tier changes to the reminder. All three read one clock the test can move. The reminder
//! runs no dispatch workers of its own: a test sends what is due with the dispatcher's `tick`,
//! SMS going to a webhook sink that stands in for the provider, so what a test reads never
//! races a worker. The calls the scenarios share and the assertions live here.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tonic::Request;
use vipcare_domain::Clock;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_reminder::dispatch::Dispatcher;
use vipcare_runtime::InternalChannel;
use vipcare_testkit::webhook_sink::WebhookSink;
use vipcare_testkit::{TestEnv, wait_serving};

pub use vipcare_runtime::Caller;
pub use vipcare_testkit::status::{assert_invalid, code, refusal};

/// The services' "now": 2026-06-15 12:00 in Shanghai, outside anyone's quiet hours.
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

/// Three services on one backend; they stop when dropped.
pub struct Suite {
    pub label: &'static str,
    /// Every client signs its calls as the gateway does: the services answer nothing else.
    pub reminder: ReminderServiceClient<InternalChannel>,
    pub profile: ProfileServiceClient<InternalChannel>,
    pub tiering: TieringServiceClient<InternalChannel>,
    pub clock: Arc<TestClock>,
    /// The reminder's dispatcher, for tests that move the clock and send what is due.
    pub dispatcher: Arc<Dispatcher>,
    /// The SMS provider: takes every message and expects to send a receipt.
    pub sms: WebhookSink,
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
    // Tiering and the reminder each call the other: tiering learns where the reminder is
    // through a forwarder pointed at it once the reminder is bound.
    let (to_reminder, reminder_link) = crate::forward::to_later().await;
    let tiering_app = vipcare_tiering::App::build_with_clock(
        &env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\nreminder = \"http://{reminder_link}\"\n"
        )),
        cache.clone(),
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("tiering", &e));
    let tiering_addr = tiering_app.local_addr();
    let sms = WebhookSink::start().await.expect("the SMS sink listens");
    let reminder_app = vipcare_reminder::App::build_with_clock(
        &env.settings_with(&format!(
            "[services]\nprofile = \"http://{profile_addr}\"\ntiering = \"http://{tiering_addr}\"\n\
             [reminder]\nworkers = 0\n[reminder.channels.sms]\nkind = \"webhook\"\nurl = \"{}\"\n",
            sms.url()
        )),
        cache,
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| fail("reminder", &e));
    let reminder_addr = reminder_app.local_addr();
    to_reminder.send_replace(Some(reminder_addr));
    let dispatcher = reminder_app.dispatcher();
    let mut stops = Vec::new();
    tokio::spawn(profile_app.run(stopped(&mut stops)));
    tokio::spawn(tiering_app.run(stopped(&mut stops)));
    tokio::spawn(reminder_app.run(stopped(&mut stops)));
    wait_serving(profile_addr, vipcare_proto::service_names::PROFILE).await;
    wait_serving(tiering_addr, vipcare_proto::service_names::TIERING).await;
    wait_serving(reminder_addr, vipcare_proto::service_names::REMINDER).await;
    Suite {
        label,
        reminder: ReminderServiceClient::new(env.internal_channel(reminder_addr)),
        profile: ProfileServiceClient::new(env.internal_channel(profile_addr)),
        tiering: TieringServiceClient::new(env.internal_channel(tiering_addr)),
        clock,
        dispatcher,
        sms,
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

/// A clerk in a service hall with the scopes reminders are scheduled under.
pub fn clerk() -> Caller {
    Caller::new("hall-7", "hall", &["reminder:read", "reminder:write"])
}

/// `message` sent as `caller`.
pub fn as_caller<T>(caller: &Caller, message: T) -> Request<T> {
    let mut request = Request::new(message);
    caller.write_to(request.metadata_mut());
    request
}

/// `message` sent as the hall clerk.
pub fn by_clerk<T>(message: T) -> Request<T> {
    as_caller(&clerk(), message)
}

impl Suite {
    /// A new customer (preferring SMS, default quiet hours); returns its id.
    pub async fn customer(&mut self) -> String {
        self.numbers += 1;
        let customer = profile::Customer {
            msisdn: format!("138{:08}", self.numbers),
            name: "王建国".into(),
            gender: profile::Gender::Male as i32,
            contact_preferences: Some(profile::ContactPreferences {
                preferred_channels: vec![common::ContactChannel::Sms as i32],
                quiet_hours: None,
                opted_out_touchpoints: Vec::new(),
            }),
            network_joined_on: Some(common::Date {
                year: 2016,
                month: 1,
                day: 10,
            }),
            status: profile::CustomerStatus::Active as i32,
            ..Default::default()
        };
        let request = profile::CreateCustomerRequest {
            customer: Some(customer),
            request_id: String::new(),
        };
        let staff = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
        self.profile
            .create_customer(as_caller(&staff, request))
            .await
            .unwrap_or_else(|s| panic!("[{}] create customer: {s:?}", self.label))
            .into_inner()
            .customer
            .unwrap()
            .customer_id
    }

    /// Schedules `request` as the clerk, panicking on a refusal.
    pub async fn schedule(
        &mut self,
        request: pb::ScheduleReminderRequest,
    ) -> pb::ScheduleReminderResponse {
        self.reminder
            .schedule_reminder(by_clerk(request))
            .await
            .unwrap_or_else(|s| panic!("[{}] schedule: {s:?}", self.label))
            .into_inner()
    }

    /// Moves every service's clock on and sends what is due then.
    pub async fn advance_and_dispatch(&mut self, by: chrono::TimeDelta) {
        self.clock.advance(by);
        self.dispatch().await;
    }

    /// Rounds of the dispatcher until nothing more is taken in hand.
    pub async fn dispatch(&mut self) {
        for _ in 0..20 {
            let taken = self
                .dispatcher
                .tick()
                .await
                .unwrap_or_else(|e| panic!("[{}] dispatch round: {e}", self.label));
            if taken == 0 {
                return;
            }
        }
        panic!("[{}] dispatch never settled", self.label);
    }

    pub async fn get(&mut self, reminder_id: &str) -> pb::GetReminderResponse {
        let request = pb::GetReminderRequest {
            reminder_id: reminder_id.into(),
        };
        self.reminder
            .get_reminder(request)
            .await
            .unwrap_or_else(|s| panic!("[{}] get {reminder_id}: {s:?}", self.label))
            .into_inner()
    }

    /// Every reminder of the customer, in list order (one big page).
    pub async fn reminders_of(&mut self, customer_id: &str) -> Vec<pb::Reminder> {
        let request = pb::ListRemindersRequest {
            customer_id: customer_id.into(),
            page_size: 500,
            ..Default::default()
        };
        self.reminder
            .list_reminders(request)
            .await
            .unwrap_or_else(|s| panic!("[{}] list: {s:?}", self.label))
            .into_inner()
            .reminders
    }
}

/// A plan-change reminder for `customer_id` with the seeded template's variables, due at once.
pub fn plan_change(customer_id: &str) -> pb::ScheduleReminderRequest {
    pb::ScheduleReminderRequest {
        customer_id: customer_id.into(),
        touchpoint: common::Touchpoint::PlanChange as i32,
        variables: plan_variables(),
        ..Default::default()
    }
}

/// The variables of the seeded plan-change-accepted template.
pub fn plan_variables() -> std::collections::BTreeMap<String, String> {
    [
        ("TRADE_MARK", "全球通"),
        ("PLAN_NAME", "畅享套餐"),
        ("YEAR", "2026"),
        ("MONTH", "7"),
        ("DATE", "1"),
        ("PLAN_DESC", "月费128元,含国内流量30GB。"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A time `hours` after [`NOW`], as the contract carries it.
pub fn hours_from_now(hours: i64) -> prost_types::Timestamp {
    let t: DateTime<Utc> = NOW.parse::<DateTime<Utc>>().unwrap() + chrono::TimeDelta::hours(hours);
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

pub fn state(reminder: &pb::Reminder) -> pb::ReminderState {
    pb::ReminderState::try_from(reminder.state).unwrap_or(pb::ReminderState::Unspecified)
}
