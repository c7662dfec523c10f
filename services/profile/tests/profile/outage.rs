//! PostgreSQL going away under a running service: callers get UNAVAILABLE with an opaque message,
//! nothing half-written survives, and the same process serves again once the database is back.
//! The database is cut with a proxy between the service and the shared PostgreSQL, which other
//! work uses and must never be stopped.

use std::net::SocketAddr;
use std::time::Duration;

use tonic::{Code, Status};
use vipcare_proto::profile::v1 as pb;
use vipcare_testkit::tcp_proxy::TcpProxy;
use vipcare_testkit::{TestEnv, wait_serving};

use crate::harness::*;

/// A profile service whose database connections all go through `proxy`.
struct Proxied {
    service: Service,
    proxy: TcpProxy,
}

async fn start_behind_proxy(env: TestEnv, database_url: &str) -> Proxied {
    let (target, proxied_url) = split_server(database_url);
    let target = tokio::net::lookup_host(&target)
        .await
        .ok()
        .and_then(|mut addrs| addrs.next())
        .unwrap_or_else(|| panic!("[{}] resolve {target}", env.label));
    let proxy = TcpProxy::start(target).await.expect("proxy listens");
    let url = proxied_url(proxy.addr());
    let settings = env.settings_with(&format!("[database]\nurl = \"{url}\"\n"));
    Proxied {
        service: start_with(env, settings).await,
        proxy,
    }
}

/// `postgres://user@host:port/db?…` → ("host:port", a function giving the same URL with another
/// server): same user, database and options, so only the network path changes.
fn split_server(url: &str) -> (String, impl Fn(SocketAddr) -> String) {
    let (scheme, rest) = url.split_once("://").expect("database URL has a scheme");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, server) = match authority.rsplit_once('@') {
        Some((user, server)) => (format!("{user}@"), server),
        None => (String::new(), authority),
    };
    let server = if server.contains(':') {
        server.to_owned()
    } else {
        format!("{server}:5432")
    };
    let (scheme, path) = (scheme.to_owned(), path.to_owned());
    (server, move |addr| format!("{scheme}://{user}{addr}{path}"))
}

async fn create_as_clerk(svc: &mut Proxied, customer: pb::Customer) -> Result<String, Status> {
    let request = pb::CreateCustomerRequest {
        customer: Some(customer),
        request_id: String::new(),
    };
    let response = svc
        .service
        .client
        .create_customer(as_caller(&clerk(), request))
        .await?;
    Ok(response.into_inner().customer.unwrap().customer_id)
}

/// GetCustomer with `pii:read`: always read from the database, never from the cache.
async fn get_as_clerk(svc: &mut Proxied, lookup: Lookup) -> Result<pb::Customer, Status> {
    let request = pb::GetCustomerRequest {
        lookup: Some(lookup),
    };
    let response = svc
        .service
        .client
        .get_customer(as_caller(&clerk(), request))
        .await?;
    Ok(response.into_inner().customer.unwrap())
}

async fn customer_ids(svc: &mut Proxied) -> Vec<String> {
    let request = pb::ListCustomersRequest {
        page_size: 100,
        ..Default::default()
    };
    let response = svc
        .service
        .client
        .list_customers(as_caller(&clerk(), request))
        .await;
    let response = response.unwrap_or_else(|s| panic!("[{}] list: {s:?}", svc.service.label));
    let mut ids: Vec<String> = response
        .into_inner()
        .customers
        .into_iter()
        .map(|c| c.customer_id)
        .collect();
    ids.sort();
    ids
}

/// UNAVAILABLE answered by the service itself (a dead server would give UNAVAILABLE too, from
/// the client's transport), telling the caller to retry and nothing about the database.
fn assert_store_unavailable(
    svc: &Proxied,
    call: &str,
    result: Result<impl std::fmt::Debug, Status>,
) {
    let label = svc.service.label;
    let status = result.expect_err(&format!("[{label}] {call} succeeded with the database cut"));
    assert_eq!(
        status.code(),
        Code::Unavailable,
        "[{label}] {call}: {status:?}"
    );
    let message = status.message().to_lowercase();
    assert!(message.contains("retry"), "[{label}] {call}: {status:?}");
    let target = svc.proxy.target();
    for internal in [
        "postgres",
        "sqlx",
        "select",
        "insert",
        "connection",
        "pool",
        "127.0.0.1",
        &target.port().to_string(),
        &svc.proxy.addr().port().to_string(),
    ] {
        assert!(
            !message.contains(internal),
            "[{label}] {call} leaks {internal:?}: {status:?}"
        );
    }
}

#[tokio::test]
async fn database_outage_answers_unavailable_and_recovers_without_restart() {
    for env in TestEnv::all().await {
        let Some(url) = env.database_url().map(str::to_owned) else {
            // The embedded SQLite file cannot become unreachable.
            continue;
        };
        let mut svc = start_behind_proxy(env, &url).await;
        let label = svc.service.label;
        let before = create_as_clerk(&mut svc, customer("13800138000", "张三"))
            .await
            .unwrap_or_else(|s| panic!("[{label}] create before the outage: {s:?}"));

        svc.proxy.cut().await;
        let during = create_as_clerk(&mut svc, customer("13900139000", "李四")).await;
        assert_store_unavailable(&svc, "CreateCustomer", during);
        let read = get_as_clerk(&mut svc, Lookup::CustomerId(before.clone())).await;
        assert_store_unavailable(&svc, "GetCustomer", read);
        // The process is alive and its health check answers; a load balancer keeps it.
        tokio::time::timeout(Duration::from_secs(5), wait_serving(svc.service.addr, ""))
            .await
            .unwrap_or_else(|_| panic!("[{label}] health check silent during the outage"));

        svc.proxy.restore();
        // Recovery is the pool's job, not a restart's: the pool tests a connection before handing
        // it out, so the very next call after the database is back must already be answered.
        let found = get_as_clerk(&mut svc, Lookup::CustomerId(before.clone()))
            .await
            .unwrap_or_else(|s| panic!("[{label}] first call after the database came back: {s:?}"));
        assert_eq!(found.customer_id, before, "[{label}]");
        assert_eq!(found.msisdn, "13800138000", "[{label}]");

        // The create refused during the outage left nothing behind: no customer, no number taken.
        let lost = get_as_clerk(&mut svc, Lookup::Msisdn("13900139000".into())).await;
        assert_eq!(code(lost), Code::NotFound, "[{label}]");
        assert_eq!(
            customer_ids(&mut svc).await,
            vec![before.clone()],
            "[{label}]"
        );

        let after = create_as_clerk(&mut svc, customer("13900139000", "李四"))
            .await
            .unwrap_or_else(|s| panic!("[{label}] create after recovery: {s:?}"));
        let mut both = vec![before, after];
        both.sort();
        assert_eq!(customer_ids(&mut svc).await, both, "[{label}]");
    }
}
