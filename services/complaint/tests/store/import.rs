//! Bulk import: complaints written many at a time read back exactly as inserted, whatever
//! point of their life they were imported at, with their timelines; an import that cannot be
//! written whole writes nothing.

use vipcare_complaint::domain::{Category, EntryKind, Move, RootCauseGap, Severity};
use vipcare_complaint::store::{StoreError, StoredComplaint, complaints, import, timeline};
use vipcare_storage::Database;

use crate::harness::{Ask, as_read, minutes, moved, now, stores};

/// A complaint at each point of its life: opened, acknowledged, waiting for the customer (a
/// paused clock, a pause reason), resolved (a stopped clock, every resolution column), and
/// opened as a repeat of another (a linked id, a raised severity).
fn a_spread() -> Vec<StoredComplaint> {
    let at = |m| now() + minutes(m);
    let mv = |c: &StoredComplaint, the_move, m| moved(c, the_move, "staff-1", at(m)).0;
    let opened = Ask::new("c-1").build();
    let acknowledged = mv(&Ask::new("c-2").build(), Move::Acknowledge, 5);
    let working = mv(
        &mv(&Ask::new("c-4").build(), Move::Acknowledge, 3),
        Move::StartWork,
        6,
    );
    let waiting = mv(
        &working,
        Move::WaitForCustomer {
            reason: "请提供上月详单截图".into(),
        },
        30,
    );
    let resolved = mv(
        &mv(&Ask::new("c-3").build(), Move::Acknowledge, 2),
        Move::Resolve {
            resolution: "退还 30 元，已说明计费规则".into(),
            root_cause_gap: Some(RootCauseGap::Communication),
            cannot_be_solved: Some("套餐规则不能更改".into()),
        },
        40,
    );
    let mut repeat = Ask {
        category: Category::Network,
        severity: Severity::High,
        ..Ask::new("c-1")
    }
    .build();
    repeat.complaint.related_ids = vec![opened.complaint.id.clone()];
    vec![opened, acknowledged, waiting, resolved, repeat]
}

async fn timeline_of(db: &Database, id: &str) -> Vec<(u64, EntryKind, String)> {
    let page = timeline::page(db.conn(), id, "", 100).await.unwrap();
    assert!(page.next_page_token.is_empty());
    page.entries
        .into_iter()
        .map(|e| (e.version, e.entry.kind, e.entry.text))
        .collect()
}

#[tokio::test]
async fn imported_complaints_read_back_as_inserted() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let spread = a_spread();
        let written = import::insert_many(db.conn(), &spread).await.unwrap();
        assert_eq!(written, spread.len() as u64, "{label}");
        for c in &spread {
            let read = complaints::get(db.conn(), &c.complaint.id).await.unwrap();
            assert_eq!(read, as_read(c), "{label}: {:?}", c.complaint.state);
            let expected: Vec<_> = (1..)
                .zip(&c.complaint.timeline)
                .map(|(v, e)| (v, e.kind, e.text.clone()))
                .collect();
            assert_eq!(timeline_of(db, &c.complaint.id).await, expected, "{label}");
        }
        let waiting = complaints::get(db.conn(), &spread[2].complaint.id)
            .await
            .unwrap();
        assert!(waiting.clock.is_paused(), "{label}");
        assert_eq!(waiting.schedule.next_check, None, "{label}");
    }
}

#[tokio::test]
async fn an_import_larger_than_a_chunk_lands_whole() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        // More than one chunk of complaints, in two shapes of NULL columns.
        let many: Vec<StoredComplaint> = (0..2_345)
            .map(|i| {
                let c = Ask::new(&format!("c-{i}")).at(minutes(-i)).build();
                if i % 3 == 0 {
                    moved(&c, Move::Acknowledge, "staff-2", now()).0
                } else {
                    c
                }
            })
            .collect();
        let written = import::insert_many(db.conn(), &many).await.unwrap();
        assert_eq!(written, 2_345, "{label}");
        for i in [0, 1, 1_999, 2_000, 2_344] {
            let c = &many[i];
            let read = complaints::get(db.conn(), &c.complaint.id).await.unwrap();
            assert_eq!(read, as_read(c), "{label}: complaint {i}");
        }
        let acknowledged = timeline_of(db, &many[2_343].complaint.id).await;
        assert_eq!(
            acknowledged.iter().map(|e| e.1).collect::<Vec<_>>(),
            [EntryKind::Opened, EntryKind::Acknowledged],
            "{label}"
        );
    }
}

#[tokio::test]
async fn an_import_that_cannot_land_whole_writes_nothing() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let first = a_spread();
        import::insert_many(db.conn(), &first[..1]).await.unwrap();
        // A new complaint, then one already stored: the second fails, so neither lands.
        let again = vec![first[1].clone(), first[0].clone()];
        assert!(
            import::insert_many(db.conn(), &again).await.is_err(),
            "{label}"
        );
        let missing = complaints::get(db.conn(), &first[1].complaint.id).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{label}: {missing:?}"
        );

        // A version the timeline does not account for is refused before anything is written.
        let mut odd = first[2].clone();
        odd.complaint.version += 1;
        let refused = import::insert_many(db.conn(), &[first[3].clone(), odd]).await;
        assert!(matches!(refused, Err(StoreError::Internal(_))), "{label}");
        let missing = complaints::get(db.conn(), &first[3].complaint.id).await;
        assert!(missing.is_err(), "{label}");
    }
}
