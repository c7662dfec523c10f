//! How fast StreamValueSummaries streams: loads N customers with 12 months each straight into
//! the store (printing how long that took), then streams them all through the real server and
//! prints customers per second. A benchmark, not a test: it asserts nothing.
//! Runs on every backend the test variables configure (embedded SQLite always).
//!
//! `cargo run --release -p vipcare-profile --example stream_bench -- 200000`

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use vipcare_profile::App;
use vipcare_profile::domain::{Consumption, Customer, Period, Usage};
use vipcare_proto::profile::v1::StreamValueSummariesRequest;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_storage::Database;
use vipcare_testkit::{TestEnv, wait_serving};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args().nth(1).map_or(Ok(200_000), |n| n.parse())?;
    for env in TestEnv::all().await {
        let app = App::build(&env.settings(), env.cache().await).await?;
        let addr = app.local_addr();
        tokio::spawn(app.run(std::future::pending()));
        wait_serving(addr, vipcare_proto::service_names::PROFILE).await;
        let db = Database::connect(env.database_settings(), env.data_dir(), "profile").await?;
        let loaded = Instant::now();
        load(&db, count).await?;
        println!(
            "{} load customers={count} s={:.1}",
            env.label,
            loaded.elapsed().as_secs_f64()
        );

        let mut client = ProfileServiceClient::new(env.internal_channel(addr));
        let started = Instant::now();
        let request = StreamValueSummariesRequest {
            start_after_customer_id: String::new(),
            batch_size: 5000,
            period: String::new(),
        };
        let mut stream = client.stream_value_summaries(request).await?.into_inner();
        let mut seen = 0;
        while let Some(batch) = stream.message().await? {
            seen += batch.summaries.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{} stream customers={seen} s={seconds:.2} per_s={:.0}",
            env.label,
            seen as f64 / seconds
        );
    }
    Ok(())
}

async fn load(db: &Database, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let template = sample();
    let today = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap_or_default();
    let mut left = count;
    let mut n = 0_u64;
    let (mut in_customers, mut in_months) = (0.0, 0.0);
    while left > 0 {
        let size = left.min(500);
        let mut customers = Vec::with_capacity(size);
        for _ in 0..size {
            let mut profile = template.clone();
            profile.msisdn = Some(vipcare_profile::domain::Msisdn::parse(&format!(
                "13{n:09}"
            ))?);
            n += 1;
            customers.push(Customer::create(profile, Utc::now()));
        }
        let t = Instant::now();
        vipcare_profile::store::customers::insert_many(db.conn(), &customers).await?;
        in_customers += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut rows = Vec::with_capacity(size * 12);
        for (i, c) in customers.iter().enumerate() {
            for month in 1..=12 {
                let usage = Usage {
                    spend_fen: 10_000 + (i as i64 % 7) * 1000 * month,
                    ..Usage::default()
                };
                let period = Period::parse(&format!("2024-{month:02}"))?;
                rows.push((0, Consumption::new(c.id.clone(), period, usage, today)?));
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
        in_months += t.elapsed().as_secs_f64();
        left -= size;
    }
    println!("  customers s={in_customers:.1} consumption s={in_months:.1}");
    Ok(())
}

fn sample() -> vipcare_profile::domain::CustomerProfile {
    use vipcare_profile::domain::*;
    CustomerProfile {
        msisdn: None,
        name: CustomerName::parse("王小明").expect("valid name"),
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
        network_joined_on: NaiveDate::from_ymd_opt(2020, 3, 15),
        status: CustomerStatus::Active,
        id_document: None,
    }
}
