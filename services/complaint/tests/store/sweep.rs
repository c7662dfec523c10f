//! The background pass over a real store, its clock moved by the test: levels fire once each at
//! 80% and at the breach with the supervisor's task however often (and however many at once)
//! the pass runs, paused time is not counted, broken promises go to the owner once, and the
//! pass works through more due complaints than one page holds. What it tells is read back from
//! the outbox, as the reminder service would receive it.

mod progress;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use prost::Message;
use tokio::sync::Notify;
use vipcare_complaint::domain::{Level, Move, Promise, Severity};
use vipcare_complaint::rules::Rules;
use vipcare_complaint::store::{StoredComplaint, complaints, escalations, promises};
use vipcare_complaint::sweep::{Sweep, Swept};
use vipcare_domain::Clock;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1::ScheduleReminderRequest;
use vipcare_storage::Database;
use vipcare_storage::sea_orm::ConnectionTrait;

use crate::harness::{Ask, now, opened, save, stores};

/// "Now" for the pass, moved by the test.
#[derive(Debug)]
pub struct MovingClock(Mutex<DateTime<Utc>>);

impl Clock for MovingClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A pass over `db` with its own clock, starting at the harness's "now".
pub struct Pass {
    pub sweep: Arc<Sweep>,
    clock: Arc<MovingClock>,
}

impl Pass {
    pub fn over(db: &Database, batch: u32) -> Pass {
        let mut rules = Rules::default();
        // staff-1 (who the harness opens with) reports to S200, who reports to M30.
        rules.supervisors.insert("staff-1".into(), "S200".into());
        rules.supervisors.insert("S200".into(), "M30".into());
        let clock = Arc::new(MovingClock(Mutex::new(now())));
        let sweep = Sweep::new(
            db.clone(),
            clock.clone(),
            Arc::new(Notify::new()),
            Arc::new(rules),
            batch,
        );
        Pass {
            sweep: Arc::new(sweep),
            clock,
        }
    }

    /// Runs the pass at `now() + at`.
    pub async fn at(&self, at: TimeDelta) -> Swept {
        *self.clock.0.lock().unwrap() = now() + at;
        self.sweep.pass().await.expect("the pass runs")
    }
}

/// Everything the pass (and anything else) put in the outbox for the reminder service, in order.
pub async fn told(db: &Database) -> Vec<ScheduleReminderRequest> {
    let rows = db
        .conn()
        .query_all_raw(vipcare_storage::statement(
            db.conn(),
            "SELECT payload FROM outbox WHERE destination = $1 ORDER BY id",
            ["reminder".into()],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            let payload: Vec<u8> = row.try_get("", "payload").unwrap();
            ScheduleReminderRequest::decode(payload.as_slice()).unwrap()
        })
        .collect()
}

pub fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

/// A DIAMOND HIGH complaint: 24 h to resolve on the calendar clock, so level 1 comes at 19.2 h.
fn diamond_high(customer: &str) -> Ask<'_> {
    Ask {
        severity: Severity::High,
        ..Ask::new(customer)
    }
}

fn staff_tasks(all: &[ScheduleReminderRequest]) -> Vec<&ScheduleReminderRequest> {
    all.iter()
        .filter(|r| r.touchpoint == Touchpoint::StaffTask as i32)
        .collect()
}

async fn levels_of(db: &Database, c: &StoredComplaint) -> Vec<(Level, bool)> {
    escalations::of_complaint(db.conn(), &c.complaint.id)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.level, e.manual))
        .collect()
}

#[tokio::test]
async fn level_one_fires_at_80_percent_and_level_two_at_the_breach_each_once() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, diamond_high("c-1")).await;
        let pass = Pass::over(db, 500);

        assert_eq!(
            pass.at(hours(19)).await.escalated,
            0,
            "{label}: 79% is quiet"
        );
        let l1 = TimeDelta::minutes(19 * 60 + 12);
        for run in 0..3 {
            let swept = pass.at(l1).await;
            assert_eq!(swept.escalated, u64::from(run == 0), "{label}: run {run}");
        }
        let tasks = told(db).await;
        let tasks = staff_tasks(&tasks);
        assert_eq!(tasks.len(), 1, "{label}: one task however often it runs");
        assert_eq!(tasks[0].staff_assignee, "S200", "{label}: the supervisor");
        assert_eq!(tasks[0].customer_id, "c-1");
        assert!(tasks[0].variables["TASK"].contains("一级"), "{label}");
        assert_eq!(levels_of(db, &c).await, [(Level::Level1, false)], "{label}");

        assert_eq!(pass.at(hours(23)).await.escalated, 0, "{label}");
        assert_eq!(pass.at(hours(24)).await.escalated, 1, "{label}: the breach");
        assert_eq!(pass.at(hours(30)).await.escalated, 0, "{label}");
        let all = told(db).await;
        let tasks = staff_tasks(&all);
        assert_eq!(tasks.len(), 2, "{label}");
        assert_eq!(tasks[1].staff_assignee, "M30", "{label}: one step higher");
        assert!(tasks[1].variables["TASK"].contains("二级"), "{label}");
        let read = complaints::get(db.conn(), &c.complaint.id).await.unwrap();
        assert_eq!(
            read.schedule.next_check, None,
            "{label}: nothing left to check"
        );
        assert_eq!(read.complaint.version, 1, "{label}: escalation is no move");
    }
}

#[tokio::test]
async fn a_pass_finding_a_clock_past_its_breach_fires_both_levels() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, diamond_high("c-1")).await;
        let pass = Pass::over(db, 500);
        assert_eq!(pass.at(hours(48)).await.escalated, 2, "{label}");
        let levels = levels_of(db, &c).await;
        assert_eq!(levels.len(), 2, "{label}: {levels:?}");
        let assignees: Vec<_> = staff_tasks(&told(db).await)
            .iter()
            .map(|t| t.staff_assignee.clone())
            .collect();
        assert_eq!(assignees, ["S200", "M30"], "{label}");
    }
}

#[tokio::test]
async fn time_waiting_for_the_customer_is_not_counted() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, diamond_high("c-1")).await;
        let c = save(db, &c, Move::Acknowledge, now() + hours(1)).await;
        let c = save(db, &c, Move::StartWork, now() + hours(1)).await;
        let wait = Move::WaitForCustomer {
            reason: "等客户提供账单截图".into(),
        };
        let c = save(db, &c, wait, now() + hours(2)).await;
        let pass = Pass::over(db, 500);
        assert_eq!(pass.at(hours(40)).await.escalated, 0, "{label}: paused");

        // Two hours counted before the pause: level 1 is 17.2 h of running clock after resuming.
        save(db, &c, Move::ResumeWork, now() + hours(40)).await;
        assert_eq!(pass.at(hours(57)).await.escalated, 0, "{label}");
        let l1 = hours(57) + TimeDelta::minutes(12);
        assert_eq!(pass.at(l1).await.escalated, 1, "{label}");
        assert_eq!(levels_of(db, &c).await, [(Level::Level1, false)], "{label}");
    }
}

#[tokio::test]
async fn a_resolved_complaint_never_escalates() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, diamond_high("c-1")).await;
        let resolve = Move::Resolve {
            resolution: "已退还多扣的话费".into(),
            root_cause_gap: Some(vipcare_complaint::domain::RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        save(db, &c, resolve, now() + hours(3)).await;
        let pass = Pass::over(db, 500);
        assert_eq!(pass.at(hours(48)).await.escalated, 0, "{label}");
        assert!(staff_tasks(&told(db).await).is_empty(), "{label}");
    }
}

#[tokio::test]
async fn a_pass_works_through_more_due_complaints_than_a_page_holds() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        for n in 0..7 {
            let customer = format!("c-{n}");
            opened(db, diamond_high(&customer).at(TimeDelta::minutes(n))).await;
        }
        let pass = Pass::over(db, 2);
        let swept = pass.at(hours(20)).await;
        assert_eq!(
            swept.escalated, 7,
            "{label}: level 1 of each, in pages of 2"
        );
        assert_eq!(staff_tasks(&told(db).await).len(), 7, "{label}");
        assert_eq!(pass.at(hours(20)).await.escalated, 0, "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_passing_at_once_tell_once() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        for n in 0..6 {
            opened(db, diamond_high(&format!("c-{n}"))).await;
        }
        let (one, two) = (Pass::over(db, 4), Pass::over(db, 4));
        let (a, b) = tokio::join!(one.at(hours(25)), two.at(hours(25)));
        assert_eq!(a.escalated + b.escalated, 12, "{label}: {a:?} {b:?}");
        let sent = a.progress_notices + b.progress_notices;
        assert_eq!(sent, 6, "{label}: the first progress notice of each, once");
        let all = told(db).await;
        assert_eq!(staff_tasks(&all).len(), 12, "{label}");
        assert_eq!(all.len(), 18, "{label}: and nothing else");
    }
}

#[tokio::test]
async fn a_broken_promise_is_escalated_once_to_the_first_contact_owner() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let id = "p-1".to_owned();
        let promise = Promise::new(id, "周五中午前回电", now() + hours(2), "staff-2", now())
            .expect("a promise");
        promises::add(db.conn(), &c.complaint.id, &promise, None)
            .await
            .unwrap();
        let kept = Promise::new(
            "p-2".into(),
            "今晚发短信说明",
            now() + hours(1),
            "staff-2",
            now(),
        )
        .expect("a promise");
        promises::add(db.conn(), &c.complaint.id, &kept, None)
            .await
            .unwrap();
        promises::fulfil(db.conn(), &c.complaint.id, "p-2", "staff-2", now(), None)
            .await
            .unwrap();
        let pass = Pass::over(db, 500);

        let on_time = pass.at(hours(2)).await;
        assert_eq!(
            on_time.promises_escalated, 0,
            "{label}: due is still on time"
        );
        let late = hours(2) + TimeDelta::seconds(1);
        assert_eq!(pass.at(late).await.promises_escalated, 1, "{label}");
        assert_eq!(pass.at(hours(5)).await.promises_escalated, 0, "{label}");

        let all = told(db).await;
        let tasks = staff_tasks(&all);
        assert_eq!(tasks.len(), 1, "{label}: the kept promise is not escalated");
        assert_eq!(tasks[0].staff_assignee, "staff-1", "{label}: the owner");
        assert!(
            tasks[0].variables["TASK"].contains("周五中午前回电"),
            "{label}"
        );
        let stored = promises::get(db.conn(), &c.complaint.id, "p-1")
            .await
            .unwrap();
        assert_eq!(stored.escalated_at, Some(now() + late), "{label}");
    }
}
