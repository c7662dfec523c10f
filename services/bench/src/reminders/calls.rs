//! The phases through the gateway, in-process or against a running one: the lag from due to
//! sent at a steady offered rate, and the event feed against its replay, each with its lines.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_suite::demo::Credentials;

use super::{Reminders, exit, ingest, lag};
use crate::cli::RemindersArgs;
use crate::seed;
use crate::target::Target;

/// Backlog customers kept for the event feed: enough that its streams rarely wait on each other.
pub(super) const FEED_CUSTOMERS: usize = 20_000;
/// Gateway connections the lag and feed calls share.
const CONNECTIONS: usize = 4;
/// Above this share of failed or unsent calls, the run fails.
const MAX_FAILED: f64 = 0.01;

/// A running gateway: its own customers, the lag and the feed.
pub(super) async fn remote(target: &Target, args: &RemindersArgs) -> anyhow::Result<ExitCode> {
    eprintln!(
        "a running gateway: lag and feed only (the backlog, its floor and the peak RSS need the \
         bench's own store and webhook sink); its customers' quiet hours apply"
    );
    let clients = clients(target).await?;
    let channel = target.connect(1).await?.remove(0);
    let customers = seed::customers(target, channel, FEED_CUSTOMERS).await?.ids;
    println!(
        "setup target=remote gateway={} customers={}",
        target.addr,
        customers.len()
    );
    let mut ok = lag_line(&clients, &customers, args).await?;
    ok &= feed_lines(&clients, customers, args).await;
    Ok(exit(ok))
}

pub(super) async fn clients(target: &Target) -> anyhow::Result<Vec<Reminders>> {
    let credentials = Credentials::bearer(&target.api_key);
    let channels = target.connect(CONNECTIONS).await?;
    Ok(channels
        .into_iter()
        .map(|c| ReminderServiceClient::with_interceptor(c, credentials.clone()))
        .collect())
}

pub(super) async fn lag_line(
    clients: &[Reminders],
    customers: &[String],
    args: &RemindersArgs,
) -> anyhow::Result<bool> {
    let mut lag = lag::measure(clients, customers, args.lag_rate, args.lag_seconds).await?;
    let mut ms = |q: f64| lag.lags.percentile(q).as_secs_f64() * 1e3;
    let (p50, p99, max) = (ms(0.50), ms(0.99), ms(1.0));
    let achieved = lag.offered as f64 / lag.offering.as_secs_f64().max(f64::MIN_POSITIVE);
    println!(
        "reminders-lag offered_per_s={} achieved_per_s={achieved:.0} reminders={} p50_ms={p50:.0} \
         p99_ms={p99:.0} max_ms={max:.0} unsent={} errors={}",
        args.lag_rate,
        lag.lags.len(),
        lag.unsent,
        lag.errors
    );
    let failed = (lag.errors + lag.unsent) as f64 / lag.offered.max(1) as f64;
    if failed > MAX_FAILED {
        eprintln!(
            "vipcare-bench: reminders-lag: {:.1}% failed or unsent (limit 1%); first error: {}",
            failed * 100.0,
            lag.first_error.as_deref().unwrap_or("none")
        );
    }
    Ok(failed <= MAX_FAILED)
}

pub(super) async fn feed_lines(
    clients: &[Reminders],
    customers: Vec<String>,
    args: &RemindersArgs,
) -> bool {
    let feeds = ingest::Feeds {
        streams: usize::from(args.streams),
        per_message: usize::from(args.events_per_message),
        run: format!("bench-{}", Utc::now().timestamp_millis()),
        base: Utc::now(),
        customers: Arc::new(customers),
    };
    let length = ingest::Length::For(args.ingest_seconds);
    let first = ingest::feed(clients, &feeds, length).await;
    println!(
        "ingest-events events={} s={:.2} per_s={:.0} reminders={} rejected={}",
        first.events,
        first.elapsed.as_secs_f64(),
        first.per_second(),
        first.reminders,
        first.rejected
    );
    let again = ingest::Length::Messages(first.messages.clone());
    let replay = ingest::feed(clients, &feeds, again).await;
    println!(
        "ingest-replay events={} s={:.2} per_s={:.0} duplicates={}",
        replay.events,
        replay.elapsed.as_secs_f64(),
        replay.per_second(),
        replay.duplicates
    );
    println!(
        "ratio ingest_to_replay={:.2}",
        first.per_second() / replay.per_second().max(f64::MIN_POSITIVE)
    );
    let mut ok = true;
    for (name, fed) in [("ingest-events", &first), ("ingest-replay", &replay)] {
        if let Some(problem) = &fed.first_problem {
            eprintln!("vipcare-bench: {name}: {problem}");
            ok = false;
        }
    }
    ok && first.events > 0 && replay.duplicates == first.events
}
