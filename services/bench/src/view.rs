//! `vipcare-bench view`: the customer view against the health check. Both go through the same
//! listener, tower stack and connections; health is answered by the server stack alone, the
//! view also passes the edge (key, rate limit, policy) and the cache. Health is driven first,
//! then every customer's view is read once so the cache is warm, then views of random customers
//! are driven, so the view run starts well inside the cache TTL.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use rand::Rng;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use vipcare_proto::gateway::v1::GetCustomerViewRequest;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::get_customer_view_request::Lookup;
use vipcare_proto::service_names;
use vipcare_suite::demo::Credentials;

use crate::cli::ViewArgs;
use crate::load::{self, Plan, Run};
use crate::seed;
use crate::target::Target;

type ViewClient = ChannelServiceClient<InterceptedService<Channel, Credentials>>;

/// More failed requests than this fail the run.
const MAX_ERROR_RATE: f64 = 0.01;

pub(crate) async fn run(args: ViewArgs) -> anyhow::Result<ExitCode> {
    let target = Target::open(&args.target).await?;
    let outcome = measure(&target, &args).await;
    target.close().await;
    outcome
}

async fn measure(target: &Target, args: &ViewArgs) -> anyhow::Result<ExitCode> {
    let plan = Plan {
        concurrency: usize::from(args.drive.concurrency),
        duration: args.drive.duration,
    };
    let connections = usize::from(args.drive.connections);
    let channels = target.connect(connections).await?;
    let ids = seed::customers(target, channels[0].clone(), args.customers).await?;
    anyhow::ensure!(!ids.is_empty(), "the gateway has no customers to read");
    let ids = Arc::new(ids);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "setup target={} gateway={} backend={} customers={} concurrency={} duration={:?} \
         connections={connections} (HTTP/2; worker i on connection i mod {connections}) cores={cores}",
        target.kind(),
        target.addr,
        target.backend,
        ids.len(),
        plan.concurrency,
        plan.duration,
    );
    let credentials = Credentials::bearer(&target.api_key);
    let health: Arc<Vec<_>> = Arc::new(
        channels
            .iter()
            .map(|c| HealthClient::with_interceptor(c.clone(), credentials.clone()))
            .collect(),
    );
    let views: Arc<Vec<_>> = Arc::new(
        channels
            .iter()
            .map(|c| ChannelServiceClient::with_interceptor(c.clone(), credentials.clone()))
            .collect(),
    );

    let mut health_run = load::drive(plan, move |worker| {
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
    .await;
    warn_if_unmasked(&views[0], &ids[0]).await;
    let view_of = move |worker: usize, id: String| {
        let mut client = views[worker % views.len()].clone();
        async move {
            let request = GetCustomerViewRequest {
                lookup: Some(Lookup::CustomerId(id)),
            };
            client
                .get_customer_view(request)
                .await
                .map(drop)
                .map_err(describe)
        }
    };
    warm(&ids, plan.concurrency, &view_of).await?;
    let random_ids = ids.clone();
    let mut view_run = load::drive(plan, move |worker| {
        let id = random_ids[rand::rng().random_range(0..random_ids.len())].clone();
        view_of(worker, id)
    })
    .await;

    println!("{}", line("health", &mut health_run));
    println!("{}", line("view", &mut view_run));
    let throughput = view_run.per_second() / health_run.per_second().max(f64::MIN_POSITIVE);
    let p99 = view_run.latencies.percentile(0.99).as_secs_f64()
        / health_run
            .latencies
            .percentile(0.99)
            .as_secs_f64()
            .max(f64::MIN_POSITIVE);
    println!("ratio throughput={throughput:.2} p99={p99:.2}");
    Ok(verdict(&[("health", &health_run), ("view", &view_run)]))
}

/// A key with `pii:read` gets unmasked views, which the gateway composes and the profile
/// service audits on every call: a different path from the cached one this bench is about.
async fn warn_if_unmasked(client: &ViewClient, id: &str) {
    let request = GetCustomerViewRequest {
        lookup: Some(Lookup::CustomerId(id.to_owned())),
    };
    let unmasked = client
        .clone()
        .get_customer_view(request)
        .await
        .ok()
        .and_then(|r| r.into_inner().view?.customer)
        .is_some_and(|c| !c.pii_masked);
    if unmasked {
        eprintln!(
            "warning: this key reads personal data unmasked (pii:read); its views are composed and \
             audited on every call, never cached. Use a key without pii:read to measure the cached view."
        );
    }
}

/// Reads every customer's view once, so the timed run measures the cached path.
async fn warm<F, Fut>(ids: &[String], concurrency: usize, view_of: &F) -> anyhow::Result<()>
where
    F: Fn(usize, String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let started = Instant::now();
    let failures: Vec<String> = futures::stream::iter(ids.iter().enumerate())
        .map(|(i, id)| view_of(i, id.clone()))
        .buffer_unordered(concurrency)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    eprintln!("warmed {} views in {:.1?}", ids.len(), started.elapsed());
    if failures.len() as f64 > ids.len() as f64 * MAX_ERROR_RATE {
        anyhow::bail!(
            "{} of {} views failed while warming the cache; first: {}",
            failures.len(),
            ids.len(),
            failures[0]
        );
    }
    Ok(())
}

/// `name req/s=… p50_ms=… p99_ms=… errors=…`
fn line(name: &str, run: &mut Run) -> String {
    let p50 = run.latencies.percentile(0.50).as_secs_f64() * 1e3;
    let p99 = run.latencies.percentile(0.99).as_secs_f64() * 1e3;
    format!(
        "{name} req/s={:.0} p50_ms={p50:.2} p99_ms={p99:.2} errors={}",
        run.per_second(),
        run.errors
    )
}

/// Failing exit when an operation's error rate is over 1%, saying which and why.
fn verdict(runs: &[(&str, &Run)]) -> ExitCode {
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

fn describe(status: tonic::Status) -> String {
    format!("{:?}: {}", status.code(), status.message())
}
