//! `vipcare-bench lookup`: the hotline's caller look-up against the health check, on the same
//! listener, stack and connections. A look-up passes the edge and the cache; on a miss the
//! gateway asks the profile service for the customer and the tiering service for the routing
//! priority at once. Health is driven first, then every number is looked up once so the cache
//! is warm, then random numbers are driven. Look-ups answered without tiering are never cached,
//! so a run against a suite without tiering measures the miss path: the bench says so.

use std::process::ExitCode;
use std::sync::Arc;

use rand::Rng;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::gateway::v1::LookupCallerRequest;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_suite::demo::Credentials;

use crate::baseline::{self, Setup, describe};
use crate::cli::ReadArgs;
use crate::load;

type LookupClient = ChannelServiceClient<InterceptedService<Channel, Credentials>>;

/// Numbers asked before the timed run to see whether tiering answers.
const PROBES: usize = 20;

pub(crate) async fn run(args: ReadArgs) -> anyhow::Result<ExitCode> {
    baseline::on_target(&args, measure).await
}

async fn measure(setup: Setup) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        !setup.customers.msisdns.is_empty(),
        "the gateway's customers were listed masked, so their numbers are unknown: call --target \
         with a key holding pii:read, or let the bench load its own customers"
    );
    let health_run = baseline::drive_health(&setup).await;
    let lookups = setup.clients(ChannelServiceClient::with_interceptor);
    let msisdns = Arc::new(setup.customers.msisdns.clone());
    let probe = lookups[0].clone();
    let lookup_of = move |worker: usize, msisdn: String| {
        let mut client = lookups[worker % lookups.len()].clone();
        async move {
            client
                .lookup_caller(LookupCallerRequest { msisdn })
                .await
                .map(drop)
                .map_err(describe)
        }
    };
    baseline::warm("look-ups", &msisdns, setup.plan.concurrency, &lookup_of).await?;
    warn_if_untiered(&probe, &msisdns).await;
    let lookup_run = load::drive(setup.plan, move |worker| {
        let msisdn = msisdns[rand::rng().random_range(0..msisdns.len())].clone();
        lookup_of(worker, msisdn)
    })
    .await;
    Ok(baseline::report(health_run, "lookup", lookup_run))
}

/// Tiering answers a tier for every customer (the lowest one for those never evaluated), so
/// callers without one mean it did not answer and their look-ups are composed every time.
async fn warn_if_untiered(client: &LookupClient, msisdns: &[String]) {
    let mut tiered = 0;
    let mut asked = 0;
    for msisdn in msisdns.iter().take(PROBES) {
        let request = LookupCallerRequest {
            msisdn: msisdn.clone(),
        };
        if let Ok(answer) = client.clone().lookup_caller(request).await {
            asked += 1;
            tiered += usize::from(!answer.into_inner().tier.is_empty());
        }
    }
    if asked > 0 && tiered < asked {
        eprintln!(
            "warning: {} of {asked} callers came back without a tier: the tiering service is not \
             answering, so their priority is 0 and their look-ups are composed on every call, \
             never cached. Is tiering running behind this gateway?",
            asked - tiered
        );
    }
}
