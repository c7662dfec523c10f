//! `vipcare-bench tier-batch`: a whole evaluation run end to end — the tiering service streams
//! every value summary from the profile service, scores each customer and writes records,
//! history, notices and the run's stored decisions. Measured against streaming the same
//! summaries alone through the gateway (the run's floor: reading is all it cannot skip), then
//! once more for the same period, which re-decides every customer from the same standing and
//! changes nothing. In-process, the customers are written straight into the profile store
//! (six months of bills each) so that loading 200,000 takes seconds, not the benchmark's time.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Datelike, Months, NaiveDate, Utc};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_domain::Clock;
use vipcare_profile::domain::{
    Consumption, ContactPreferences, Customer, CustomerName, CustomerProfile, CustomerStatus,
    Gender, Msisdn, Period, Usage,
};
use vipcare_proto::profile::v1::StreamValueSummariesRequest;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_storage::Database;
use vipcare_suite::demo::Credentials;

use crate::cli::BatchArgs;
use crate::target::Target;

type Tiering = TieringServiceClient<InterceptedService<Channel, Credentials>>;

pub(crate) async fn run(args: BatchArgs) -> anyhow::Result<ExitCode> {
    let target = Target::open(&args.target).await?;
    let outcome = measure(&target, &args).await;
    target.close().await;
    outcome
}

async fn measure(target: &Target, args: &BatchArgs) -> anyhow::Result<ExitCode> {
    let channel = target.connect(1).await?.remove(0);
    let credentials = Credentials::bearer(&target.api_key);
    if let Some(settings) = target.settings() {
        let started = Instant::now();
        let db = Database::connect(&settings.database, &settings.data_dir, "profile").await?;
        load(&db, args.customers).await?;
        eprintln!(
            "loaded {} customers with 6 months of bills in {:.1}s ({})",
            args.customers,
            started.elapsed().as_secs_f64(),
            target.backend
        );
    }
    let mut profile = ProfileServiceClient::with_interceptor(channel.clone(), credentials.clone())
        .max_decoding_message_size(64 * 1024 * 1024);
    let started = Instant::now();
    let mut stream = profile
        .stream_value_summaries(StreamValueSummariesRequest {
            start_after_customer_id: String::new(),
            batch_size: 2000,
            period: String::new(),
        })
        .await
        .context("streaming the summaries")?
        .into_inner();
    let mut streamed = 0;
    while let Some(batch) = stream.message().await? {
        streamed += batch.summaries.len();
    }
    let stream_s = started.elapsed().as_secs_f64();
    let stream_rate = streamed as f64 / stream_s;
    println!("stream customers={streamed} s={stream_s:.2} per_s={stream_rate:.0}");

    let mut tiering = TieringServiceClient::with_interceptor(channel, credentials);
    let today = vipcare_domain::SystemClock.today();
    let period = format!("{:04}-{:02}", today.year(), today.month());
    let first = evaluate(&mut tiering, &period).await?;
    print_run("tier-batch", &first);
    let again = evaluate(&mut tiering, &period).await?;
    print_run("tier-batch-rerun", &again);
    println!(
        "ratio throughput={:.2}",
        first.1 / stream_rate.max(f64::MIN_POSITIVE)
    );
    let failed = first.0.state != pb::RunState::Done as i32 || first.0.errors > 0;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_run(name: &str, (run, rate, seconds): &(pb::EvaluationRun, f64, f64)) {
    println!(
        "{name} customers={} s={seconds:.2} per_s={rate:.0} upgrades={} downgrades={} held={} errors={}",
        run.processed, run.upgrades, run.downgrades, run.held, run.errors
    );
}

/// Runs one evaluation of `period` and waits for it; returns the run, customers per second and
/// seconds.
async fn evaluate(
    tiering: &mut Tiering,
    period: &str,
) -> anyhow::Result<(pb::EvaluationRun, f64, f64)> {
    let started = Instant::now();
    let run_id = tiering
        .run_evaluation(pb::RunEvaluationRequest {
            period: period.to_owned(),
            dry_run: false,
        })
        .await
        .context("starting the run")?
        .into_inner()
        .run_id;
    let mut poll = tokio::time::interval(Duration::from_millis(20));
    loop {
        poll.tick().await;
        let run = tiering
            .get_evaluation_run(pb::GetEvaluationRunRequest {
                run_id: run_id.clone(),
            })
            .await?
            .into_inner()
            .run
            .unwrap_or_default();
        if run.state != pb::RunState::Running as i32 {
            let seconds = started.elapsed().as_secs_f64();
            anyhow::ensure!(
                run.state == pb::RunState::Done as i32,
                "the run ended {}: {}",
                run.state,
                run.failure
            );
            return Ok((run.clone(), run.processed as f64 / seconds, seconds));
        }
    }
}

/// `count` customers with varied spend and tenure, written straight into the profile store.
async fn load(db: &Database, count: usize) -> anyhow::Result<()> {
    let today = vipcare_domain::SystemClock.today();
    let months: Vec<Period> = (1..=6)
        .map(|back| Period::of(today.checked_sub_months(Months::new(back)).unwrap_or(today)))
        .collect();
    let mut n = 0_usize;
    while n < count {
        let size = (count - n).min(1000);
        let customers: Vec<Customer> = (n..n + size)
            .map(|i| Ok(Customer::create(profile(i, today)?, Utc::now())))
            .collect::<anyhow::Result<_>>()?;
        vipcare_profile::store::customers::insert_many(db.conn(), &customers).await?;
        let mut rows = Vec::with_capacity(size * months.len());
        for (k, c) in customers.iter().enumerate() {
            let base = 3_000 + ((n + k) as i64 * 7_919 % 40_000);
            for (m, period) in months.iter().enumerate() {
                let usage = Usage {
                    // Some customers spend less lately, so churn risk and holds show up.
                    spend_fen: if (n + k).is_multiple_of(5) && m < 3 {
                        base / 3
                    } else {
                        base
                    },
                    ..Usage::default()
                };
                rows.push((0, Consumption::new(c.id.clone(), *period, usage, today)?));
            }
        }
        for chunk in rows.chunks(500) {
            vipcare_profile::store::consumption::import_batch(
                db.conn(),
                chunk.to_vec(),
                Utc::now(),
            )
            .await?;
        }
        n += size;
    }
    Ok(())
}

fn profile(i: usize, today: NaiveDate) -> anyhow::Result<CustomerProfile> {
    let joined = today
        .checked_sub_months(Months::new((i % 180) as u32 + 1))
        .unwrap_or(today);
    Ok(CustomerProfile {
        msisdn: Some(Msisdn::parse(&format!("139{:08}", i))?),
        name: CustomerName::parse("王小明")?,
        gender: Gender::Unspecified,
        birth_date: None,
        region_code: None,
        preferred_language: None,
        occupation: String::new(),
        interests: Vec::new(),
        contact: ContactPreferences::default(),
        account_manager_id: "am-1".into(),
        group: None,
        plan_code: "P188".into(),
        network_joined_on: Some(joined),
        status: CustomerStatus::Active,
        id_document: None,
    })
}
