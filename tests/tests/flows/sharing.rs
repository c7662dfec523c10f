//! Replicas share the work and do it once: two processes of every service and two gateways on
//! one PostgreSQL and one Redis (`Deployment`), every service reached through a balancer as
//! through a Kubernetes Service. An evaluation run asked of both tiering replicas at once runs
//! once; each tier change's outbox row reaches the reminder service once and each reminder
//! reaches the SMS provider once; a write through one gateway is never followed by the old view
//! from the other; each SLA escalation fires once though both complaint replicas sweep every
//! second; and a reminder replica killed while it sends loses nothing: the other finishes its
//! messages under the same idempotency keys.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use prost_types::FieldMask;
use vipcare_e2e::ApiClient;
use vipcare_e2e::deployment::{Deployment, REPLICAS};
use vipcare_e2e::metrics::{sample, scrape};
use vipcare_e2e::sample::{months_ago, reachable_now};
use vipcare_proto::complaint::v1 as complaint;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, get_customer_view_request};
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{
    CreateCustomerRequest, Customer, GetCustomerRequest, RecordConsumptionRequest,
    UpdateCustomerRequest,
};
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_proto::tiering::v1::{
    GetEvaluationRunRequest, ListTierHistoryRequest, RunEvaluationRequest, RunState,
};
use vipcare_testkit::TestEnv;
use vipcare_testkit::webhook_sink::{Received, Reply, WebhookSink};

const CUSTOMERS: usize = 8;

/// Waits up to `within` for `found`.
async fn eventually<T>(
    within: Duration,
    what: &str,
    mut found: impl AsyncFnMut() -> Option<T>,
) -> T {
    let until = Instant::now() + within;
    loop {
        if let Some(t) = found().await {
            return t;
        }
        assert!(Instant::now() < until, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The idempotency keys of `posts`.
fn keys(posts: &[Received]) -> BTreeSet<String> {
    posts
        .iter()
        .filter_map(|p| p.idempotency_key.clone())
        .collect()
}

#[tokio::test]
async fn two_replicas_of_everything_do_each_piece_of_work_once_and_lose_nothing_to_a_kill() {
    for env in TestEnv::all().await {
        let sms = WebhookSink::start().await.expect("the SMS provider");
        let url = sms.url();
        // Each reminder replica posts to a path of its own, so the test knows who sent what.
        let vars = |section: &str, i: usize| match section {
            "reminder" => vec![
                (
                    "VIPCARE__REMINDER__CHANNELS__SMS__KIND".into(),
                    "webhook".into(),
                ),
                (
                    "VIPCARE__REMINDER__CHANNELS__SMS__URL".into(),
                    format!("{url}/r{i}"),
                ),
                ("VIPCARE__REMINDER__LEASE_SECONDS".into(), "5".into()),
            ],
            "complaint" => vec![("VIPCARE__COMPLAINT__SWEEP_SECONDS".into(), "1".into())],
            _ => Vec::new(),
        };
        let Some(mut d) = Deployment::start_with(&env, "", vars).await else {
            continue;
        };
        let customers = spenders(&d).await;
        one_run_however_many_replicas_are_asked(&env, &d, &customers).await;
        every_notice_delivered_and_sent_once(&d, &sms).await;
        the_other_gateway_never_serves_the_old_view(&d, &customers).await;
        let opened = each_escalation_fires_once(&d, &customers).await;
        a_killed_sender_loses_nothing(&mut d, &sms, &opened).await;
        d.stop_gracefully().await;
    }
}

/// Customers who bill ¥150 a month for a year (GOLD at the run), reachable by SMS now.
async fn spenders(d: &Deployment) -> Vec<Customer> {
    let label = d.label;
    let mut hall = d.profile(0, ApiClient::Hall);
    let mut all = Vec::new();
    for i in 0..CUSTOMERS {
        let created = hall
            .create_customer(CreateCustomerRequest {
                customer: Some(reachable_now(&format!("1360013{i:04}"), "孙权")),
                request_id: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer");
        for months_back in 1..=12 {
            hall.record_consumption(RecordConsumptionRequest {
                customer_id: created.customer_id.clone(),
                period: months_ago(months_back),
                spend_fen: 15_000,
                data_mb: 20_480,
                voice_minutes: 300,
                roaming_fen: 0,
                vas_fen: 0,
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] bill: {s:?}"));
        }
        all.push(created);
    }
    all
}

/// Both tiering replicas are asked at once, each straight (signed as the gateway signs).
async fn one_run_however_many_replicas_are_asked(
    env: &TestEnv,
    d: &Deployment,
    customers: &[Customer],
) {
    let label = d.label;
    let ask = |i: usize| {
        let mut tiering =
            TieringServiceClient::new(env.internal_channel(d.replica_addr("tiering", i)));
        async move {
            tiering
                .run_evaluation(RunEvaluationRequest {
                    period: months_ago(1),
                    dry_run: false,
                })
                .await
        }
    };
    let (a, b) = tokio::join!(ask(0), ask(1));
    let started: Vec<String> = [a, b]
        .into_iter()
        .filter_map(|answer| match answer {
            Ok(r) => Some(r.into_inner().run_id),
            Err(s) if s.code() == tonic::Code::AlreadyExists => None,
            Err(s) => panic!("[{label}] run: {s:?}"),
        })
        .collect();
    let run_id = started
        .first()
        .expect("one replica started the run")
        .clone();
    assert!(
        started.iter().all(|id| *id == run_id),
        "[{label}] one run, whichever replica answered: {started:?}"
    );
    let mut tiering = d.tiering(1, ApiClient::Admin);
    let run = eventually(Duration::from_secs(60), "the run ends", async || {
        let run = tiering
            .get_evaluation_run(GetEvaluationRunRequest {
                run_id: run_id.clone(),
            })
            .await
            .ok()?
            .into_inner()
            .run?;
        (run.state != RunState::Running as i32).then_some(run)
    })
    .await;
    assert_eq!(run.state, RunState::Done as i32, "[{label}] {run:?}");
    assert_eq!(
        (run.processed, run.upgrades),
        (CUSTOMERS as i64, CUSTOMERS as i64),
        "[{label}] {run:?}"
    );
    for c in customers {
        let history = tiering
            .list_tier_history(ListTierHistoryRequest {
                customer_id: c.customer_id.clone(),
                page_size: 10,
                page_token: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] history: {s:?}"))
            .into_inner()
            .changes;
        assert_eq!(
            history.len(),
            1,
            "[{label}] one change for {}",
            c.customer_id
        );
    }
}

/// Each tier change is an outbox row: both reminder replicas together answer exactly one call
/// per row, and each reminder reaches the provider once.
async fn every_notice_delivered_and_sent_once(d: &Deployment, sms: &WebhookSink) {
    let label = d.label;
    eventually(
        Duration::from_secs(60),
        "every tier change reaches the provider",
        async || (sms.distinct_keys() >= CUSTOMERS).then_some(()),
    )
    .await;
    // Time for a second delivery or a second send to show, if there were one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let posts = sms.received();
    assert_eq!(posts.len(), CUSTOMERS, "[{label}] one SMS each: {posts:?}");
    assert!(
        sms.duplicates().is_empty(),
        "[{label}] {:?}",
        sms.duplicates()
    );
    let mut calls = 0.0;
    for i in 0..REPLICAS {
        let (_, body) = scrape(d.replica_metrics("reminder", i)).await;
        calls += sample(
            &body,
            "rpc_server_duration_milliseconds_count",
            &[
                "rpc_method=\"NotifyTierChange\"",
                "rpc_grpc_status_code=\"0\"",
            ],
        )
        .unwrap_or(0.0);
    }
    assert_eq!(
        calls, CUSTOMERS as f64,
        "[{label}] one NotifyTierChange per outbox row across both reminder replicas"
    );
}

/// Alternating writer and reader gateways: the view read right after a write through the
/// other gateway shows it, though the reader had the old one cached.
async fn the_other_gateway_never_serves_the_old_view(d: &Deployment, customers: &[Customer]) {
    let label = d.label;
    for (round, plan) in ["5G-598", "5G-898"].into_iter().enumerate() {
        let (writer, reader) = (round % 2, 1 - round % 2);
        for c in customers {
            let read = async || {
                d.channel_api(reader, ApiClient::Hall)
                    .get_customer_view(GetCustomerViewRequest {
                        lookup: Some(get_customer_view_request::Lookup::CustomerId(
                            c.customer_id.clone(),
                        )),
                    })
                    .await
                    .unwrap_or_else(|s| panic!("[{label}] view: {s:?}"))
                    .into_inner()
                    .view
                    .and_then(|v| v.customer)
                    .map(|c| c.plan_code)
                    .unwrap_or_default()
            };
            read().await;
            let mut profile = d.profile(writer, ApiClient::Hall);
            let current = profile
                .get_customer(GetCustomerRequest {
                    lookup: Some(Lookup::CustomerId(c.customer_id.clone())),
                })
                .await
                .unwrap_or_else(|s| panic!("[{label}] read: {s:?}"))
                .into_inner()
                .customer
                .expect("the customer");
            profile
                .update_customer(UpdateCustomerRequest {
                    customer: Some(Customer {
                        plan_code: plan.into(),
                        ..current
                    }),
                    update_mask: Some(FieldMask {
                        paths: vec!["plan_code".into()],
                    }),
                })
                .await
                .unwrap_or_else(|s| panic!("[{label}] update: {s:?}"));
            assert_eq!(
                read().await,
                plan,
                "[{label}] gateway {reader} right after a write through gateway {writer}"
            );
        }
    }
}

/// With every complaint to be resolved within 8 s, each opened complaint is escalated at 80%
/// and at the breach, each level once, though both complaint replicas sweep every second.
async fn each_escalation_fires_once(d: &Deployment, customers: &[Customer]) -> Vec<String> {
    let label = d.label;
    let mut admin = d.complaint(0, ApiClient::Admin);
    let mut policy = admin
        .get_sla_policy(complaint::GetSlaPolicyRequest {})
        .await
        .unwrap_or_else(|s| panic!("[{label}] policy: {s:?}"))
        .into_inner()
        .policy
        .expect("a policy");
    for target in &mut policy.targets {
        target.respond_within = Some(prost_types::Duration {
            seconds: 4,
            nanos: 0,
        });
        target.resolve_within = Some(prost_types::Duration {
            seconds: 8,
            nanos: 0,
        });
        target.clock = complaint::ClockKind::Calendar as i32;
    }
    admin
        .update_sla_policy(complaint::UpdateSlaPolicyRequest {
            policy: Some(policy),
            update_mask: Some(FieldMask {
                paths: vec!["targets".into()],
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_or_else(|s| panic!("[{label}] short SLA: {s:?}"));
    let mut hotline = d.complaint(0, ApiClient::Hotline);
    let mut opened = Vec::new();
    for (i, c) in customers.iter().take(3).enumerate() {
        let complaint = hotline
            .open_complaint(complaint::OpenComplaintRequest {
                customer_id: c.customer_id.clone(),
                channel: complaint::Channel::Hotline as i32,
                category: complaint::Category::Network as i32,
                severity: complaint::Severity::High as i32,
                summary: "信号差".into(),
                description: "家中信号时有时无".into(),
                first_contact_owner: "HL-3001".into(),
                request_id: format!("sharing-open-{i}"),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] open: {s:?}"))
            .into_inner()
            .complaint
            .expect("the opened complaint");
        opened.push(complaint.complaint_id);
    }
    let mut reader = d.complaint(1, ApiClient::Hotline);
    let mut escalations = async |id: &String| {
        reader
            .get_complaint(complaint::GetComplaintRequest {
                complaint_id: id.clone(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] get: {s:?}"))
            .into_inner()
            .complaint
            .expect("the complaint")
            .escalations
    };
    for id in &opened {
        eventually(Duration::from_secs(30), "both levels fire", async || {
            (escalations(id).await.len() >= 2).then_some(())
        })
        .await;
    }
    // More passes of both replicas: nothing fires again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for id in &opened {
        let levels: Vec<i32> = escalations(id).await.iter().map(|e| e.level).collect();
        assert_eq!(
            levels,
            [
                complaint::EscalationLevel::EscalationLevel1 as i32,
                complaint::EscalationLevel::EscalationLevel2 as i32
            ],
            "[{label}] each level once for {id}"
        );
    }
    let mut counted = 0.0;
    for i in 0..REPLICAS {
        let (_, body) = scrape(d.replica_metrics("complaint", i)).await;
        counted += sample(
            &body,
            "vipcare_complaint_sweep_actions_total",
            &["action=\"sla_escalated\""],
        )
        .unwrap_or(0.0);
    }
    assert_eq!(
        counted,
        (2 * opened.len()) as f64,
        "[{label}] escalations counted by both complaint replicas together"
    );
    opened
}

/// The acknowledgement SMS of each complaint, sent slowly; the replica sending the first is
/// killed mid-send. The other takes its reminders over when their lease runs out and sends
/// them under the same keys: every customer is told, each message one key.
async fn a_killed_sender_loses_nothing(d: &mut Deployment, sms: &WebhookSink, opened: &[String]) {
    let label = d.label;
    sms.reply(Reply::AcceptAfter(Duration::from_millis(1500)));
    let skip = sms.received().len();
    let mut hotline = d.complaint(0, ApiClient::Hotline);
    for id in opened {
        let current = hotline
            .get_complaint(complaint::GetComplaintRequest {
                complaint_id: id.clone(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] get: {s:?}"))
            .into_inner()
            .complaint
            .expect("the complaint");
        hotline
            .acknowledge_complaint(complaint::AcknowledgeComplaintRequest {
                complaint_id: id.clone(),
                actor: "HL-3001".into(),
                expected_version: current.version,
                ..complaint::AcknowledgeComplaintRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] acknowledge: {s:?}"));
    }
    let acknowledgements = |posts: Vec<Received>| -> Vec<Received> {
        posts
            .into_iter()
            .filter(|p| {
                p.json
                    .as_ref()
                    .is_some_and(|j| j["text"].as_str().is_some_and(|t| t.contains("已受理")))
            })
            .collect()
    };
    let first = eventually(
        Duration::from_secs(30),
        "the first acknowledgement is sent",
        async || {
            acknowledgements(sms.received_after(skip))
                .into_iter()
                .next()
        },
    )
    .await;
    let sender = if first.path.ends_with("/r0") { 0 } else { 1 };
    d.kill("reminder", sender);
    // The killed replica never heard the provider's answers: the survivor takes its reminders
    // over and sends each of its messages again, under the same key.
    let (killed, survivor) = (format!("/r{sender}"), format!("/r{}", 1 - sender));
    let by = |sent: &[Received], path: &str| -> BTreeSet<String> {
        let theirs: Vec<Received> = sent
            .iter()
            .filter(|p| p.path.ends_with(path))
            .cloned()
            .collect();
        keys(&theirs)
    };
    let sent = eventually(
        Duration::from_secs(45),
        "the survivor sends every acknowledgement the killed replica left unanswered",
        async || {
            let sent = acknowledgements(sms.received_after(skip));
            let done = keys(&sent).len() >= opened.len()
                && by(&sent, &killed).is_subset(&by(&sent, &survivor));
            done.then_some(sent)
        },
    )
    .await;
    assert_eq!(
        keys(&sent).len(),
        opened.len(),
        "[{label}] one message per customer, whoever sent it: {sent:?}"
    );
    assert!(
        !by(&sent, &killed).is_empty(),
        "[{label}] the killed replica was sending"
    );
    sms.reply(Reply::Accept);
}
