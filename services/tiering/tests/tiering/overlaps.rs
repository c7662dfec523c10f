//! An evaluation and an override that overlap: each reads the record, changes its part and
//! writes it back, so the one that read first writes a stale copy. The stale write is replayed
//! here through the store, as it lands when the two interleave, and must not undo the other.

use vipcare_storage::Database;
use vipcare_tiering::store::records::{self, Part};

use crate::harness::*;

async fn tiering_db(suite: &Suite) -> Database {
    Database::connect(
        &suite.tiering_settings().database,
        &suite.tiering_settings().data_dir,
        "tiering",
    )
    .await
    .expect("the tiering database opens")
}

#[tokio::test]
async fn an_evaluation_written_late_keeps_an_override_set_meanwhile() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&id, "2026-05").await;
        let db = tiering_db(&suite).await;
        // An evaluation of June reads the record…
        let mut june = records::get(db.conn(), &id).await.unwrap().unwrap();
        // …an operator overrides the tier…
        suite.override_to(&id, "DIAMOND").await;
        // …and the evaluation writes what it read, with June's standing.
        june.last_period = Some(vipcare_tiering::domain::Period::parse("2026-06").unwrap());
        records::upsert(db.conn(), &[june], Part::Evaluation)
            .await
            .unwrap();

        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(tier.tier, "DIAMOND", "[{label}] the override survives");
        assert_eq!(
            tier.last_period, "2026-06",
            "[{label}] and so does the evaluation"
        );
    }
}

#[tokio::test]
async fn an_override_written_late_keeps_an_evaluation_made_meanwhile() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        suite.evaluate(&id, "2026-05").await;
        let db = tiering_db(&suite).await;
        // An override reads the record…
        let mut manual = records::get(db.conn(), &id).await.unwrap().unwrap();
        // …June is evaluated…
        suite.evaluate(&id, "2026-06").await;
        // …and the override writes what it read, with its manual tier.
        suite.override_to(&id, "PLATINUM").await;
        manual.manual = records::get(db.conn(), &id).await.unwrap().unwrap().manual;
        records::upsert(db.conn(), &[manual], Part::Override)
            .await
            .unwrap();

        let tier = suite.tier(&id).await.tier.unwrap();
        assert_eq!(
            tier.last_period, "2026-06",
            "[{label}] June's evaluation survives"
        );
        assert_eq!(tier.tier, "PLATINUM", "[{label}]");
    }
}
