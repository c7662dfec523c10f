//! The feed's throughput, measured rather than asserted (a timed assertion would fail on a busy
//! machine and prove nothing on an idle one). Run it with
//! `cargo test --release -p vipcare-reminder --test events -- --ignored --nocapture rate`
//! (PostgreSQL with VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL set). It sends a billing
//! mix — data usage (dedupe keys, superseding), balance changes (crossings, top-ups cancelling
//! warnings), plan orders and rebates — for 20,000 customers in messages of 1,000, through the
//! handler as the server calls it (framing and decoding included), twice: into an empty store
//! and into one already holding the first pass.

use std::time::Instant;

use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::event::Kind;
use vipcare_reminder::grpc::events::{MAX_PER_MESSAGE, ingest_events};

use crate::harness::*;

const EVENTS: usize = 100_000;
const CUSTOMERS: usize = 20_000;

fn kind(i: usize, pass: usize) -> Kind {
    let round = i / CUSTOMERS + pass * (EVENTS / CUSTOMERS);
    match i % 4 {
        0 => usage(
            if round.is_multiple_of(2) { 80 } else { 100 },
            &format!("2026-{:02}", 1 + round / 2 % 12),
        ),
        1 => balance(if round.is_multiple_of(2) { 500 } else { 5_000 }, 100),
        2 => plan_accepted("5G畅享套餐"),
        _ => Kind::RebateChanged(pb::RebateChanged {
            stage: pb::RebateStage::Credited as i32,
            promotion_name: "预存返还".into(),
            amount_fen: 2_000,
            credit_time: None,
            end_date: None,
            balance_fen: 5_000,
        }),
    }
}

#[tokio::test]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn rate() {
    for b in benches().await {
        for pass in 0..2 {
            let events: Vec<pb::Event> = (0..EVENTS)
                .map(|i| {
                    b.event(
                        &format!("p{pass}-e{i}"),
                        &format!("c-{}", i % CUSTOMERS),
                        kind(i, pass),
                    )
                })
                .collect();
            let messages: Vec<_> = events
                .chunks(MAX_PER_MESSAGE)
                .map(|chunk| message(chunk.to_vec()))
                .collect();
            let stream = feed(&messages);
            let started = Instant::now();
            let report = ingest_events(&b.ingest, stream).await.unwrap();
            let seconds = started.elapsed().as_secs_f64();
            assert_eq!(report.accepted, EVENTS as i64, "{report:?}");
            println!(
                "{} pass {}: {EVENTS} events in {seconds:.2} s = {:.0} events/s ({} reminders)",
                b.label,
                pass + 1,
                EVENTS as f64 / seconds,
                report.reminders_created
            );
        }
    }
}
