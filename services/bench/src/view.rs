//! `vipcare-bench view`: the customer view against the health check. Both go through the same
//! listener, tower stack and connections; health is answered by the server stack alone, the
//! view also passes the edge (key, rate limit, policy) and the cache. Health is driven first,
//! then every customer's view is read once so the cache is warm, then views of random customers
//! are driven, so the view run starts well inside the cache TTL.

use std::process::ExitCode;
use std::sync::Arc;

use rand::Rng;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::gateway::v1::GetCustomerViewRequest;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::get_customer_view_request::Lookup;
use vipcare_suite::demo::Credentials;

use crate::baseline::{self, Setup, describe};
use crate::cli::ReadArgs;
use crate::load;

type ViewClient = ChannelServiceClient<InterceptedService<Channel, Credentials>>;

pub(crate) async fn run(args: ReadArgs) -> anyhow::Result<ExitCode> {
    baseline::on_target(&args, measure).await
}

async fn measure(setup: Setup) -> anyhow::Result<ExitCode> {
    let health_run = baseline::drive_health(&setup).await;
    let views = setup.clients(ChannelServiceClient::with_interceptor);
    let ids = Arc::new(setup.customers.ids.clone());
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
    baseline::warm("views", &ids, setup.plan.concurrency, &view_of).await?;
    let view_run = load::drive(setup.plan, move |worker| {
        let id = ids[rand::rng().random_range(0..ids.len())].clone();
        view_of(worker, id)
    })
    .await;
    Ok(baseline::report(health_run, "view", view_run))
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
