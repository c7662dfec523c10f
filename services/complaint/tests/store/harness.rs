//! A migrated complaint store per configured backend (embedded SQLite always; PostgreSQL when
//! the test environment names one), and complaints built as the service builds them, at a
//! fixed "now".

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_complaint::domain::{
    BusinessCalendar, Category, Channel, ClockEffect, Complaint, ComplaintDraft, ComplaintState,
    Effects, Level, Move, NewComplaint, Severity, SlaClock, SlaPolicy, apply,
};
use vipcare_complaint::store::{Migrator, Schedule, StoredComplaint, complaints};
use vipcare_storage::Database;
use vipcare_testkit::TestEnv;

/// The tests' "now": 09:00 on a Monday in Shanghai.
pub fn now() -> DateTime<Utc> {
    "2026-03-02T01:00:00Z".parse().expect("a time")
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
        let db = env.database("complaint").await;
        db.migrate::<Migrator>()
            .await
            .expect("the complaint schema migrates");
        stores.push(Store {
            label: env.label,
            db,
            _env: env,
        });
    }
    stores
}

/// What a test opens.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    pub customer: &'a str,
    pub owner: &'a str,
    pub category: Category,
    pub channel: Channel,
    pub severity: Severity,
    pub tier: &'a str,
    /// From [`now`].
    pub opened_in: TimeDelta,
}

impl<'a> Ask<'a> {
    pub fn new(customer: &'a str) -> Ask<'a> {
        Ask {
            customer,
            owner: "staff-1",
            category: Category::Billing,
            channel: Channel::Hall,
            severity: Severity::Medium,
            tier: "DIAMOND",
            opened_in: TimeDelta::zero(),
        }
    }

    pub fn at(self, opened_in: TimeDelta) -> Ask<'a> {
        Ask { opened_in, ..self }
    }

    /// The complaint as opened, its clock started and scheduled under the default policy.
    pub fn build(&self) -> StoredComplaint {
        let opened_at = now() + self.opened_in;
        let values = NewComplaint {
            customer_id: self.customer.to_owned(),
            channel: Some(self.channel),
            category: Some(self.category),
            severity: Some(self.severity),
            summary: "话费多扣了".to_owned(),
            description: "上月账单多了 30 元流量费。\n客户要求说明。".to_owned(),
            first_contact_owner: self.owner.to_owned(),
        };
        let draft = ComplaintDraft::new(values, opened_at).expect("the test's complaint is valid");
        let id = uuid::Uuid::now_v7().to_string();
        let complaint = Complaint::open(id, draft, self.tier.to_owned(), None);
        let clock = SlaClock::start(opened_at);
        let schedule = schedule_of(&complaint, &clock, &[]);
        StoredComplaint {
            complaint,
            clock,
            pause_reasons: Vec::new(),
            schedule,
            update_time: opened_at,
        }
    }
}

/// The schedule of a clock under the default policy and calendar.
pub fn schedule_of(complaint: &Complaint, clock: &SlaClock, fired: &[Level]) -> Schedule {
    let target = SlaPolicy::default().target(&complaint.tier_at_opening, complaint.severity);
    Schedule::of(clock, &target, &BusinessCalendar::default(), fired)
}

/// Stores what `ask` builds and returns it.
pub async fn opened(db: &Database, ask: Ask<'_>) -> StoredComplaint {
    let new = ask.build();
    complaints::insert(db.conn(), &new)
        .await
        .expect("the complaint is stored");
    new
}

/// `the_move` made on `c` by `actor` at `at`: the complaint moved with its clock and schedule
/// kept as the service keeps them (pause reasons included), and the effects.
pub fn moved(
    c: &StoredComplaint,
    the_move: Move,
    actor: &str,
    at: DateTime<Utc>,
) -> (StoredComplaint, Effects) {
    let mut next = c.clone();
    let reason = match &the_move {
        Move::WaitForCustomer { reason } => Some(reason.clone()),
        _ => None,
    };
    let effects = apply(&mut next.complaint, the_move, actor, at).expect("the move is allowed");
    let clock = &mut next.clock;
    match effects.clocks {
        ClockEffect::Unchanged => {}
        ClockEffect::Pause => {
            clock.pause(at).expect("pauses");
            next.pause_reasons.push(reason.unwrap_or_default());
        }
        ClockEffect::Resume => clock.resume(at).expect("resumes"),
        ClockEffect::Stop => clock.resolve(at).expect("stops"),
        ClockEffect::Restart => {
            *clock = SlaClock::start(at);
            next.pause_reasons.clear();
        }
    }
    // The response: the acknowledgement, or after a reopen the start of work.
    let responds = matches!(
        (effects.from, effects.to),
        (ComplaintState::Open, ComplaintState::Acknowledged)
            | (ComplaintState::Reopened, ComplaintState::InProgress)
    );
    if responds {
        clock.respond(at).expect("responds");
    }
    next.schedule = schedule_of(&next.complaint, &next.clock, &[]);
    next.update_time = at;
    (next, effects)
}

/// Makes the move and saves it over the version it was made from.
pub async fn save(
    db: &Database,
    c: &StoredComplaint,
    the_move: Move,
    at: DateTime<Utc>,
) -> StoredComplaint {
    let (next, _) = moved(c, the_move, "staff-1", at);
    let entry = next.complaint.timeline.last().expect("an entry").clone();
    complaints::save_move(db.conn(), &next, c.complaint.version, &entry)
        .await
        .expect("the move is saved");
    next
}

/// `c` as the store reads it back: no timeline.
pub fn as_read(c: &StoredComplaint) -> StoredComplaint {
    let mut c = c.clone();
    c.complaint.timeline.clear();
    c
}
