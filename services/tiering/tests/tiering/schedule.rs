//! The evaluation run on its schedule: replicas that look at the schedule at the same moment
//! start one run of the month that had just ended, and it shows in GetEvaluationRun like a
//! manual run; looks before the next fire start nothing more.

use std::sync::Arc;

use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::schedule::{Fired, Scheduler};

use crate::harness::*;

/// A tiering replica beside the suite's, on its database and clock, with the monthly schedule
/// (02:00 on the 1st, Shanghai). It is not run: the test makes it look.
async fn replica(suite: &Suite) -> Arc<Scheduler> {
    let mut settings = suite.tiering_settings().clone();
    settings.tiering.evaluation_schedule = "0 2 1 * *".into();
    let cache = vipcare_cache::Cache::connect(&settings.cache)
        .await
        .expect("the cache connects");
    let app = vipcare_tiering::App::build_with_clock(&settings, cache, suite.clock.clone())
        .await
        .unwrap_or_else(|e| panic!("[{}] a replica starts: {e}", suite.label));
    app.scheduled_runs().expect("the schedule is set")
}

#[tokio::test]
async fn replicas_start_one_run_of_the_month_just_ended_at_its_fire_time() {
    for mut suite in suites().await {
        let label = suite.label;
        let gold = suite.customer_scoring("GOLD").await.customer_id;
        // Embedded SQLite belongs to one process: one replica there.
        let count = if suite.tiering_settings().database.url.is_some() {
            3
        } else {
            1
        };
        let mut replicas = Vec::new();
        for _ in 0..count {
            replicas.push(replica(&suite).await);
        }
        // Put in force on June 15th: nothing is due until July 1st, 02:00 in Shanghai.
        for r in &replicas {
            assert_eq!(r.fire_due().await.unwrap(), Fired::Nothing, "[{label}]");
        }
        suite.clock.advance(chrono::Duration::hours(15 * 24 + 14)); // 2026-06-30T18:00Z
        let looks = futures::future::join_all(replicas.iter().map(|r| r.fire_due())).await;
        let answers: Vec<String> = looks
            .into_iter()
            .filter_map(|look| match look.unwrap() {
                Fired::Started { answer, .. } => Some(answer),
                _ => None,
            })
            .collect();
        assert_eq!(
            answers.len(),
            1,
            "[{label}] one replica starts it: {answers:?}"
        );
        // "run <id> of <period>"
        let run_id = answers[0].split_whitespace().nth(1).expect("the run's id");
        let run = suite.finished_run(run_id).await;
        assert_eq!(run.period, "2026-06", "[{label}]");
        assert!(!run.dry_run, "[{label}]");
        assert_eq!(run.state, pb::RunState::Done as i32, "[{label}] {run:?}");
        assert_eq!(suite.tier_code(&gold).await, "GOLD", "[{label}]");
        // An hour on, every look finds the fire taken.
        suite.clock.advance(chrono::Duration::hours(1));
        for r in &replicas {
            assert_eq!(r.fire_due().await.unwrap(), Fired::Nothing, "[{label}]");
        }
    }
}
