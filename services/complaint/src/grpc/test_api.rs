//! Handlers on a fresh migrated store per configured backend and no peers: a [`ComplaintApi`]
//! whose clock stands still, and complaints stored and moved as the service stores them, so a
//! handler's reads and writes are tested without the services around it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use vipcare_domain::FixedClock;
use vipcare_storage::idempotency::Idempotency;
use vipcare_testkit::TestEnv;

use super::ComplaintApi;
use crate::domain::{
    BusinessCalendar, Channel, ClockEffect, Complaint, ComplaintDraft, ComplaintState, Move,
    NewComplaint, Severity, SlaClock, SlaPolicy, apply,
};
use crate::rules::Rules;
use crate::store::{Migrator, Schedule, StoredComplaint, complaints};
use crate::upstream::FixedDirectory;

/// One backend's service, stopped at one instant.
pub(in crate::grpc) struct Bench {
    pub label: &'static str,
    pub api: ComplaintApi,
    _env: TestEnv,
}

pub(in crate::grpc) async fn benches(now: DateTime<Utc>) -> Vec<Bench> {
    let mut all = Vec::new();
    for env in TestEnv::all().await {
        let db = env.database("complaint").await;
        db.migrate::<Migrator>().await.expect("the schema migrates");
        let api = ComplaintApi::new(
            db.clone(),
            Idempotency::new(&db, Duration::from_secs(3600)),
            Arc::new(FixedClock(now)),
            Arc::new(FixedDirectory::default()),
            Arc::new(Notify::new()),
            Arc::new(Rules::default()),
        );
        all.push(Bench {
            label: env.label,
            api,
            _env: env,
        });
    }
    all
}

/// What a test opens: a DIAMOND customer's billing complaint of medium severity by `E1001`.
#[derive(Debug, Clone)]
pub(in crate::grpc) struct Opening {
    pub channel: Channel,
    pub severity: Severity,
    pub owner: &'static str,
    pub at: DateTime<Utc>,
}

impl Opening {
    pub fn at(at: DateTime<Utc>) -> Opening {
        Opening {
            channel: Channel::Hall,
            severity: Severity::Medium,
            owner: "E1001",
            at,
        }
    }
}

/// The schedule under the default policy, nothing fired.
fn scheduled(c: &Complaint, clock: &SlaClock) -> Schedule {
    let target = SlaPolicy::default().target(&c.tier_at_opening, c.severity);
    Schedule::of(clock, &target, &BusinessCalendar::default(), &[])
}

pub(in crate::grpc) async fn open(api: &ComplaintApi, o: Opening) -> StoredComplaint {
    let values = NewComplaint {
        customer_id: format!("c-{}", uuid::Uuid::now_v7()),
        channel: Some(o.channel),
        category: Some(crate::domain::Category::Billing),
        severity: Some(o.severity),
        summary: "话费多扣了".into(),
        description: String::new(),
        first_contact_owner: o.owner.into(),
    };
    let draft = ComplaintDraft::new(values, o.at).expect("a valid complaint");
    let complaint = Complaint::open(
        uuid::Uuid::now_v7().to_string(),
        draft,
        "DIAMOND".into(),
        None,
    );
    let clock = SlaClock::start(o.at);
    let stored = StoredComplaint {
        schedule: scheduled(&complaint, &clock),
        complaint,
        clock,
        pause_reasons: Vec::new(),
        update_time: o.at,
    };
    complaints::insert(api.db.conn(), &stored)
        .await
        .expect("stored");
    stored
}

/// `the_move` made on `c` at `at` and saved, its clock kept as the service keeps it.
pub(in crate::grpc) async fn make(
    api: &ComplaintApi,
    c: &StoredComplaint,
    the_move: Move,
    at: DateTime<Utc>,
) -> StoredComplaint {
    let mut next = c.clone();
    let reason = match &the_move {
        Move::WaitForCustomer { reason } => reason.clone(),
        _ => String::new(),
    };
    let effects = apply(&mut next.complaint, the_move, "E1001", at).expect("allowed");
    match effects.clocks {
        ClockEffect::Unchanged | ClockEffect::Restart => {}
        ClockEffect::Pause => {
            next.clock.pause(at).expect("pauses");
            next.pause_reasons.push(reason);
        }
        ClockEffect::Resume => next.clock.resume(at).expect("resumes"),
        ClockEffect::Stop => next.clock.resolve(at).expect("stops"),
    }
    if (effects.from, effects.to) == (ComplaintState::Open, ComplaintState::Acknowledged) {
        next.clock.respond(at).expect("responds");
    }
    next.schedule = scheduled(&next.complaint, &next.clock);
    next.update_time = at;
    let entry = next.complaint.timeline.last().expect("an entry").clone();
    complaints::save_move(api.db.conn(), &next, c.complaint.version, &entry)
        .await
        .expect("saved");
    next
}
