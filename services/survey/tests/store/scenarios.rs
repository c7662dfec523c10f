//! Scenario versions: seeded once however often start-up runs, each change the next version
//! with the earlier kept, and a change over a stale version (or a create over an existing
//! scenario) refused whole — of two writers of the same version exactly one wins.

use vipcare_survey::domain::{ScenarioDraft, seed};
use vipcare_survey::store::{StoreError, scenarios};

use crate::harness::{minutes, now, stores};

/// HALL_VISIT with its first moment renamed.
fn renamed(name: &str) -> ScenarioDraft {
    let mut scenario = seed::scenario("HALL_VISIT").unwrap().moments().to_vec();
    scenario[0].name = name.to_owned();
    ScenarioDraft::new("HALL_VISIT", "VIP客户到厅服务", scenario).unwrap()
}

#[tokio::test]
async fn seeding_is_idempotent_and_lists_the_four_scenarios() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let again = scenarios::ensure_seeded(db.conn(), now() + minutes(5)).await;
        assert_eq!(again.unwrap(), 0, "{label}: seeded once");
        let first = scenarios::list(db.conn(), "", 3).await.unwrap();
        let codes: Vec<&str> = first.scenarios.iter().map(|s| s.scenario.code()).collect();
        assert_eq!(
            codes,
            ["HALL_VISIT", "ON_SITE_VISIT", "PHONE_SMS"],
            "{label}"
        );
        let rest = scenarios::list(db.conn(), &first.next_page_token, 3)
            .await
            .unwrap();
        assert_eq!(rest.scenarios.len(), 1, "{label}");
        assert_eq!(rest.scenarios[0].scenario.code(), "VIP_EVENT", "{label}");
        assert_eq!(rest.next_page_token, "", "{label}: the last page");
        let moments: usize = first
            .scenarios
            .iter()
            .chain(&rest.scenarios)
            .map(|s| s.scenario.moments().len())
            .sum();
        assert_eq!(moments, 32, "{label}: the study's 32 key moments");
        let hall = scenarios::latest(db.conn(), "HALL_VISIT").await.unwrap();
        assert_eq!(
            hall.scenario,
            seed::scenario("HALL_VISIT").unwrap(),
            "{label}"
        );
        assert_eq!(hall.updated_by, scenarios::SEEDED_BY, "{label}");
    }
}

#[tokio::test]
async fn each_change_is_the_next_version_and_a_stale_one_is_refused() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let v2 = scenarios::insert_version(db.conn(), renamed("电话预约确认"), 1, "ops-a", now())
            .await
            .unwrap();
        assert_eq!(v2.scenario.version(), 2, "{label}");
        let stale = scenarios::insert_version(db.conn(), renamed("预约"), 1, "ops-b", now()).await;
        assert!(
            matches!(
                stale,
                Err(StoreError::VersionMismatch {
                    expected: 1,
                    current: 2
                })
            ),
            "{label}: {stale:?}"
        );
        let exists = scenarios::insert_version(db.conn(), renamed("预约"), 0, "ops-b", now()).await;
        assert!(
            matches!(exists, Err(StoreError::VersionMismatch { current: 2, .. })),
            "{label}: creating an existing scenario: {exists:?}"
        );
        let latest = scenarios::latest(db.conn(), "HALL_VISIT").await.unwrap();
        assert_eq!(latest, v2, "{label}: the winner stands");
        assert_eq!(latest.scenario.moments()[0].name, "电话预约确认", "{label}");
        let v1 = scenarios::get(db.conn(), "HALL_VISIT", 1).await.unwrap();
        assert_eq!(v1.scenario.moments()[0].name, "电话预约", "{label}: kept");
        let listed = scenarios::list(db.conn(), "", 50).await.unwrap();
        assert_eq!(listed.scenarios[0], v2, "{label}: listed at its latest");
        assert!(matches!(
            scenarios::get(db.conn(), "HALL_VISIT", 3).await,
            Err(StoreError::NotFound { .. })
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_writers_of_the_same_version_one_wins() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let (a, b) = tokio::join!(
            scenarios::insert_version(db.conn(), renamed("甲"), 1, "ops-a", now()),
            scenarios::insert_version(db.conn(), renamed("乙"), 1, "ops-b", now()),
        );
        let won = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{label}: {a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(
            matches!(loser, Err(StoreError::VersionMismatch { current: 2, .. })),
            "{label}"
        );
    }
}
