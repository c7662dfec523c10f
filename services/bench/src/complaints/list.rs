//! ListComplaints(overdue) through the gateway against the gateway's health check, on the same
//! listener, stack and connections at the same concurrency: the first page of 50, as a hall
//! dashboard or a supervisor asks for it, so the ratio says what the list costs over the door.
//! Health is driven first, then a round of lists warms the connections and the database's
//! plans, then the lists are driven.

use std::process::ExitCode;
use std::time::Duration;

use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::complaint::v1::ListComplaintsRequest;
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_suite::demo::Credentials;

use crate::baseline::{self, Setup, describe};
use crate::cli::ComplaintsArgs;
use crate::load::{self, Plan};
use crate::seed::Customers;
use crate::target::Target;

type Complaints = ComplaintServiceClient<InterceptedService<Channel, Credentials>>;

/// The page a dashboard shows.
const PAGE_SIZE: i32 = 50;
/// Lists read before the timed run, per request in flight.
const WARM_PER_WORKER: usize = 10;

/// The health line, the list's line and their ratio.
pub(super) async fn lines(target: &Target, args: &ComplaintsArgs) -> anyhow::Result<ExitCode> {
    let plan = Plan {
        concurrency: usize::from(args.concurrency),
        duration: args.duration,
    };
    let connections = usize::from(args.connections);
    let setup = Setup {
        plan,
        channels: target.connect(connections).await?,
        credentials: Credentials::bearer(&target.api_key),
        customers: Customers::default(),
    };
    println!(
        "setup list gateway={} concurrency={} duration={:?} connections={connections} \
         (HTTP/2; worker i on connection i mod {connections}) page_size={PAGE_SIZE}",
        target.addr, plan.concurrency, plan.duration,
    );
    let health_run = baseline::drive_health(&setup).await;
    let clients = setup.clients(ComplaintServiceClient::with_interceptor);
    warn_if_none_overdue(&clients[0]).await?;
    let list = move |worker: usize, (): ()| {
        let mut client = clients[worker % clients.len()].clone();
        async move {
            client
                .list_complaints(overdue_page())
                .await
                .map(drop)
                .map_err(describe)
        }
    };
    let warm = vec![(); plan.concurrency * WARM_PER_WORKER];
    baseline::warm("overdue lists", &warm, plan.concurrency, &list).await?;
    let list_run = load::drive(plan, move |worker| list(worker, ())).await;
    Ok(baseline::report(health_run, "complaints-overdue", list_run))
}

fn overdue_page() -> ListComplaintsRequest {
    ListComplaintsRequest {
        overdue: true,
        page_size: PAGE_SIZE,
        ..ListComplaintsRequest::default()
    }
}

/// An empty overdue list answers from the index alone and would measure nothing of the list.
async fn warn_if_none_overdue(client: &Complaints) -> anyhow::Result<()> {
    let mut request = tonic::Request::new(overdue_page());
    request.set_timeout(Duration::from_secs(30));
    let page = client
        .clone()
        .list_complaints(request)
        .await
        .map_err(|s| anyhow::anyhow!("ListComplaints(overdue): {}", describe(s)))?
        .into_inner();
    if page.complaints.is_empty() {
        eprintln!("warning: no complaint is overdue: the list measured is an empty one");
    }
    Ok(())
}
