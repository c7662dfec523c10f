//! A rolling restart loses no call: while the hall reads a customer through the gateway without
//! pause, each profile replica in turn is stopped (SIGTERM: it reports NOT_SERVING, keeps
//! answering for `server.drain_ms` while the balancer stops sending, drains what is in flight
//! and exits 0) and a new process takes its place, as `kubectl rollout restart` does. Not one
//! read fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use vipcare_e2e::ApiClient;
use vipcare_e2e::deployment::Deployment;
use vipcare_e2e::sample::customer;
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{CreateCustomerRequest, GetCustomerRequest};
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn no_read_fails_while_each_profile_replica_is_restarted() {
    for env in TestEnv::all().await {
        let vars = |_: &str, _: usize| vec![("VIPCARE__SERVER__DRAIN_MS".into(), "1000".into())];
        let Some(mut d) = Deployment::start_with(&env, "", vars).await else {
            continue;
        };
        let label = d.label;
        let id = d
            .profile(0, ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13500135000", "陆逊")),
                request_id: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer")
            .customer_id;

        let running = Arc::new(AtomicBool::new(true));
        let (answered, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let mut readers = Vec::new();
        // Two gateways, two readers each: every connection of the deployment is in use.
        for g in 0..2 {
            for _ in 0..2 {
                let mut hall = d.profile(g, ApiClient::Hall);
                let (running, answered, failed, id) = (
                    running.clone(),
                    answered.clone(),
                    failed.clone(),
                    id.clone(),
                );
                readers.push(tokio::spawn(async move {
                    let mut errors = Vec::new();
                    while running.load(Ordering::Relaxed) {
                        let read = hall
                            .get_customer(GetCustomerRequest {
                                lookup: Some(Lookup::CustomerId(id.clone())),
                            })
                            .await;
                        match read {
                            Ok(_) => answered.fetch_add(1, Ordering::Relaxed),
                            Err(status) => {
                                errors.push(status);
                                failed.fetch_add(1, Ordering::Relaxed)
                            }
                        };
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                    errors
                }));
            }
        }
        for i in 0..2 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            d.restart("profile", i).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        running.store(false, Ordering::Relaxed);
        let mut errors = Vec::new();
        for reader in readers {
            errors.extend(reader.await.expect("a reader"));
        }
        let answered = answered.load(Ordering::Relaxed);
        assert!(
            answered > 100,
            "[{label}] the readers kept reading: {answered}"
        );
        assert!(
            errors.is_empty(),
            "[{label}] {} of {} reads failed during the restarts: {errors:?}",
            errors.len(),
            answered + errors.len() as u64
        );
        d.stop_gracefully().await;
    }
}
