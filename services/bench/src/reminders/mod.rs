//! `vipcare-bench reminders`: the reminder service (issue 9) in four lines and two ratios.
//!
//! In-process, the bench starts a webhook sink (the provider every channel posts to), prepares
//! the suite's store and, before the suite starts: runs the floor — a bare claim-and-complete
//! loop on the reminders table over a set the size of the backlog — then loads the backlog,
//! `--count` reminders due at one instant for `count / 5` customers. Starting the suite starts
//! its dispatcher on that backlog; the run times it until the sink has every message
//! (`reminders-sent`, `ratio sent_to_floor`) and reads the peak RSS meanwhile
//! (`reminders-rss`). Then, through the gateway: the lag from due to sent at `--lag-rate`
//! offered a second (`reminders-lag`), and IngestEvents against replaying the same feeds
//! (`ingest-events`, `ingest-replay`, `ratio ingest_to_replay`). `--rss` stops after the
//! backlog, so a run with `--count 1000000` compares memory at ten times the backlog.
//!
//! The sink sends no delivery receipts, so the receipt timeout is raised to an hour: the run
//! never retries its own sends. Against a running gateway (`--target`) only the lag and the
//! feed run: the backlog, its floor and the RSS need the bench's own store and sink.

pub(crate) mod backlog;
mod calls;
mod floor;
mod ingest;
mod lag;
mod load;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_reminder::channel::{AdapterKind, ChannelSettings, ChannelsSettings};
use vipcare_storage::Database;
use vipcare_suite::Settings;
use vipcare_suite::demo::Credentials;
use vipcare_testkit::webhook_sink::{Recording, WebhookSink};

use crate::cli::RemindersArgs;
use crate::target::{Prepared, Target};

pub(super) type Reminders = ReminderServiceClient<InterceptedService<Channel, Credentials>>;

/// Customers of the lag measurement (one reminder each while they last).
const MAX_LAG_CUSTOMERS: usize = 50_000;

/// What the store holds when the suite starts.
struct Loaded {
    reminder: Database,
    /// The backlog's instant: nothing else is due at it.
    due: DateTime<Utc>,
    floor_per_s: Option<f64>,
    lag_customers: Vec<String>,
    feed_customers: Vec<String>,
}

/// The suite's start, from which the backlog is timed.
struct Start {
    at: Instant,
    seconds: f64,
    /// Messages the sink had before (none: it is the run's own).
    sink_before: u64,
    /// Whether the peak RSS was reset at the start.
    peak_reset: bool,
    /// Resident memory then: what loading left, which the peak includes.
    rss_mb: Option<f64>,
}

pub(crate) async fn run(args: RemindersArgs) -> anyhow::Result<ExitCode> {
    if let Some(target) = Target::remote(&args.target) {
        let outcome = calls::remote(&target, &args).await;
        target.close().await;
        return outcome;
    }
    let sink = WebhookSink::start_recording(Recording::Count)
        .await
        .context("starting the webhook sink")?;
    let mut prepared = Prepared::new().await?;
    to_sink(&mut prepared.settings, &sink);
    let loaded = match before_start(&prepared, &args).await {
        Ok(loaded) => loaded,
        Err(err) => {
            prepared.discard().await;
            return Err(err);
        }
    };
    let reset = backlog::reset_peak_rss();
    let rss_mb = backlog::rss_mb();
    let before = sink.count();
    let started = Instant::now();
    let target = prepared.start().await?;
    let start_s = started.elapsed().as_secs_f64();
    let start = Start {
        at: started,
        seconds: start_s,
        sink_before: before,
        peak_reset: reset,
        rss_mb,
    };
    let outcome = after_start(&target, &sink, &loaded, &start, &args).await;
    target.close().await;
    outcome
}

/// Every channel posts to the sink; receipts never come, so none is waited for within the run.
fn to_sink(settings: &mut Settings, sink: &WebhookSink) {
    let webhook = |path: &str| {
        Some(ChannelSettings {
            kind: AdapterKind::Webhook,
            url: Some(format!("http://{}/{path}", sink.addr())),
            timeout_ms: 5_000,
            failures_to_open: 5,
            open_seconds: 30,
        })
    };
    let reminder = &mut settings.reminder;
    reminder.channels = ChannelsSettings {
        sms: webhook("sms"),
        app_push: webhook("app_push"),
        email: webhook("email"),
        voice_call: webhook("voice_call"),
        account_manager: webhook("account_manager"),
    };
    reminder.receipt_timeout_seconds = 3_600;
}

/// Migrates the stores, runs the floor, loads the customers and the backlog.
async fn before_start(prepared: &Prepared, args: &RemindersArgs) -> anyhow::Result<Loaded> {
    let settings = &prepared.settings;
    let open = |name| Database::connect(&settings.database, &settings.data_dir, name);
    let profile = open("profile").await?;
    profile
        .migrate::<vipcare_profile::store::Migrator>()
        .await?;
    let reminder = open("reminder").await?;
    reminder
        .migrate::<vipcare_reminder::store::Migrator>()
        .await?;
    let r = &settings.reminder;
    println!(
        "setup target=in-process backend={} count={} customers={} workers={} batch_size={} \
         channels=webhook(local sink) cores={}",
        prepared.backend(),
        args.count,
        load::customers_for(args.count),
        r.workers,
        r.batch_size,
        std::thread::available_parallelism().map_or(1, usize::from),
    );
    let mut floor_per_s = None;
    if !args.rss {
        load::floor_set(&reminder, args.count, Utc::now()).await?;
        let loops = floor::Loops {
            workers: r.workers,
            batch_size: r.batch_size,
            lease: r.lease(),
        };
        let started = Instant::now();
        let moved = floor::run(&reminder, loops).await?;
        let s = started.elapsed().as_secs_f64();
        let per_s = moved as f64 / s;
        println!("reminders-floor count={moved} s={s:.2} per_s={per_s:.0}");
        floor_per_s = Some(per_s);
    }
    let lag_customers = if args.rss {
        Vec::new()
    } else {
        let offered = f64::from(args.lag_rate) * args.lag_seconds.as_secs_f64();
        let n = (offered.ceil() as usize).clamp(1, MAX_LAG_CUSTOMERS);
        load::customers(&profile, load::LAG_NUMBERS, n, Utc::now()).await?
    };
    let started = Instant::now();
    let due = Utc::now();
    let keep = if args.rss { 0 } else { calls::FEED_CUSTOMERS };
    let feed_customers = load::backlog(&profile, &reminder, args.count, due, keep).await?;
    eprintln!(
        "loaded {} customers and {} due reminders in {:.1}s",
        load::customers_for(args.count),
        args.count,
        started.elapsed().as_secs_f64()
    );
    Ok(Loaded {
        reminder,
        due,
        floor_per_s,
        lag_customers,
        feed_customers,
    })
}

async fn after_start(
    target: &Target,
    sink: &WebhookSink,
    loaded: &Loaded,
    start: &Start,
    args: &RemindersArgs,
) -> anyhow::Result<ExitCode> {
    let expected = load::messages(args.count);
    let arrivals = backlog::wait(sink, start.sink_before, expected, start.at).await;
    let peak = backlog::peak_rss_mb();
    let counts = backlog::outcome(&loaded.reminder, loaded.due, args.count).await?;
    let s = arrivals.elapsed.as_secs_f64();
    let per_s = counts.sent as f64 / s.max(f64::MIN_POSITIVE);
    println!(
        "reminders-sent count={} messages={} s={s:.2} per_s={per_s:.0} start_s={:.2}",
        counts.sent, arrivals.messages, start.seconds
    );
    let mut ok = counts.sent == args.count;
    if !ok {
        eprintln!(
            "vipcare-bench: {} of {} backlog reminders were sent; {}",
            counts.sent,
            args.count,
            backlog::shortfall(&counts, args.count)
        );
    }
    if let Some(floor) = loaded.floor_per_s {
        println!("ratio sent_to_floor={:.2}", per_s / floor);
    }
    let since = if start.peak_reset {
        "suite-start"
    } else {
        "process-start"
    };
    match peak {
        Some(mb) => println!(
            "reminders-rss due={} peak_rss_mb={mb:.1} since={since} start_rss_mb={:.1}",
            args.count,
            start.rss_mb.unwrap_or_default()
        ),
        None => eprintln!("vipcare-bench: no /proc/self/status here: peak RSS unknown"),
    }
    if args.rss {
        return Ok(exit(ok));
    }
    let clients = calls::clients(target).await?;
    ok &= calls::lag_line(&clients, &loaded.lag_customers, args).await?;
    ok &= calls::feed_lines(&clients, loaded.feed_customers.clone(), args).await;
    Ok(exit(ok))
}

pub(super) fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub(super) fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

pub(super) fn time(t: &prost_types::Timestamp) -> DateTime<Utc> {
    let nanos = u32::try_from(t.nanos).unwrap_or(0);
    DateTime::from_timestamp(t.seconds, nanos).unwrap_or_default()
}

pub(super) fn describe(status: &tonic::Status) -> String {
    format!("{:?}: {}", status.code(), status.message())
}
