//! A dispatch world per backend: the migrated, seeded reminder store, a webhook sink per channel
//! standing in for the SMS, push and account-manager providers, a directory that is a fixed map
//! (it stands in for the profile and tiering here; the service tests use the real ones), and a
//! clock the test moves. Dispatchers are built over it and driven by `tick`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::BoxFuture;
use vipcare_domain::Clock;
use vipcare_reminder::channel::{AdapterKind, ChannelSettings, Channels, ChannelsSettings};
use vipcare_reminder::dispatch::{DispatchPolicy, Dispatcher, RoamingZones};
use vipcare_reminder::domain::rule::default_rule;
use vipcare_reminder::domain::{
    ContactChannel, HistoryEntry, Reason, Reminder, ReminderDraft, ReminderState, Rendered,
    ScheduleValues, Touchpoint, new_reminder_id,
};
use vipcare_reminder::store::reminders::{self, ReminderRecord, Scheduled};
use vipcare_reminder::store::{Migrator, StoreError, seed};
use vipcare_reminder::upstream::{Contact, CustomerDirectory, UpstreamError};
use vipcare_storage::Database;
use vipcare_testkit::TestEnv;
use vipcare_testkit::webhook_sink::{Received, WebhookSink};

/// 09:00 on a Monday in Shanghai, where the tests' customers live.
pub const MORNING: &str = "2026-03-02T01:00:00Z";
/// 23:00 that day in Shanghai: quiet hours (22:00-08:00).
pub const NIGHT: &str = "2026-03-02T15:00:00Z";

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test time")
}

pub fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// A clock the test sets and moves.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("test clock") = at;
    }

    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().expect("test clock") += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("test clock")
    }
}

/// The profile and tiering as a fixed map; `down` makes them unavailable.
#[derive(Debug, Default)]
pub struct FixedDirectory {
    contacts: Mutex<HashMap<String, Contact>>,
    down: Mutex<bool>,
}

impl FixedDirectory {
    pub fn put(&self, contact: Contact) {
        let mut map = self.contacts.lock().expect("directory");
        map.insert(contact.customer_id.clone(), contact);
    }

    pub fn set_down(&self, down: bool) {
        *self.down.lock().expect("directory") = down;
    }
}

impl CustomerDirectory for FixedDirectory {
    fn contact(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>> {
        let answer = if *self.down.lock().expect("directory") {
            Err(UpstreamError::Unavailable {
                service: "profile",
                reason: "down for the test".into(),
            })
        } else {
            Ok(self
                .contacts
                .lock()
                .expect("directory")
                .get(customer_id)
                .cloned())
        };
        Box::pin(futures::future::ready(answer))
    }
}

/// Customers roaming where the test says.
#[derive(Debug, Default)]
pub struct FixedZones(pub Mutex<HashMap<String, String>>);

impl RoamingZones for FixedZones {
    fn zones<'a>(
        &'a self,
        customer_ids: &'a [&'a str],
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<HashMap<String, String>, StoreError>> {
        let all = self.0.lock().expect("zones");
        let zones = customer_ids
            .iter()
            .filter_map(|id| Some(((*id).to_owned(), all.get(*id)?.clone())))
            .collect();
        Box::pin(futures::future::ready(Ok(zones)))
    }
}

pub struct World {
    pub label: &'static str,
    pub db: Database,
    pub clock: Arc<TestClock>,
    pub directory: Arc<FixedDirectory>,
    pub sms: WebhookSink,
    pub push: WebhookSink,
    pub manager: WebhookSink,
    pub channels: Arc<Channels>,
    _env: TestEnv,
}

/// A fresh world on every configured backend, the clock at [`MORNING`].
pub async fn worlds() -> Vec<World> {
    let mut worlds = Vec::new();
    for env in TestEnv::all().await {
        let db = env.database("reminder").await;
        db.migrate::<Migrator>().await.expect("the schema migrates");
        seed::defaults(db.conn(), t(MORNING))
            .await
            .expect("defaults seed");
        let clock = Arc::new(TestClock(Mutex::new(t(MORNING))));
        let (sms, push, manager) = (sink().await, sink().await, sink().await);
        let webhook = |sink: &WebhookSink| {
            Some(ChannelSettings {
                kind: AdapterKind::Webhook,
                url: Some(sink.url()),
                timeout_ms: 10_000,
                // The tests count attempts, not circuits.
                failures_to_open: 1000,
                open_seconds: 30,
            })
        };
        let settings = ChannelsSettings {
            sms: webhook(&sms),
            app_push: webhook(&push),
            account_manager: webhook(&manager),
            ..ChannelsSettings::default()
        };
        let channels = Channels::from_settings(&settings, clock.clone()).expect("channels");
        worlds.push(World {
            label: env.label,
            db,
            clock,
            directory: Arc::new(FixedDirectory::default()),
            sms,
            push,
            manager,
            channels: Arc::new(channels),
            _env: env,
        });
    }
    worlds
}

async fn sink() -> WebhookSink {
    WebhookSink::start().await.expect("a webhook sink")
}

impl World {
    pub fn dispatcher(&self) -> Dispatcher {
        self.dispatcher_with(DispatchPolicy::default())
    }

    pub fn dispatcher_with(&self, policy: DispatchPolicy) -> Dispatcher {
        Dispatcher::new(
            self.db.clone(),
            self.channels.clone(),
            self.directory.clone(),
            self.clock.clone(),
            policy,
        )
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A customer in Shanghai who prefers SMS then push, with default quiet hours.
    pub fn customer(&self, id: &str, tier: &str) -> Contact {
        let mut contact = Contact::new(id);
        contact.name = "张**".into();
        contact.msisdn = Some("13800138000".into());
        contact.channels = vec![ContactChannel::Sms, ContactChannel::AppPush];
        contact.tier = tier.into();
        contact.account_manager_id = Some("am-9".into());
        self.directory.put(contact.clone());
        contact
    }

    /// Stores a reminder for `customer`, due now unless `at` says otherwise.
    pub async fn schedule(&self, ask: Ask<'_>) -> Reminder {
        let now = self.clock.now();
        let rule = default_rule(ask.touchpoint);
        let values = ScheduleValues {
            customer_id: ask.customer.to_owned(),
            send_at: Some(ask.at.unwrap_or(now)),
            deadline: ask.deadline,
            staff_assignee: ask.assignee.to_owned(),
            ..ScheduleValues::default()
        };
        let draft = ReminderDraft::new(values, &rule, now).expect("a valid request");
        let rendered = Rendered {
            template_code: format!("{}.test.sms.zh-cn", ask.touchpoint.code()),
            text: ask.text.to_owned(),
        };
        let (r, _) = Reminder::schedule(new_reminder_id(), draft, rendered, "test", now);
        match reminders::insert(self.db.conn(), &r, rule.supersedes).await {
            Ok(Scheduled::Created(reminder)) => reminder,
            other => panic!("expected a new reminder, got {other:?}"),
        }
    }

    pub async fn record(&self, id: &str) -> ReminderRecord {
        reminders::get_record(self.db.conn(), id)
            .await
            .expect("the reminder is stored")
    }

    pub async fn state(&self, id: &str) -> ReminderState {
        self.record(id).await.reminder.state
    }

    /// The reason of the reminder's latest move.
    pub async fn last(&self, id: &str) -> HistoryEntry {
        let record = self.record(id).await;
        record.history.last().cloned().expect("a history")
    }

    pub async fn reasons(&self, id: &str) -> Vec<Reason> {
        let record = self.record(id).await;
        record.history.iter().map(|h| h.reason).collect()
    }
}

/// What a test schedules.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub customer: &'a str,
    pub touchpoint: Touchpoint,
    pub text: &'a str,
    pub at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    pub assignee: &'a str,
}

impl<'a> Ask<'a> {
    pub fn new(customer: &'a str, touchpoint: Touchpoint, text: &'a str) -> Ask<'a> {
        Ask {
            customer,
            touchpoint,
            text,
            at: None,
            deadline: None,
            assignee: "",
        }
    }

    pub fn at(self, at: DateTime<Utc>) -> Ask<'a> {
        Ask {
            at: Some(at),
            ..self
        }
    }

    pub fn deadline(self, deadline: DateTime<Utc>) -> Ask<'a> {
        Ask {
            deadline: Some(deadline),
            ..self
        }
    }
}

/// The text a POST carried.
pub fn text(post: &Received) -> String {
    post.json
        .as_ref()
        .and_then(|j| j.get("text"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The reminder ids a POST carried, in order.
pub fn carried(post: &Received) -> Vec<String> {
    post.json
        .as_ref()
        .and_then(|j| j.get("reminder_ids"))
        .and_then(|v| v.as_array())
        .map(|ids| {
            ids.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
