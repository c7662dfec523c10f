//! `vipcare-bench complaints`: the complaint service (issue 10) in four lines and two ratios.
//!
//! In-process, the bench prepares the suite's store and, before the suite starts, loads
//! `--count` open complaints, 15% of them due for escalation and 5% overdue (see [`seed`]).
//! The suite starts with its own background pass off, so nothing moves the store but the bench.
//! Through the gateway: ListComplaints(overdue) against the health check at the same
//! concurrency (`health`, `complaints-overdue`, `ratio throughput=… p99=…`). Then, in-process
//! over the same database: the floor, a bare read of the rows due (`complaints-floor`), and one
//! pass of the service's own (`complaints-pass`, `ratio pass_to_floor`) with the peak RSS
//! meanwhile (`complaints-rss`). The suite keeps running during the pass, as it does in
//! production: its relay delivers whatever the pass enqueues.
//!
//! `--rss` loads the store and runs the floor and the pass without starting the suite, so a run
//! with `--count 1000000` compares the pass's memory at ten times the store. Against a running
//! gateway (`--target`) only the list runs, over the complaints it has.

mod list;
mod pass;
mod seed;

use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use vipcare_complaint::settings::ComplaintSettings;
use vipcare_storage::Database;
use vipcare_storage::sea_orm::{ConnectionTrait, DbBackend};

use crate::cli::ComplaintsArgs;
use crate::target::{Prepared, Target};
use pass::{Floor, Passed};
use seed::Seeded;

pub(crate) async fn run(args: ComplaintsArgs) -> anyhow::Result<ExitCode> {
    if let Some(target) = Target::remote(&args.target) {
        eprintln!(
            "a running gateway: the overdue list only, over the complaints it has (the store \
             and the pass need the bench's own suite)"
        );
        let outcome = list::lines(&target, &args).await;
        target.close().await;
        return outcome;
    }
    let mut prepared = Prepared::new().await?;
    // The bench runs the one pass measured; the service's own would race it for the same rows.
    prepared.settings.complaint.sweep_seconds = 0;
    let loaded = match load(&prepared, &args).await {
        Ok(loaded) => loaded,
        Err(err) => {
            prepared.discard().await;
            return Err(err);
        }
    };
    let settings = prepared.settings.complaint.clone();
    if args.rss {
        let outcome = pass_lines(&loaded, &settings, "stopped").await;
        prepared.discard().await;
        return outcome.map(exit);
    }
    let target = prepared.start().await?;
    let outcome = after_start(&target, &loaded, &settings, &args).await;
    target.close().await;
    outcome
}

/// The store as loaded: its database and when its clocks stand where [`seed`] says.
struct Loaded {
    db: Database,
    now: chrono::DateTime<Utc>,
    /// Open complaints in it.
    count: u64,
}

async fn load(prepared: &Prepared, args: &ComplaintsArgs) -> anyhow::Result<Loaded> {
    let settings = &prepared.settings;
    let db = Database::connect(&settings.database, &settings.data_dir, "complaint").await?;
    db.migrate::<vipcare_complaint::store::Migrator>()
        .await
        .context("the complaint schema")?;
    let now = vipcare_complaint::store::stored_time(Utc::now());
    let rules = settings
        .complaint
        .rules()
        .context("the [complaint] rules")?;
    let seeded = seed::load(&db, args.count, now, &rules.progress).await?;
    settle_statistics(&db).await?;
    print_setup(prepared, &seeded);
    Ok(Loaded {
        db,
        now,
        count: seeded.count,
    })
}

/// On PostgreSQL, what autovacuum does within its first minute after a bulk load: the planner's
/// statistics, and the visibility map that lets the overdue list read its index alone. A store
/// that has stood a minute has both; one read the instant after loading would not.
async fn settle_statistics(db: &Database) -> anyhow::Result<()> {
    let conn = db.conn();
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared("VACUUM (ANALYZE) complaints, complaint_schedules")
            .await
            .context("vacuuming the loaded complaints")?;
    }
    Ok(())
}

fn print_setup(prepared: &Prepared, seeded: &Seeded) {
    let c = &prepared.settings.complaint;
    println!(
        "setup target=in-process backend={} count={} due={} breached={} waiting={} \
         sweep_batch={} cores={}",
        prepared.backend(),
        seeded.count,
        seeded.due,
        seeded.breached,
        seeded.waiting,
        c.sweep_batch,
        std::thread::available_parallelism().map_or(1, usize::from),
    );
    eprintln!(
        "loaded {} open complaints in {:.1}s ({:.0}/s)",
        seeded.count,
        seeded.seconds,
        seeded.count as f64 / seeded.seconds.max(f64::MIN_POSITIVE)
    );
}

async fn after_start(
    target: &Target,
    loaded: &Loaded,
    settings: &ComplaintSettings,
    args: &ComplaintsArgs,
) -> anyhow::Result<ExitCode> {
    let listed = list::lines(target, args).await?;
    let passed = pass_lines(loaded, settings, "running").await?;
    Ok(if passed { listed } else { ExitCode::FAILURE })
}

/// The floor, the pass and its memory, each with its line; false when the pass failed.
async fn pass_lines(
    loaded: &Loaded,
    settings: &ComplaintSettings,
    suite: &str,
) -> anyhow::Result<bool> {
    let floor = pass::floor(&loaded.db, loaded.now, settings.sweep_batch).await?;
    println!(
        "complaints-floor rows={} seconds={:.3} per_s={:.0}",
        floor.rows,
        floor.seconds,
        per_second(floor.rows, floor.seconds)
    );
    let passed = match pass::pass(&loaded.db, settings, loaded.now).await {
        Ok(passed) => passed,
        Err(err) => {
            eprintln!("vipcare-bench: the pass failed: {err:#}");
            return Ok(false);
        }
    };
    print_pass(loaded.count, &floor, &passed, suite);
    Ok(true)
}

fn print_pass(open: u64, floor: &Floor, passed: &Passed, suite: &str) {
    let s = &passed.swept;
    // Per due complaint, as the floor counts: what the pass must touch, not what it skips.
    let per_s = per_second(floor.rows, passed.seconds);
    println!(
        "complaints-pass per_s={per_s:.0} seconds={:.3} open={open} due={} escalated={} \
         closed={} promises_escalated={} progress_notices={}",
        passed.seconds, floor.rows, s.escalated, s.closed, s.promises_escalated, s.progress_notices
    );
    println!(
        "ratio pass_to_floor={:.2}",
        per_s / per_second(floor.rows, floor.seconds).max(f64::MIN_POSITIVE)
    );
    if s.escalated == 0 && floor.rows > 0 {
        eprintln!(
            "warning: the pass escalated none of the {} complaints due: does this build's pass \
             escalate yet?",
            floor.rows
        );
    }
    let since = if passed.peak_reset {
        "pass-start"
    } else {
        "process-start"
    };
    match passed.peak_rss_mb {
        Some(mb) => println!(
            "complaints-rss open={open} peak_rss_mb={mb:.1} since={since} start_rss_mb={:.1} \
             suite={suite}",
            passed.start_rss_mb.unwrap_or_default()
        ),
        None => eprintln!("vipcare-bench: no /proc/self/status here: peak RSS unknown"),
    }
}

fn per_second(n: u64, seconds: f64) -> f64 {
    n as f64 / seconds.max(f64::MIN_POSITIVE)
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
