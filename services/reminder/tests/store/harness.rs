//! A migrated reminder store per backend, and reminders built as the service builds them:
//! checked drafts under the touchpoint's default rule, scheduled at a fixed "now".

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_reminder::domain::rule::default_rule;
use vipcare_reminder::domain::{
    HistoryEntry, Reminder, ReminderDraft, Rendered, ScheduleValues, Touchpoint, new_reminder_id,
};
use vipcare_reminder::store::reminders::{self, Scheduled};
use vipcare_reminder::store::{Migrator, StoreError};
use vipcare_storage::Database;
use vipcare_testkit::TestEnv;

/// The tests' "now": 09:00 in Shanghai.
pub const NOW: &str = "2026-03-02T01:00:00Z";

pub fn now() -> DateTime<Utc> {
    NOW.parse().expect("NOW is a time")
}

pub fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// One migrated store; the environment (and its PostgreSQL database) lives as long as it.
pub struct Store {
    pub label: &'static str,
    pub db: Database,
    _env: TestEnv,
}

/// A fresh migrated store on every configured backend.
pub async fn stores() -> Vec<Store> {
    let mut stores = Vec::new();
    for env in TestEnv::all().await {
        let db = env.database("reminder").await;
        db.migrate::<Migrator>()
            .await
            .expect("the reminder schema migrates");
        stores.push(Store {
            label: env.label,
            db,
            _env: env,
        });
    }
    stores
}

/// What a test asks to schedule.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    pub customer: &'a str,
    pub touchpoint: Touchpoint,
    /// From [`now`].
    pub send_in: TimeDelta,
    pub dedupe_key: &'a str,
    pub staff_assignee: &'a str,
}

impl<'a> Ask<'a> {
    pub fn new(customer: &'a str, touchpoint: Touchpoint) -> Ask<'a> {
        Ask {
            customer,
            touchpoint,
            send_in: TimeDelta::zero(),
            dedupe_key: "",
            staff_assignee: "",
        }
    }

    pub fn at(self, send_in: TimeDelta) -> Ask<'a> {
        Ask { send_in, ..self }
    }

    pub fn key(self, dedupe_key: &'a str) -> Ask<'a> {
        Ask { dedupe_key, ..self }
    }

    pub fn assignee(self, staff_assignee: &'a str) -> Ask<'a> {
        Ask {
            staff_assignee,
            ..self
        }
    }

    /// The reminder and its first history entry, not yet stored.
    pub fn build(&self) -> (Reminder, HistoryEntry) {
        let values = ScheduleValues {
            customer_id: self.customer.to_owned(),
            variables: [("PLAN_NAME".to_owned(), "5G畅享套餐".to_owned())].into(),
            send_at: Some(now() + self.send_in),
            dedupe_key: self.dedupe_key.to_owned(),
            staff_assignee: self.staff_assignee.to_owned(),
            ..ScheduleValues::default()
        };
        let draft = ReminderDraft::new(values, &default_rule(self.touchpoint), now())
            .expect("the test's request is valid");
        let rendered = Rendered {
            template_code: format!("{}.test.sms.zh-cn", self.touchpoint.code()),
            text: "您的套餐:5G畅享套餐".to_owned(),
        };
        Reminder::schedule(new_reminder_id(), draft, rendered, "hall", now())
    }
}

/// Stores what `ask` builds under the touchpoint's default rule.
pub async fn schedule(db: &Database, ask: Ask<'_>) -> Result<Scheduled, StoreError> {
    let (reminder, _) = ask.build();
    let supersedes = default_rule(ask.touchpoint).supersedes;
    reminders::insert(db.conn(), &reminder, supersedes).await
}

/// Stores a reminder that must be new, and returns it.
pub async fn created(db: &Database, ask: Ask<'_>) -> Reminder {
    match schedule(db, ask).await.expect("the reminder is stored") {
        Scheduled::Created(reminder) => reminder,
        other => panic!("expected a new reminder, got {other:?}"),
    }
}
