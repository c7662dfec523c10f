//! Scheduled work against real databases: each fire starts its job on one replica only, a
//! fire whose starter never answered is taken over after its lease, a missed fire runs when a
//! replica comes back, and nothing fires for times before the schedule was put in force.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use vipcare_domain::{Clock, Schedule};
use vipcare_storage::Database;
use vipcare_storage::schedule::{Fired, Job, Scheduler};
use vipcare_storage::sea_orm_migration::{MigrationTrait, MigratorTrait};
use vipcare_testkit::TestEnv;

struct NoOwnTables;
impl MigratorTrait for NoOwnTables {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        Vec::new()
    }
}

/// A clock the test moves; every replica of a test reads the same one.
#[derive(Debug)]
struct Moving(Mutex<DateTime<Utc>>);

impl Moving {
    fn at(text: &str) -> Arc<Moving> {
        Arc::new(Moving(Mutex::new(text.parse().unwrap())))
    }

    fn set(&self, text: &str) {
        *self.0.lock().unwrap() = text.parse().unwrap();
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for Moving {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A job that counts its starts and fails while `failing` is set.
#[derive(Default)]
struct Counted {
    starts: AtomicUsize,
    failing: AtomicBool,
}

impl Counted {
    fn job(self: &Arc<Self>) -> Job {
        let counted = self.clone();
        Arc::new(move |fire: DateTime<Utc>| {
            let counted = counted.clone();
            Box::pin(async move {
                if counted.failing.load(Ordering::SeqCst) {
                    return Err("the service it starts is away".to_owned());
                }
                let n = counted.starts.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(format!("start {n} for {fire}"))
            })
        })
    }

    fn starts(&self) -> usize {
        self.starts.load(Ordering::SeqCst)
    }
}

async fn open(env: &TestEnv) -> Database {
    let db = Database::connect(env.database_settings(), env.data_dir(), "scheduletest")
        .await
        .unwrap();
    db.migrate::<NoOwnTables>().await.unwrap();
    db
}

fn monthly() -> Schedule {
    // 02:00 on the 1st in Shanghai: 18:00 UTC on the last day of the month before.
    Schedule::parse("0 2 1 * *").unwrap().unwrap()
}

fn replica(db: &Database, clock: &Arc<Moving>, counted: &Arc<Counted>) -> Scheduler {
    Scheduler::new(
        db.clone(),
        "tier-run",
        monthly(),
        clock.clone(),
        counted.job(),
    )
}

#[tokio::test]
async fn each_fire_starts_once_across_replicas() {
    for env in TestEnv::all().await {
        let label = env.label;
        let clock = Moving::at("2026-11-20T00:00:00Z");
        let counted = Arc::new(Counted::default());
        let replicas: Vec<Scheduler> = {
            let mut all = Vec::new();
            for _ in 0..3 {
                all.push(replica(&open(&env).await, &clock, &counted));
            }
            all
        };
        // Put in force on the 20th: the fire of the 1st was before it and never runs.
        for r in &replicas {
            assert_eq!(r.fire_due().await.unwrap(), Fired::Nothing, "{label}");
        }
        clock.set("2026-11-30T18:00:05Z");
        let looks = futures::future::join_all(replicas.iter().map(|r| r.fire_due())).await;
        let started: Vec<_> = looks
            .into_iter()
            .map(Result::unwrap)
            .filter(|f| matches!(f, Fired::Started { .. }))
            .collect();
        assert_eq!(started.len(), 1, "{label}: {started:?}");
        assert_eq!(counted.starts(), 1, "{label}");
        // Later looks before the next fire find nothing to do.
        clock.advance(Duration::hours(3));
        for r in &replicas {
            assert_eq!(r.fire_due().await.unwrap(), Fired::Nothing, "{label}");
        }
        assert_eq!(counted.starts(), 1, "{label}");
    }
}

#[tokio::test]
async fn a_fire_whose_job_failed_is_taken_over_after_its_lease() {
    for env in TestEnv::all().await {
        let label = env.label;
        let clock = Moving::at("2026-11-20T00:00:00Z");
        let counted = Arc::new(Counted::default());
        let first = replica(&open(&env).await, &clock, &counted);
        let second = replica(&open(&env).await, &clock, &counted);
        first.fire_due().await.unwrap();
        clock.set("2026-11-30T18:00:00Z");
        counted.failing.store(true, Ordering::SeqCst);
        let failed = first.fire_due().await.unwrap();
        assert!(
            matches!(failed, Fired::Failed { .. }),
            "{label}: {failed:?}"
        );
        counted.failing.store(false, Ordering::SeqCst);
        // Within the lease the claim keeps the other replica off.
        clock.advance(Duration::minutes(1));
        assert_eq!(second.fire_due().await.unwrap(), Fired::Nothing, "{label}");
        clock.advance(Duration::minutes(5));
        let taken = second.fire_due().await.unwrap();
        let fire: DateTime<Utc> = "2026-11-30T18:00:00Z".parse().unwrap();
        assert!(
            matches!(&taken, Fired::Started { fire: f, .. } if *f == fire),
            "{label}: {taken:?}"
        );
        assert_eq!(counted.starts(), 1, "{label}");
    }
}

#[tokio::test]
async fn a_fire_missed_while_every_replica_was_down_runs_once_when_one_returns() {
    for env in TestEnv::all().await {
        let label = env.label;
        let clock = Moving::at("2026-10-05T00:00:00Z");
        let counted = Arc::new(Counted::default());
        replica(&open(&env).await, &clock, &counted)
            .fire_due()
            .await
            .unwrap();
        // Down from before November's fire until well after December's: only December's runs.
        clock.set("2026-12-10T00:00:00Z");
        let back = replica(&open(&env).await, &clock, &counted);
        let fired = back.fire_due().await.unwrap();
        let december: DateTime<Utc> = "2026-11-30T18:00:00Z".parse().unwrap();
        assert!(
            matches!(&fired, Fired::Started { fire, .. } if *fire == december),
            "{label}: {fired:?}"
        );
        assert_eq!(back.fire_due().await.unwrap(), Fired::Nothing, "{label}");
        assert_eq!(counted.starts(), 1, "{label}");
    }
}

#[tokio::test]
async fn a_changed_expression_holds_from_its_change() {
    for env in TestEnv::all().await {
        let label = env.label;
        let clock = Moving::at("2026-11-20T00:00:00Z");
        let counted = Arc::new(Counted::default());
        let db = open(&env).await;
        replica(&db, &clock, &counted).fire_due().await.unwrap();
        // Daily at 03:00 from the 25th: that day's 03:00 has passed but was before the change.
        clock.set("2026-11-25T12:00:00Z");
        let daily = Scheduler::new(
            db.clone(),
            "tier-run",
            Schedule::parse("0 3 * * *").unwrap().unwrap(),
            clock.clone(),
            counted.job(),
        );
        assert_eq!(daily.fire_due().await.unwrap(), Fired::Nothing, "{label}");
        clock.set("2026-11-25T19:00:05Z");
        assert!(
            matches!(daily.fire_due().await.unwrap(), Fired::Started { .. }),
            "{label}"
        );
        assert_eq!(counted.starts(), 1, "{label}");
    }
}
