//! The crash test of the reminder service: "never a lost reminder and never a stuck worker".
//! The real `vipcare-reminder` binary dispatches 10,000 reminders of 1,250 customers to local
//! webhook sinks (an SMS provider that takes everything and sends receipts, an e-mail provider
//! that refuses everything, so e-mail falls back to SMS or fails) and is killed with SIGKILL at
//! several random points of the dispatch, then started again on the same store each time, while
//! clerks cancel reminders and the provider reports deliveries. Afterwards every reminder must
//! be in the one end state its customer calls for, none taken by the provider under two
//! idempotency keys, none sent in its customer's quiet hours, and every claim of a killed process
//! taken over within 30 seconds of the kill.
//!
//! Runs on every configured backend (embedded SQLite always; PostgreSQL and Redis when
//! VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are set). The draws (customers' zones,
//! which reminders are superseded or cancelled, where the kills fall) come from a seed printed
//! at the start; VIPCARE_CRASH_SEED replays them. The binary reads the system clock, so waiting
//! here is on real time: the lease is the shortest the settings allow (5 s).

mod backlog;
mod checks;
mod population;
mod receipts;
mod requests;
mod world;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_proto::reminder::v1 as pb;
use vipcare_testkit::TestEnv;

use crate::population::{Draws, population};
use crate::receipts::Receipts;
use crate::world::{World, bounded};

/// Dispatch workers per process, as deployed by default.
const WORKERS: u32 = 2;
/// SIGKILLs per backend.
const KILLS: usize = 5;
/// Kills fall between these numbers of SMS the provider has received (about 1,500 in all).
const KILL_RANGE: (u64, u64) = (20, 1_300);
/// Beyond this after the last restart the dispatch counts as stuck.
const SETTLE_LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "flaky under load (once, on SQLite beside PostgreSQL: 363 reminders still SENT 120 s \
            after the last restart); .ci/run runs it as a reported, non-blocking step until fixed"]
async fn killed_dispatchers_lose_no_reminder_and_send_none_twice() {
    let seed = seed();
    println!("crash test seed {seed} (VIPCARE_CRASH_SEED={seed} replays it)");
    // Side by side: each run waits on its own store and child process more than on the CPU.
    let runs = TestEnv::all().await.into_iter().map(|env| async move {
        run(World::start(env).await, seed).await;
    });
    futures::future::join_all(runs).await;
}

async fn run(mut world: World, seed: u64) {
    let label = world.label;
    let started = Instant::now();
    let mut draws = Draws::new(seed);
    let t0 = Utc::now();
    let population = population(&mut draws, t0);
    let customers = world.create_customers(&population.customers).await;
    let created = started.elapsed();

    let ids = backlog::store(&world.env, &population, &customers, t0).await;
    let scheduled = started.elapsed();

    let credential = world.env.internal_credential();
    let receipts = Receipts::start(world.sms.clone(), credential.clone(), world.reminder_addr());
    world.launch(WORKERS).await;
    let to_cancel = population.reminders.iter().zip(&ids);
    let to_cancel = to_cancel
        .filter(|(p, _)| p.cancel)
        .map(|(_, id)| id.clone());
    let cancels = requests::cancel_all(credential, world.reminder_addr(), to_cancel.collect());
    let mut points: Vec<u64> = (0..KILLS)
        .map(|_| KILL_RANGE.0 + draws.below(KILL_RANGE.1 - KILL_RANGE.0))
        .collect();
    points.sort_unstable();
    for at in points {
        let reached = world.sms.wait_for_posts(at, SETTLE_LIMIT).await;
        assert!(
            reached,
            "[{label}] seed {seed}: dispatch stalled at {} of {at} SMS\n{}",
            world.sms.count(),
            world.log()
        );
        tokio::time::sleep(Duration::from_millis(draws.below(50))).await;
        world.kill();
        world.launch(WORKERS).await;
    }
    let killed = started.elapsed();
    settle(&world, t0, ids.len(), seed).await;
    let settled = started.elapsed();
    let refused_cancels = cancels.await.expect("the canceller does not panic");
    let refused_receipts = receipts.stop().await;
    world.stop().await;

    let records = checks::records(&world, &ids).await;
    let mut failures = checks::failures(&world, &population, &customers, &records);
    if !refused_cancels.is_empty() {
        failures.push(format!("cancels refused: {refused_cancels:?}"));
    }
    if !refused_receipts.is_empty() {
        failures.push(format!("receipts refused: {refused_receipts:?}"));
    }
    println!(
        "[{label}] {} reminders, {} SMS and {} e-mails received, kills at {:?}; customers \
         created by {created:?}, scheduled by {scheduled:?}, last restart at {killed:?}, all \
         ended at {settled:?}, checked at {:?}",
        ids.len(),
        world.sms.count(),
        world.email.count(),
        world
            .kills
            .iter()
            .map(|k| (*k - t0).num_milliseconds())
            .collect::<Vec<_>>(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "[{label}] seed {seed}:\n{}",
        failures.join("\n")
    );
}

/// Waits until every reminder is in an end state, as the service's delivery stats count them.
/// Polled: the binary runs on the system clock, so there is nothing to advance instead.
async fn settle(world: &World, t0: DateTime<Utc>, total: usize, seed: u64) {
    let label = world.label;
    let deadline = Instant::now() + SETTLE_LIMIT;
    let mut client = world.reminder().await;
    let stamp = |t: DateTime<Utc>| prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    };
    let request = pb::GetDeliveryStatsRequest {
        start_time: Some(stamp(t0 - TimeDelta::hours(1))),
        end_time: Some(stamp(t0 + TimeDelta::days(1))),
        group_by: pb::StatsGrouping::Unspecified as i32,
    };
    loop {
        let stats = client
            .get_delivery_stats(bounded(request))
            .await
            .unwrap_or_else(|s| panic!("[{label}] delivery stats: {s:?}"))
            .into_inner()
            .total
            .unwrap_or_default();
        let ended = stats.delivered
            + stats.failed
            + stats.expired
            + stats.suppressed
            + stats.cancelled
            + stats.superseded;
        if usize::try_from(ended).is_ok_and(|n| n >= total) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "[{label}] seed {seed}: {ended} of {total} reminders ended {SETTLE_LIMIT:?} after \
             the last restart: {stats:?}\n{}",
            world.log()
        );
        // The statistics read every reminder: asked often, they would hold SQLite's one
        // connection away from the dispatcher the test is waiting for.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn seed() -> u64 {
    match std::env::var("VIPCARE_CRASH_SEED") {
        Ok(seed) => seed.parse().expect("VIPCARE_CRASH_SEED is a number"),
        Err(_) => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map(|d| d.as_nanos() as u64).unwrap_or(1)
        }
    }
}
