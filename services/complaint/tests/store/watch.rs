//! The watch's reads: complaints changed since an instant in (update time, id) order with the
//! marks that tell what changed, even within one millisecond; the complaints owed work a watch
//! starts with, filtered and most recently opened first; the entries and kinds of change a
//! complaint stamped since an instant; the escalations of the background pass among them.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use vipcare_complaint::domain::{Channel, Level, Move, Promise, RootCauseGap, Severity};
use vipcare_complaint::store::escalations::{self, Escalation};
use vipcare_complaint::store::promises;
use vipcare_complaint::store::watch::{self, Marks, Part, WatchFilter};

use crate::harness::{Ask, minutes, now, opened, save, stores};
use crate::sweep::Pass;

#[tokio::test]
async fn changes_are_read_in_update_order_with_marks_that_grow() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let early = opened(db, Ask::new("c-1").at(minutes(-20))).await;
        let a = opened(db, Ask::new("c-2")).await;
        let b = opened(db, Ask::new("c-3")).await;

        let read = watch::changed_since(db.conn(), now() - minutes(5), None, 10)
            .await
            .unwrap();
        let mut same_instant = [a.complaint.id.clone(), b.complaint.id.clone()];
        same_instant.sort();
        let ids: Vec<_> = read.iter().map(|w| w.stored.complaint.id.clone()).collect();
        assert_eq!(
            ids, same_instant,
            "{label}: the older change is out of the window"
        );
        assert_eq!(
            read[0].marks,
            Marks {
                version: 1,
                ..Marks::default()
            },
            "{label}"
        );

        // Three changes of `a` in the very instant it was opened: a move, a promise, an
        // escalation. Its update time stays; its marks say all three.
        let a = save(db, &a, Move::Acknowledge, now()).await;
        let promise = Promise::new(
            "p-1".into(),
            "call back",
            now() + minutes(60),
            "staff-1",
            now(),
        )
        .unwrap();
        promises::add(db.conn(), &a.complaint.id, &promise, None)
            .await
            .unwrap();
        let escalation = Escalation {
            level: Level::Level1,
            clock_started_at: a.clock.started_at(),
            manual: true,
            escalated_by: Some("staff-9".into()),
            reason: "asked for a manager".into(),
            escalated_at: now(),
        };
        escalations::record(db.conn(), &a.complaint.id, &escalation)
            .await
            .unwrap();
        let read = watch::changed_since(db.conn(), now(), None, 10)
            .await
            .unwrap();
        let marks = read
            .iter()
            .find(|w| w.stored.complaint.id == a.complaint.id)
            .unwrap()
            .marks;
        let before = Marks {
            version: 1,
            ..Marks::default()
        };
        assert_eq!(
            (marks.version, marks.promises_made, marks.escalations),
            (2, 1, 1),
            "{label}"
        );
        assert_eq!(
            marks.parts_changed_since(&before),
            [Part::Promise, Part::Escalation],
            "{label}"
        );

        // Pages by (update time, id).
        let first = watch::changed_since(db.conn(), now() - minutes(30), None, 1)
            .await
            .unwrap();
        assert_eq!(first[0].stored.complaint.id, early.complaint.id, "{label}");
        let last = &first[0].stored;
        let cursor = (
            last.update_time.timestamp_millis(),
            last.complaint.id.clone(),
        );
        let rest = watch::changed_since(db.conn(), now() - minutes(30), Some(&cursor), 10)
            .await
            .unwrap();
        assert_eq!(rest.len(), 2, "{label}");

        // What `a` stamped at or after now: its two entries, a promise and an escalation.
        let entries = watch::entries_since(db.conn(), &a.complaint.id, now())
            .await
            .unwrap();
        assert_eq!(entries.len(), 2, "{label}");
        let after_opening = watch::entries_after(db.conn(), &a.complaint.id, 1)
            .await
            .unwrap();
        assert_eq!(after_opening.len(), 1, "{label}");
        assert_eq!(after_opening[0].version, 2);
        let parts = watch::parts_changed_at_or_after(db.conn(), &a.complaint.id, now())
            .await
            .unwrap();
        assert_eq!(parts, [Part::Promise, Part::Escalation], "{label}");
        let none = watch::parts_changed_at_or_after(db.conn(), &a.complaint.id, now() + minutes(1))
            .await
            .unwrap();
        assert!(none.is_empty(), "{label}");
    }
}

#[tokio::test]
async fn a_watch_starts_from_the_matching_complaints_owed_work_newest_first() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let hall_old = opened(db, Ask::new("c-1").at(minutes(-30))).await;
        let hall_new = opened(db, Ask::new("c-2").at(minutes(-10))).await;
        let hotline = opened(
            db,
            Ask {
                channel: Channel::Hotline,
                ..Ask::new("c-3")
            },
        )
        .await;
        let other_team_low = opened(
            db,
            Ask {
                owner: "staff-2",
                severity: Severity::Low,
                ..Ask::new("c-4").at(minutes(-5))
            },
        )
        .await;
        let resolved = opened(db, Ask::new("c-5").at(minutes(-20))).await;
        let resolve = Move::Resolve {
            resolution: "refunded".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        save(db, &resolved, resolve, now()).await;

        let ids = |found: Vec<vipcare_complaint::store::StoredComplaint>| {
            found
                .into_iter()
                .map(|c| c.complaint.id)
                .collect::<Vec<_>>()
        };
        let all = watch::owed(db.conn(), &WatchFilter::default(), None, 10)
            .await
            .unwrap();
        assert_eq!(
            ids(all.0),
            [&hotline, &other_team_low, &hall_new, &hall_old].map(|c| c.complaint.id.clone()),
            "{label}: the resolved one is owed nothing"
        );
        assert!(all.1.is_none(), "{label}: one page");

        let hall_team = WatchFilter {
            channel: Some(Channel::Hall),
            staff_ids: BTreeSet::from(["staff-1".to_owned()]),
            min_severity: Some(Severity::Medium),
        };
        let (page, next) = watch::owed(db.conn(), &hall_team, None, 1).await.unwrap();
        assert_eq!(ids(page), [hall_new.complaint.id.as_str()], "{label}");
        let (page, next) = watch::owed(db.conn(), &hall_team, next.as_ref(), 1)
            .await
            .unwrap();
        assert_eq!(ids(page), [hall_old.complaint.id.as_str()], "{label}");
        let (page, _) = watch::owed(db.conn(), &hall_team, next.as_ref(), 1)
            .await
            .unwrap();
        assert!(page.is_empty(), "{label}");
        assert!(hall_team.matches(&hall_new.complaint));
        assert!(!hall_team.matches(&other_team_low.complaint));

        // A transfer makes the handler a member of the team: it matches by handler.
        let transferred = save(
            db,
            &other_team_low,
            Move::Transfer {
                to_handler: "staff-7".into(),
                reason: "billing expert".into(),
            },
            now(),
        )
        .await;
        let by_handler = WatchFilter {
            staff_ids: BTreeSet::from(["staff-7".to_owned()]),
            ..WatchFilter::default()
        };
        let (page, _) = watch::owed(db.conn(), &by_handler, None, 10).await.unwrap();
        assert_eq!(ids(page), [transferred.complaint.id.as_str()], "{label}");
    }
}

#[tokio::test]
async fn the_watch_sees_the_passs_escalations_and_the_moves_after_them() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let ask = Ask {
            severity: Severity::High,
            ..Ask::new("c-1")
        };
        let c = opened(db, ask).await;
        let id = c.complaint.id.clone();
        let quiet = opened(db, Ask::new("c-2")).await;

        // Level 1 at 80% of the 24 h to resolve: the pass stamps what it escalated, in its
        // schedule's write, and nothing else.
        let l1 = TimeDelta::minutes(19 * 60 + 12);
        let pass = Pass::over(db, 500);
        assert_eq!(pass.at(l1).await.escalated, 1, "{label}");
        let read = watch::changed_since(db.conn(), now() + l1, None, 10)
            .await
            .unwrap();
        let ids: Vec<_> = read.iter().map(|w| w.stored.complaint.id.clone()).collect();
        assert_eq!(
            ids,
            std::slice::from_ref(&id),
            "{label}: {} stays quiet",
            quiet.complaint.id
        );
        let escalated = &read[0];
        assert_eq!(escalated.stored.update_time, now() + l1, "{label}");
        let opening = Marks {
            version: 1,
            ..Marks::default()
        };
        assert_eq!(
            escalated.marks.parts_changed_since(&opening),
            [Part::Escalation],
            "{label}"
        );

        // A later pass with nothing to fire leaves the stamp where it was.
        assert_eq!(pass.at(l1 + minutes(1)).await.escalated, 0, "{label}");
        let later = watch::changed_since(db.conn(), now() + l1 + minutes(1), None, 10)
            .await
            .unwrap();
        assert!(later.is_empty(), "{label}: {later:?}");

        // A move after it is seen too, by its version.
        let at = l1 + minutes(2);
        save(db, &c, Move::Acknowledge, now() + at).await;
        let read = watch::changed_since(db.conn(), now() + at, None, 10)
            .await
            .unwrap();
        assert_eq!(read.len(), 1, "{label}");
        assert_eq!(read[0].stored.complaint.id, id, "{label}");
        assert_eq!(read[0].marks.version, 2, "{label}");
        assert_eq!(read[0].marks.escalations, 1, "{label}");
        assert_eq!(read[0].stored.update_time, now() + at, "{label}");
    }
}
