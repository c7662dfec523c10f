//! An override that runs out returns the customer to the evaluated tier like any other change:
//! a history row at the expiry time and one notice, however many passes (or replicas) race to
//! close it. The clock is moved past the expiry and the pass called, instead of waiting. The
//! notices wait in the outbox while no reminder service takes them.

use chrono::{DateTime, Duration, Utc};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::sea_orm::ConnectionTrait;
use vipcare_storage::{Database, statement};
use vipcare_tiering::domain::EXPIRY_ACTOR;
use vipcare_tiering::expiry::OverrideExpiry;
use vipcare_tiering::store::history::{NOTICE_DESTINATION, NOTICE_EVENT};

use crate::harness::*;
use crate::notices::notices;

fn at(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

impl Suite {
    /// Overrides the tier until `expiry` as an operator.
    async fn override_until(&mut self, id: &str, tier: &str, expiry: DateTime<Utc>) {
        let request = pb::OverrideTierRequest {
            customer_id: id.into(),
            tier: tier.into(),
            reason: "service recovery".into(),
            actor: "emp-7".into(),
            expire_time: Some(at(expiry)),
            request_id: String::new(),
        };
        let label = self.label;
        self.tiering
            .override_tier(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] override to {tier}: {s:?}"));
    }

    async fn close_expired(&self) -> usize {
        let label = self.label;
        self.override_expiry
            .run_once()
            .await
            .unwrap_or_else(|e| panic!("[{label}] expiry pass: {e}"))
    }
}

/// The notices of the customer's moves from `old` to `new`.
async fn told(suite: &Suite, id: &str, old: &str, new: &str) -> Vec<pb::TierChange> {
    notices(suite)
        .await
        .into_iter()
        .filter_map(|e| e.change)
        .filter(|c| c.customer_id == id && c.old_tier == old && c.new_tier == new)
        .collect()
}

#[tokio::test]
async fn an_expired_override_returns_the_customer_to_the_evaluated_tier_and_tells_them() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&id, "2026-06").await;
        let expiry = now() + Duration::days(1);
        suite.override_until(&id, "DIAMOND", expiry).await;
        // Read (and cached) while the override is in force.
        assert_eq!(suite.tier_code(&id).await, "DIAMOND", "[{label}]");
        assert_eq!(suite.close_expired().await, 0, "[{label}] not run out yet");

        suite.clock.advance(Duration::days(2));
        assert_eq!(suite.close_expired().await, 1, "[{label}]");

        let history = suite.history(&id).await;
        assert_eq!(history.len(), 3, "[{label}] {history:?}");
        let back = &history[0];
        assert_eq!(
            (back.old_tier.as_str(), back.new_tier.as_str()),
            ("DIAMOND", "GOLD"),
            "[{label}]"
        );
        assert_eq!(
            back.change_time,
            Some(at(expiry)),
            "[{label}] at the expiry"
        );
        assert_eq!(back.decision, pb::Decision::Overridden as i32, "[{label}]");
        assert_eq!(back.actor, EXPIRY_ACTOR, "[{label}]");
        assert!(back.reason.contains("expired"), "[{label}] {}", back.reason);

        let sent = told(&suite, &id, "DIAMOND", "GOLD").await;
        assert_eq!(sent.len(), 1, "[{label}] one notice");
        assert_eq!(sent[0].change_time, Some(at(expiry)), "[{label}]");

        // The answer cached under the override is gone.
        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(tier.tier, "GOLD", "[{label}]");
        assert!(tier.r#override.is_none(), "[{label}]");

        assert_eq!(suite.close_expired().await, 0, "[{label}] closed once");
        assert_eq!(suite.history(&id).await.len(), 3, "[{label}]");
        assert_eq!(told(&suite, &id, "DIAMOND", "GOLD").await.len(), 1);
    }
}

#[tokio::test]
async fn between_the_expiry_and_the_pass_the_evaluated_tier_already_answers() {
    for mut suite in suites().await {
        let label = suite.label;
        // Scores PLATINUM but was never evaluated: STANDARD until an evaluation says more.
        let id = suite.customer_scoring("PLATINUM").await.customer_id;
        let expiry = now() + Duration::hours(1);
        suite.override_until(&id, "DIAMOND", expiry).await;
        suite.clock.advance(Duration::hours(2));

        assert_eq!(suite.tier_code(&id).await, "STANDARD", "[{label}]");
        // An evaluation before the pass moves the tier on from the one the expiry left.
        let june = suite.evaluate(&id, "2026-06").await;
        assert_eq!(
            (june.current_tier.as_str(), june.resulting_tier.as_str()),
            ("STANDARD", "PLATINUM"),
            "[{label}]"
        );
        assert_eq!(suite.close_expired().await, 1, "[{label}]");

        // The end is told as it happened: back to STANDARD at the expiry, not to PLATINUM.
        let lapse = told(&suite, &id, "DIAMOND", "STANDARD").await;
        assert_eq!(lapse.len(), 1, "[{label}]");
        assert_eq!(lapse[0].change_time, Some(at(expiry)), "[{label}]");
        assert!(told(&suite, &id, "DIAMOND", "PLATINUM").await.is_empty());
        assert_eq!(told(&suite, &id, "STANDARD", "PLATINUM").await.len(), 1);
        assert_eq!(suite.tier_code(&id).await, "PLATINUM", "[{label}]");
    }
}

#[tokio::test]
async fn an_override_that_replaces_one_run_out_still_tells_its_end() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&id, "2026-06").await;
        let expiry = now() + Duration::days(1);
        suite.override_until(&id, "DIAMOND", expiry).await;
        suite.clock.advance(Duration::days(2));

        suite.override_to(&id, "PLATINUM").await;
        let history = suite.history(&id).await;
        let moves: Vec<_> = history
            .iter()
            .map(|c| (c.old_tier.as_str(), c.new_tier.as_str(), c.actor.as_str()))
            .collect();
        assert_eq!(
            moves[..2],
            [
                ("GOLD", "PLATINUM", "emp-7"),
                ("DIAMOND", "GOLD", EXPIRY_ACTOR)
            ],
            "[{label}]"
        );
        assert_eq!(history[1].change_time, Some(at(expiry)), "[{label}]");
        assert_eq!(suite.close_expired().await, 0, "[{label}] nothing left");
        assert_eq!(told(&suite, &id, "DIAMOND", "GOLD").await.len(), 1);
        assert_eq!(suite.tier_code(&id).await, "PLATINUM", "[{label}]");
    }
}

#[tokio::test]
async fn passes_that_race_close_an_override_once() {
    for mut suite in suites().await {
        let label = suite.label;
        let ids = [
            suite.customer_scoring("SILVER").await.customer_id,
            suite.customer_scoring("GOLD").await.customer_id,
        ];
        for id in &ids {
            suite.evaluate(id, "2026-06").await;
            suite
                .override_until(id, "DIAMOND", now() + Duration::hours(1))
                .await;
        }
        suite.clock.advance(Duration::hours(1));
        let replica = another_replica(&suite).await;
        let passes = tokio::join!(
            suite.override_expiry.run_once(),
            suite.override_expiry.run_once(),
            async {
                match &replica {
                    Some(replica) => replica.run_once().await,
                    None => Ok(0),
                }
            }
        );
        let closed = [passes.0, passes.1, passes.2].map(|p| p.expect("a pass runs"));
        assert_eq!(closed.iter().sum::<usize>(), 2, "[{label}] {closed:?}");
        for (id, evaluated) in ids.iter().zip(["SILVER", "GOLD"]) {
            let ends = suite
                .history(id)
                .await
                .into_iter()
                .filter(|c| c.actor == EXPIRY_ACTOR)
                .count();
            assert_eq!(ends, 1, "[{label}] one history row");
            assert_eq!(told(&suite, id, "DIAMOND", evaluated).await.len(), 1);
        }
    }
}

/// A second replica's pass over the same database. Embedded SQLite belongs to one process, so
/// there its passes can only race inside that process.
async fn another_replica(suite: &Suite) -> Option<OverrideExpiry> {
    let db = Database::connect(
        &suite.tiering_settings().database,
        &suite.tiering_settings().data_dir,
        "tiering",
    )
    .await
    .expect("the tiering database opens");
    if db.backend() == vipcare_storage::Backend::Sqlite {
        return None;
    }
    let cache = vipcare_cache::Cache::connect(&suite.tiering_settings().cache)
        .await
        .expect("the cache connects");
    Some(OverrideExpiry::new(db, cache, suite.clock.clone()))
}

#[tokio::test]
async fn notices_wait_in_the_outbox_while_no_reminder_service_takes_them() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&id, "2026-06").await;
        let db = Database::connect(
            &suite.tiering_settings().database,
            &suite.tiering_settings().data_dir,
            "tiering",
        )
        .await
        .expect("the tiering database opens");
        let conn = db.conn();
        // The relay keeps trying; each look must find the notice waiting, never parked.
        let waited = async {
            let mut looks = tokio::time::interval(std::time::Duration::from_millis(50));
            loop {
                looks.tick().await;
                let row = conn
                    .query_one_raw(statement(
                        conn,
                        "SELECT attempts, next_attempt_ms, delivered_ms, last_error FROM outbox \
                         WHERE destination = $1 AND method = $2",
                        [NOTICE_DESTINATION.into(), NOTICE_EVENT.into()],
                    ))
                    .await
                    .expect("the outbox reads")
                    .expect("the notice is in the outbox");
                let (attempts, next, delivered, error): (i32, i64, Option<i64>, Option<String>) =
                    row.try_get_many_by_index().unwrap();
                assert_eq!(delivered, None, "[{label}] nobody took it");
                assert_ne!(next, i64::MAX, "[{label}] not parked: {error:?}");
                if attempts >= 2 {
                    return error;
                }
            }
        };
        let error = tokio::time::timeout(std::time::Duration::from_secs(30), waited)
            .await
            .unwrap_or_else(|_| panic!("[{label}] the relay did not try twice in 30 s"));
        assert!(
            error.is_some_and(|e| !e.is_empty()),
            "[{label}] why it waits is kept"
        );
    }
}
