//! Tier changes leave a notice in tiering's outbox, in the same transaction as the change, for
//! the reminder service to tell the customer. Read from the service's own database: the relay
//! keeps every row (delivered or waiting), so the outbox is the record of what was told.

use prost::Message;
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::sea_orm::ConnectionTrait;
use vipcare_storage::{Database, statement};
use vipcare_tiering::store::history::{NOTICE_DESTINATION, NOTICE_EVENT};

use crate::harness::*;

pub(crate) async fn notices(suite: &Suite) -> Vec<pb::TierChangeEvent> {
    let db = Database::connect(
        &suite.tiering_settings().database,
        &suite.tiering_settings().data_dir,
        "tiering",
    )
    .await
    .expect("the tiering database opens");
    let conn = db.conn();
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT payload FROM outbox WHERE destination = $1 AND method = $2 ORDER BY id",
            [NOTICE_DESTINATION.into(), NOTICE_EVENT.into()],
        ))
        .await
        .expect("the outbox reads");
    rows.iter()
        .map(|row| {
            let payload: Vec<u8> = row.try_get_by_index(0).unwrap();
            pb::TierChangeEvent::decode(payload.as_slice()).expect("a tier change event")
        })
        .collect()
}

#[tokio::test]
async fn every_tier_change_leaves_a_notice_for_the_customer() {
    for mut suite in suites().await {
        let label = suite.label;
        let id = suite.customer_scoring("GOLD").await.customer_id;
        let dry = pb::EvaluateCustomerRequest {
            customer_id: id.clone(),
            dry_run: true,
            what_if_policy: None,
            period: "2026-06".into(),
        };
        suite.tiering.evaluate_customer(dry).await.unwrap();
        assert!(
            notices(&suite).await.is_empty(),
            "[{label}] a dry run tells nobody"
        );

        suite.evaluate(&id, "2026-06").await;
        suite.evaluate(&id, "2026-06").await;
        suite.override_to(&id, "DIAMOND").await;
        let sent = notices(&suite).await;
        let moves: Vec<_> = sent
            .iter()
            .map(|e| {
                let c = e.change.as_ref().unwrap();
                (
                    c.customer_id.as_str(),
                    c.old_tier.as_str(),
                    c.new_tier.as_str(),
                )
            })
            .collect();
        assert_eq!(
            moves,
            [
                (id.as_str(), "STANDARD", "GOLD"),
                (id.as_str(), "GOLD", "DIAMOND")
            ],
            "[{label}] one notice per change"
        );
        assert_eq!(
            (
                sent[0].old_display_name.as_str(),
                sent[0].new_display_name.as_str()
            ),
            ("普通", "金卡")
        );
        assert_eq!(sent[1].change.as_ref().unwrap().actor, "emp-7", "[{label}]");
    }
}
