//! What an operator's Prometheus sees: the scrape endpoint on its own port counts every call
//! by method and status and times it, at the gateway and at the service behind it (health
//! probes are not counted); reports the reminder queue, how late it runs and what became of
//! each reminder dispatched, and the database pools.

use tonic::Code;
use vipcare_e2e::metrics::sample;
use vipcare_e2e::sample::{customer, months_ago, reachable_now};
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::complaint::v1 as complaint;
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{CreateCustomerRequest, GetCustomerRequest};
use vipcare_proto::tiering::v1::{GetEvaluationRunRequest, RunEvaluationRequest, RunState};
use vipcare_testkit::TestEnv;

/// `GET /metrics` of the suite, as Prometheus scrapes it: the status line and body.
async fn scrape(suite: &Suite) -> (String, String) {
    vipcare_e2e::metrics::scrape(suite.metrics_addr()).await
}

/// The count of the series whose labels include every one of `labels`.
fn count(body: &str, labels: &[&str]) -> u64 {
    body.lines()
        .filter(|l| l.starts_with("rpc_server_duration_milliseconds_count{"))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn calls_are_counted_by_method_and_status_at_the_gateway_and_the_service() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let mut profile = suite.profile(ApiClient::Hall);
        profile
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13300133001", "周瑜")),
                request_id: String::new(),
            })
            .await
            .expect("create customer");
        // The second read of the new customer is served from the cache.
        for _ in 0..2 {
            profile
                .get_customer(GetCustomerRequest {
                    lookup: Some(Lookup::Msisdn("13300133001".into())),
                })
                .await
                .expect("the new customer reads");
        }
        for _ in 0..3 {
            let missing = profile
                .get_customer(GetCustomerRequest {
                    lookup: Some(Lookup::Msisdn("13300133999".into())),
                })
                .await
                .unwrap_err();
            assert_eq!(missing.code(), Code::NotFound, "[{label}]");
        }
        // A run over the one customer: its progress is counted as its batches commit.
        let mut admin = suite.tiering(ApiClient::Admin);
        let run_id = admin
            .run_evaluation(RunEvaluationRequest {
                period: months_ago(0),
                dry_run: false,
            })
            .await
            .expect("start the run")
            .into_inner()
            .run_id;
        let done = async {
            loop {
                let run = admin
                    .get_evaluation_run(GetEvaluationRunRequest {
                        run_id: run_id.clone(),
                    })
                    .await
                    .expect("the run")
                    .into_inner()
                    .run
                    .expect("a run");
                if run.state != RunState::Running as i32 {
                    return run;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        let run = tokio::time::timeout(std::time::Duration::from_secs(60), done)
            .await
            .expect("the run ends within a minute");
        assert_eq!(run.state, RunState::Done as i32, "[{label}] {run:?}");
        assert!(
            run.processed >= 1,
            "[{label}] the run evaluated the customer: {run:?}"
        );
        let (status, body) = scrape(&suite).await;
        assert!(status.contains("200"), "[{label}] {status}");
        let get = "rpc_method=\"GetCustomer\"";
        let not_found = "rpc_grpc_status_code=\"5\"";
        for listener in [
            "vipcare_listener=\"gateway\"",
            "vipcare_listener=\"service\"",
        ] {
            assert_eq!(
                count(&body, &[get, not_found, listener]),
                3,
                "[{label}] {listener}\n{body}"
            );
            assert_eq!(
                count(
                    &body,
                    &[
                        "rpc_method=\"CreateCustomer\"",
                        "rpc_grpc_status_code=\"0\"",
                        listener
                    ]
                ),
                1,
                "[{label}] {listener}"
            );
        }
        assert!(
            body.contains("rpc_server_duration_milliseconds_bucket{"),
            "[{label}] latency buckets"
        );
        assert!(
            !body.contains("grpc.health.v1.Health"),
            "[{label}] probes are not counted"
        );
        suite.stop_gracefully().await;
    }
}

#[tokio::test]
async fn the_reminder_queue_its_lag_and_what_became_of_each_reminder_are_reported() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let id = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(reachable_now("13300133101", "鲁肃")),
                request_id: String::new(),
            })
            .await
            .expect("create customer")
            .into_inner()
            .customer
            .expect("a created customer")
            .customer_id;
        // Acknowledging a complaint tells the customer by SMS (the log channel here).
        let mut hotline = suite.complaint(ApiClient::Hotline);
        let opened = hotline
            .open_complaint(complaint::OpenComplaintRequest {
                customer_id: id,
                channel: complaint::Channel::Hotline as i32,
                category: complaint::Category::Billing as i32,
                severity: complaint::Severity::Medium as i32,
                summary: "话费多扣".into(),
                description: "上月话费多扣了二十元".into(),
                first_contact_owner: "HL-2003".into(),
                request_id: "observe-open-1".into(),
            })
            .await
            .expect("open")
            .into_inner()
            .complaint
            .expect("the opened complaint");
        hotline
            .acknowledge_complaint(complaint::AcknowledgeComplaintRequest {
                complaint_id: opened.complaint_id,
                actor: "HL-2003".into(),
                expected_version: opened.version,
                ..complaint::AcknowledgeComplaintRequest::default()
            })
            .await
            .expect("acknowledge");

        let delivered = ["state=\"delivered\"", "channel=\"sms\""];
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let body = loop {
            let (_, body) = scrape(&suite).await;
            if sample(&body, "vipcare_reminder_outcomes_total", &delivered)
                .is_some_and(|n| n >= 1.0)
            {
                break body;
            }
            assert!(
                std::time::Instant::now() < until,
                "[{label}] no delivered SMS counted within 30 s:\n{body}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        // Sampled when the workers start: nothing was due then.
        for state in ["state=\"due\"", "state=\"in_hand\""] {
            assert!(
                sample(&body, "vipcare_reminder_queue", &[state]).is_some(),
                "[{label}] queue {state}:\n{body}"
            );
        }
        let lag = sample(&body, "vipcare_reminder_lag_seconds", &[]);
        assert!(lag.is_some_and(|s| s >= 0.0), "[{label}] lag {lag:?}");
        let pool = sample(
            &body,
            "vipcare_db_connections",
            &["service=\"complaint\"", "state=\"max\""],
        );
        assert!(
            pool.is_some_and(|n| n >= 1.0),
            "[{label}] complaint pool size {pool:?}"
        );
        suite.stop_gracefully().await;
    }
}
