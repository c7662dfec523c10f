//! What `view` and `lookup` share: one gateway read measured against the gateway's health check,
//! the cheapest call the same listener, tower stack and connections answer, so the ratio says
//! what the read itself costs. The target is opened and closed here and customers are seeded;
//! a subcommand drives health first, warms its read's cache, drives the read, and reports both
//! with the same lines.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use vipcare_proto::service_names;
use vipcare_suite::demo::Credentials;

use crate::cli::ReadArgs;
use crate::load::{self, Plan, Run};
use crate::seed::{self, Customers};
use crate::target::Target;

/// More failed requests than this fail the run.
pub(crate) const MAX_ERROR_RATE: f64 = 0.01;

/// Everything a read is driven with.
pub(crate) struct Setup {
    pub plan: Plan,
    /// Separate HTTP/2 connections; worker i uses connection i mod N.
    pub channels: Vec<Channel>,
    pub credentials: Credentials,
    pub customers: Customers,
}

impl Setup {
    /// One client per connection, e.g. `Setup::clients(ChannelServiceClient::with_interceptor)`.
    pub fn clients<C>(&self, make: impl Fn(Channel, Credentials) -> C) -> Arc<Vec<C>> {
        let clients = self
            .channels
            .iter()
            .map(|c| make(c.clone(), self.credentials.clone()));
        Arc::new(clients.collect())
    }
}

/// Opens the target, seeds it, runs `measure`, and closes the target whatever happened.
pub(crate) async fn on_target<F, Fut>(args: &ReadArgs, measure: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Setup) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    let target = Target::open(&args.target).await?;
    let outcome = match prepare(&target, args).await {
        Ok(setup) => measure(setup).await,
        Err(err) => Err(err),
    };
    target.close().await;
    outcome
}

async fn prepare(target: &Target, args: &ReadArgs) -> anyhow::Result<Setup> {
    let plan = Plan {
        concurrency: usize::from(args.drive.concurrency),
        duration: args.drive.duration,
    };
    let connections = usize::from(args.drive.connections);
    let channels = target.connect(connections).await?;
    let customers = seed::customers(target, channels[0].clone(), args.customers).await?;
    anyhow::ensure!(
        !customers.ids.is_empty(),
        "the gateway has no customers to read"
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "setup target={} gateway={} backend={} customers={} concurrency={} duration={:?} \
         connections={connections} (HTTP/2; worker i on connection i mod {connections}) cores={cores}",
        target.kind(),
        target.addr,
        target.backend,
        customers.ids.len(),
        plan.concurrency,
        plan.duration,
    );
    Ok(Setup {
        plan,
        channels,
        credentials: Credentials::bearer(&target.api_key),
        customers,
    })
}

/// Drives the gateway's health Check (for ChannelService) for the whole plan.
pub(crate) async fn drive_health(setup: &Setup) -> Run {
    let health = setup.clients(HealthClient::with_interceptor);
    load::drive(setup.plan, move |worker| {
        let mut client = health[worker % health.len()].clone();
        async move {
            let request = HealthCheckRequest {
                service: service_names::CHANNEL.to_owned(),
            };
            let status = client
                .check(request)
                .await
                .map_err(describe)?
                .into_inner()
                .status;
            if status == ServingStatus::Serving as i32 {
                Ok(())
            } else {
                Err(format!("health status {status}"))
            }
        }
    })
    .await
}

/// Reads every item once with `read(worker, item)`, so the timed run measures the cached path.
pub(crate) async fn warm<T, F, Fut>(
    what: &str,
    items: &[T],
    concurrency: usize,
    read: &F,
) -> anyhow::Result<()>
where
    T: Clone,
    F: Fn(usize, T) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let started = Instant::now();
    let failures: Vec<String> = futures::stream::iter(items.iter().enumerate())
        .map(|(i, item)| read(i, item.clone()))
        .buffer_unordered(concurrency)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    eprintln!("warmed {} {what} in {:.1?}", items.len(), started.elapsed());
    if failures.len() as f64 > items.len() as f64 * MAX_ERROR_RATE {
        anyhow::bail!(
            "{} of {} {what} failed while warming the cache; first: {}",
            failures.len(),
            items.len(),
            failures[0]
        );
    }
    Ok(())
}

/// Prints the health line, the read's line and their ratio; fails when either saw over 1%
/// errors.
pub(crate) fn report(mut health: Run, name: &str, mut read: Run) -> ExitCode {
    println!("{}", line("health", &mut health));
    println!("{}", line(name, &mut read));
    let throughput = read.per_second() / health.per_second().max(f64::MIN_POSITIVE);
    let p99 = read.latencies.percentile(0.99).as_secs_f64()
        / health
            .latencies
            .percentile(0.99)
            .as_secs_f64()
            .max(f64::MIN_POSITIVE);
    println!("ratio throughput={throughput:.2} p99={p99:.2}");
    verdict(&[("health", &health), (name, &read)])
}

/// `name req/s=… p50_ms=… p99_ms=… errors=…`
pub(crate) fn line(name: &str, run: &mut Run) -> String {
    let p50 = run.latencies.percentile(0.50).as_secs_f64() * 1e3;
    let p99 = run.latencies.percentile(0.99).as_secs_f64() * 1e3;
    format!(
        "{name} req/s={:.0} p50_ms={p50:.2} p99_ms={p99:.2} errors={}",
        run.per_second(),
        run.errors
    )
}

/// Failing exit when an operation's error rate is over 1%, saying which and why.
pub(crate) fn verdict(runs: &[(&str, &Run)]) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for (name, run) in runs {
        if run.error_rate() > MAX_ERROR_RATE {
            eprintln!(
                "vipcare-bench: {name}: {:.1}% of requests failed (limit 1%); first: {}",
                run.error_rate() * 100.0,
                run.first_error.as_deref().unwrap_or("no request completed")
            );
            code = ExitCode::FAILURE;
        }
    }
    code
}

pub(crate) fn describe(status: tonic::Status) -> String {
    format!("{:?}: {}", status.code(), status.message())
}
