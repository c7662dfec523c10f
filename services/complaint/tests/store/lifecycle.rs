//! Complaints written and read back whole (clock facts, pause reasons, resolution, links), their
//! timeline paged, moves made over a stale version refused, and the repeat look-up.

use std::sync::Arc;

use tokio::sync::Barrier;
use vipcare_complaint::domain::{
    ActionKind, Category, EntryKind, Move, RootCauseGap, find_repeat, repeat::REPEAT_WINDOW,
};
use vipcare_complaint::store::{StoreError, complaints, timeline};
use vipcare_storage::Database;

use crate::harness::{Ask, as_read, minutes, moved, now, opened, save, stores};

async fn whole_timeline(db: &Database, id: &str, size: u64) -> Vec<(u64, EntryKind, String)> {
    let (mut entries, mut token) = (Vec::new(), String::new());
    loop {
        let page = timeline::page(db.conn(), id, &token, size).await.unwrap();
        assert!(page.entries.len() as u64 <= size);
        entries.extend(
            page.entries
                .into_iter()
                .map(|e| (e.version, e.entry.kind, e.entry.text)),
        );
        if page.next_page_token.is_empty() {
            return entries;
        }
        token = page.next_page_token;
    }
}

#[tokio::test]
async fn a_complaint_reads_back_with_its_clock_facts_and_resolution() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        assert_eq!(
            complaints::get(db.conn(), &c.complaint.id).await.unwrap(),
            as_read(&c)
        );

        let c = save(db, &c, Move::Acknowledge, now() + minutes(5)).await;
        let c = save(db, &c, Move::StartWork, now() + minutes(6)).await;
        let waiting = Move::WaitForCustomer {
            reason: "请提供上月详单截图".into(),
        };
        let c = save(db, &c, waiting, now() + minutes(30)).await;
        let paused = complaints::get(db.conn(), &c.complaint.id).await.unwrap();
        assert!(paused.clock.is_paused(), "{label}: the pause is kept");
        assert_eq!(paused.pause_reasons, ["请提供上月详单截图"], "{label}");
        assert_eq!(paused, as_read(&c), "{label}");

        let c = save(db, &c, Move::ResumeWork, now() + minutes(90)).await;
        let resolve = Move::Resolve {
            resolution: "退还 30 元，已说明计费规则".into(),
            root_cause_gap: Some(RootCauseGap::Communication),
            cannot_be_solved: None,
        };
        let c = save(db, &c, resolve, now() + minutes(120)).await;
        let read = complaints::get(db.conn(), &c.complaint.id).await.unwrap();
        assert_eq!(read, as_read(&c), "{label}: everything as written");
        let resolution = read.complaint.resolution.expect("resolved");
        assert_eq!(resolution.root_cause_gap, RootCauseGap::Communication);
        assert_eq!(read.clock.pauses().len(), 1, "{label}");
        assert_eq!(read.clock.resolved_at(), Some(now() + minutes(120)));
        assert_eq!(
            read.schedule.overdue_at, None,
            "{label}: resolved is never overdue"
        );
        assert_eq!(read.complaint.version, 6, "{label}");

        let wanted: Vec<_> = c
            .complaint
            .timeline
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64 + 1, e.kind, e.text.clone()))
            .collect();
        assert_eq!(
            whole_timeline(db, &c.complaint.id, 4).await,
            wanted,
            "{label}"
        );
        assert_eq!(
            whole_timeline(db, &c.complaint.id, 1).await,
            wanted,
            "{label}"
        );

        let missing = timeline::page(db.conn(), "no-such", "", 10).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{label}"
        );
        let missing = complaints::get(db.conn(), "no-such").await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{label}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_handlers_acting_on_one_version_exactly_one_wins() {
    for store in stores().await {
        let label = store.label;
        let c = opened(&store.db, Ask::new("c-1")).await;
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = ["staff-a", "staff-b"]
            .into_iter()
            .map(|to| {
                let (db, barrier) = (store.db.clone(), barrier.clone());
                let id = c.complaint.id.clone();
                tokio::spawn(async move {
                    let read = complaints::get(db.conn(), &id).await.unwrap();
                    let transfer = Move::Transfer {
                        to_handler: to.into(),
                        reason: "换人处理".into(),
                    };
                    let (next, _) = moved(&read, transfer, "staff-1", now() + minutes(1));
                    let entry = next.complaint.timeline.last().unwrap().clone();
                    // Both have read version 1 before either writes.
                    barrier.wait().await;
                    let saved = complaints::save_move(db.conn(), &next, 1, &entry).await;
                    (to, saved)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for racer in racers {
            match racer.await.unwrap() {
                (to, Ok(())) => winners.push(to),
                (_, Err(StoreError::VersionMismatch { expected, current })) => {
                    assert_eq!((expected, current), (1, 2), "{label}");
                }
                (_, Err(other)) => panic!("{label}: {other}"),
            }
        }
        assert_eq!(winners.len(), 1, "{label}: exactly one save wins");
        let read = complaints::get(store.db.conn(), &c.complaint.id)
            .await
            .unwrap();
        assert_eq!(
            read.complaint.handler, winners[0],
            "{label}: the winner's move"
        );
        assert_eq!(read.complaint.version, 2, "{label}");
        let entries = whole_timeline(&store.db, &c.complaint.id, 10).await;
        assert_eq!(entries.len(), 2, "{label}: the loser wrote no entry");
        assert!(entries[1].2.contains(winners[0]), "{label}: {entries:?}");

        // A move made from the old version later is refused the same way.
        let note = Move::AddAction {
            kind: ActionKind::Note,
            text: "迟到的备注".into(),
        };
        let (late, _) = moved(&c, note, "staff-1", now() + minutes(2));
        let entry = late.complaint.timeline.last().unwrap().clone();
        let refused = complaints::save_move(store.db.conn(), &late, 1, &entry).await;
        assert!(
            matches!(refused, Err(StoreError::VersionMismatch { current: 2, .. })),
            "{label}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn a_complaint_in_the_same_category_within_thirty_days_is_a_repeat() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let old = opened(db, Ask::new("c-1").at(-REPEAT_WINDOW - minutes(1))).await;
        let recent = opened(db, Ask::new("c-1").at(minutes(-60 * 24))).await;
        let other_category = Ask {
            category: Category::Network,
            ..Ask::new("c-1").at(minutes(-60))
        };
        opened(db, other_category).await;
        opened(db, Ask::new("c-2").at(minutes(-60))).await;

        let since = now() - REPEAT_WINDOW;
        let earlier = complaints::earlier_in_category(db.conn(), "c-1", Category::Billing, since)
            .await
            .unwrap();
        let ids: Vec<_> = earlier.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [recent.complaint.id.as_str()],
            "{label}: {old:?} is too old"
        );
        let repeat = find_repeat(
            Category::Billing,
            vipcare_complaint::domain::Severity::Medium,
            now(),
            &earlier,
        );
        assert_eq!(
            repeat.map(|r| r.of),
            Some(recent.complaint.id.clone()),
            "{label}"
        );
    }
}
