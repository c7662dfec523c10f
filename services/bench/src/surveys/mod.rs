//! `vipcare-bench surveys`: the survey service (issue 11) in a handful of lines and a ratio.
//!
//! In-process, the bench prepares the suite's store and, before the suite starts, imports
//! `--count` responses over the last 90 days (see [`seed`]), then runs the service's own roller
//! over them until none is left, as the import asks (`surveys-roll`): rolling a store is the
//! roller's job, so its time is printed, not hidden in the load. On PostgreSQL the tables are
//! then vacuumed and analysed, as autovacuum would have done by the time anyone reads them.
//! Through the gateway: SubmitResponse against the health check at the same concurrency
//! (`health`, `surveys-submit`, `ratio throughput=… p99=…`), then GetMomentReport over the 90
//! days, whole and by each grouping (`surveys-report-…`), see [`calls`]. Last, the peak RSS of
//! the process since the roll began (`surveys-rss`): the roll, the service's start, its
//! submissions and reports.
//!
//! `--rss` leaves SubmitResponse out (its load driver's memory would count), so a run with
//! `--count 1000000` compares the roll and the reports at ten times the store. Against a running
//! gateway (`--target`) only the calls run, over the responses it has.

mod calls;
mod seed;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use vipcare_storage::Database;
use vipcare_storage::sea_orm::{ConnectionTrait, DbBackend};
use vipcare_survey::roller::Roller;
use vipcare_survey::store::{Migrator, scenarios};

use crate::cli::SurveysArgs;
use crate::reminders::backlog::{peak_rss_mb, reset_peak_rss, rss_mb};
use crate::target::{Prepared, Target};
use seed::Seeded;

pub(crate) async fn run(args: SurveysArgs) -> anyhow::Result<ExitCode> {
    if let Some(target) = Target::remote(&args.target) {
        eprintln!(
            "a running gateway: SubmitResponse and the reports, over the responses it has (the \
             store, the roll and the RSS need the bench's own suite)"
        );
        let outcome = calls(&target, &args).await;
        target.close().await;
        return outcome;
    }
    let prepared = Prepared::new().await?;
    let rolled = match load(&prepared, &args).await {
        Ok(rolled) => rolled,
        Err(err) => {
            prepared.discard().await;
            return Err(err);
        }
    };
    let target = prepared.start().await?;
    let outcome = calls(&target, &args).await;
    target.close().await;
    print_rss(&rolled, &args);
    outcome
}

/// SubmitResponse (unless `--rss`), then the reports; failing when either saw over 1% errors.
async fn calls(target: &Target, args: &SurveysArgs) -> anyhow::Result<ExitCode> {
    let submitted = if args.rss {
        ExitCode::SUCCESS
    } else {
        calls::submit_lines(target, args).await?
    };
    let reported = calls::report_lines(target, args).await?;
    Ok(if submitted == ExitCode::SUCCESS {
        reported
    } else {
        submitted
    })
}

/// The store as loaded and rolled, with the memory then.
struct Rolled {
    count: u64,
    /// Whether the peak RSS was reset when the roll began (else it covers the process).
    peak_reset: bool,
    start_rss_mb: Option<f64>,
}

async fn load(prepared: &Prepared, args: &SurveysArgs) -> anyhow::Result<Rolled> {
    let settings = &prepared.settings;
    let db = Database::connect(&settings.database, &settings.data_dir, "survey").await?;
    db.migrate::<Migrator>()
        .await
        .context("the survey schema")?;
    let now = vipcare_survey::store::stored_time(Utc::now());
    // As the service does at start: the responses answer the stored scenarios.
    scenarios::ensure_seeded(db.conn(), now)
        .await
        .context("the seeded scenarios")?;
    let policy = settings
        .survey
        .starting_policy()
        .context("the [survey] policy")?;
    let seeded = seed::load(&db, args.count, now, &policy).await?;
    print_setup(prepared, &seeded);
    let peak_reset = reset_peak_rss();
    let start_rss_mb = rss_mb();
    let batch = settings.survey.roll_batch;
    let started = Instant::now();
    let counted = Roller::new(db.clone(), batch)
        .roll_all()
        .await
        .context("rolling the responses up")?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "surveys-roll responses={counted} seconds={seconds:.3} per_s={:.0} batch={batch}",
        counted as f64 / seconds.max(f64::MIN_POSITIVE)
    );
    settle_statistics(&db).await?;
    Ok(Rolled {
        count: seeded.count,
        peak_reset,
        start_rss_mb,
    })
}

/// On PostgreSQL, what autovacuum does within its first minute after a bulk load and a roll
/// that marked every row: the planner's statistics, and the visibility map index-only scans
/// need. A store that has stood a minute has both.
async fn settle_statistics(db: &Database) -> anyhow::Result<()> {
    let conn = db.conn();
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared(
            "VACUUM (ANALYZE) responses, satisfaction, moment_days, journey_days",
        )
        .await
        .context("vacuuming the loaded responses")?;
    }
    Ok(())
}

fn print_setup(prepared: &Prepared, seeded: &Seeded) {
    println!(
        "setup target=in-process backend={} count={} days={} halls={} staff={} customers={} \
         detractors={} roll_batch={} cores={}",
        prepared.backend(),
        seeded.count,
        seed::DAYS,
        seed::HALLS,
        seed::STAFF,
        seeded.customers,
        seeded.detractors,
        prepared.settings.survey.roll_batch,
        std::thread::available_parallelism().map_or(1, usize::from),
    );
    eprintln!(
        "loaded {} responses in {:.1}s ({:.0}/s)",
        seeded.count,
        seeded.seconds,
        seeded.count as f64 / seeded.seconds.max(f64::MIN_POSITIVE)
    );
}

fn print_rss(rolled: &Rolled, args: &SurveysArgs) {
    let since = if rolled.peak_reset {
        "roll-start"
    } else {
        "process-start"
    };
    let work = if args.rss {
        "roll+reports"
    } else {
        "roll+submit+reports"
    };
    match peak_rss_mb() {
        Some(mb) => println!(
            "surveys-rss responses={} peak_rss_mb={mb:.1} since={since} start_rss_mb={:.1} \
             work={work}",
            rolled.count,
            rolled.start_rss_mb.unwrap_or_default()
        ),
        None => eprintln!("vipcare-bench: no /proc/self/status here: peak RSS unknown"),
    }
}
