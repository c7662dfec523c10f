//! A complaint's schedule lives in a row of its own (`complaint_schedules`), written beside the
//! complaint: after an opening, a move, an escalation by the pass, a policy change and a
//! resolution, that row holds the complaint's version, opening time and state, and the
//! instants and the change stamp the complaint reads back with (the stamp moved by every
//! write, the pass's escalation included); a write refused for its stale version changes
//! neither row.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_complaint::domain::{
    BusinessCalendar, ClockKind, Level, Move, RootCauseGap, SlaTarget,
};
use vipcare_complaint::store::listing::{self, ComplaintFilter};
use vipcare_complaint::store::{Schedule, StoreError, StoredComplaint, complaints, reschedule};
use vipcare_storage::sea_orm::ConnectionTrait;
use vipcare_storage::{Database, statement};

use crate::harness::{Ask, minutes, moved, now, opened, save, schedule_of, stores};
use crate::sweep::{Pass, hours};

/// The schedule row as stored: version, opening, state, overdue, next check and change stamp
/// (epoch ms).
type ScheduleRow = (i64, i64, String, Option<i64>, Option<i64>, i64);

async fn schedule_row(db: &Database, id: &str) -> ScheduleRow {
    let conn = db.conn();
    let sql = "SELECT version, opened_ms, state, overdue_ms, next_check_ms, update_ms \
               FROM complaint_schedules WHERE complaint_id = $1";
    let row = conn
        .query_one_raw(statement(conn, sql, [id.into()]))
        .await
        .unwrap()
        .expect("every complaint has its schedule row");
    (
        row.try_get("", "version").unwrap(),
        row.try_get("", "opened_ms").unwrap(),
        row.try_get("", "state").unwrap(),
        row.try_get("", "overdue_ms").unwrap(),
        row.try_get("", "next_check_ms").unwrap(),
        row.try_get("", "update_ms").unwrap(),
    )
}

fn ms(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

/// Reads the complaint back and checks its schedule row agrees with it, and that it is
/// scheduled as `wanted` and was last changed at `changed`; the complaint as read.
async fn agrees(
    db: &Database,
    label: &str,
    step: &str,
    id: &str,
    (wanted, changed): (Schedule, DateTime<Utc>),
) -> StoredComplaint {
    let read = complaints::get(db.conn(), id).await.unwrap();
    let k = &read.complaint;
    assert_eq!(
        (read.schedule, read.update_time),
        (wanted, changed),
        "{label}, {step}: the schedule and change stamp read back"
    );
    assert_eq!(
        schedule_row(db, id).await,
        (
            i64::try_from(k.version).unwrap(),
            k.opened_at.timestamp_millis(),
            k.state.code().to_owned(),
            ms(wanted.overdue_at),
            ms(wanted.next_check),
            changed.timestamp_millis(),
        ),
        "{label}, {step}: the schedule row is the complaint's"
    );
    read
}

#[tokio::test]
async fn the_schedule_row_follows_its_complaint_through_every_kind_of_write() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let ask = Ask {
            severity: vipcare_complaint::domain::Severity::High,
            ..Ask::new("c-1")
        };
        let c = opened(db, ask).await;
        let id = c.complaint.id.clone();
        agrees(db, label, "opened", &id, (c.schedule, now())).await;

        let acknowledged = save(db, &c, Move::Acknowledge, now() + minutes(5)).await;
        let at = now() + minutes(5);
        agrees(db, label, "a move", &id, (acknowledged.schedule, at)).await;

        // The pass fires level 1 at 80% of the 24 h and moves the check on to the breach,
        // without a move: the version stays, in both rows.
        let pass = Pass::over(db, 500);
        let l1 = TimeDelta::minutes(19 * 60 + 12);
        assert_eq!(pass.at(l1).await.escalated, 1, "{label}");
        let after_l1 = schedule_of(
            &acknowledged.complaint,
            &acknowledged.clock,
            &[Level::Level1],
        );
        assert_ne!(
            after_l1.next_check, acknowledged.schedule.next_check,
            "{label}"
        );
        let escalated = agrees(db, label, "an escalation", &id, (after_l1, now() + l1)).await;
        assert_eq!(
            escalated.complaint.version, 2,
            "{label}: escalation is no move"
        );

        // A policy change (48 h to resolve) reschedules over the version read, as the service
        // does: with the levels already fired on the clock.
        let page = reschedule::page(db.conn(), "", 10).await.unwrap();
        assert_eq!(page.len(), 1, "{label}");
        assert_eq!(page[0].fired, [Level::Level1], "{label}");
        let longer = SlaTarget {
            respond: TimeDelta::hours(1),
            resolve: TimeDelta::hours(48),
            clock: ClockKind::Calendar,
        };
        let calendar = BusinessCalendar::default();
        let rescheduled = Schedule::of(&page[0].stored.clock, &longer, &calendar, &page[0].fired);
        assert_ne!(rescheduled, after_l1, "{label}");
        assert!(
            complaints::reschedule(db.conn(), &id, 2, rescheduled)
                .await
                .unwrap(),
            "{label}"
        );
        // A policy change is no change to the complaint: its stamp stays.
        let at = now() + l1;
        agrees(db, label, "a policy change", &id, (rescheduled, at)).await;

        // Written over a version the complaint has left: neither row changes.
        assert!(
            !complaints::reschedule(db.conn(), &id, 1, Schedule::default())
                .await
                .unwrap(),
            "{label}: a stale reschedule is refused"
        );
        let (stale, _) = moved(&c, Move::Acknowledge, "staff-1", now() + hours(20));
        let entry = stale.complaint.timeline.last().unwrap().clone();
        let refused = complaints::save_move(db.conn(), &stale, 1, &entry).await;
        assert!(
            matches!(
                refused,
                Err(StoreError::VersionMismatch {
                    expected: 1,
                    current: 2
                })
            ),
            "{label}: {refused:?}"
        );
        agrees(db, label, "refused writes", &id, (rescheduled, at)).await;

        // Responded, so overdue when the time to resolve runs out: 24 h under the old policy,
        // 48 h under the new one. The overdue list reads the schedule row.
        let overdue = ComplaintFilter {
            overdue: true,
            ..ComplaintFilter::default()
        };
        let listed = |at: DateTime<Utc>| {
            let overdue = overdue.clone();
            async move {
                let page = listing::list(db.conn(), &overdue, at, "", 10)
                    .await
                    .unwrap();
                page.complaints
                    .iter()
                    .map(|c| c.complaint.id.clone())
                    .collect::<Vec<_>>()
            }
        };
        assert!(listed(now() + hours(30)).await.is_empty(), "{label}");
        assert_eq!(
            listed(now() + hours(49)).await,
            std::slice::from_ref(&id),
            "{label}"
        );

        let working = save(db, &escalated, Move::StartWork, now() + hours(20)).await;
        let at = now() + hours(20);
        agrees(db, label, "another move", &id, (working.schedule, at)).await;
        let resolve = Move::Resolve {
            resolution: "退还多扣的 30 元".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        let resolved = save(db, &working, resolve, now() + hours(21)).await;
        assert_eq!(resolved.schedule, Schedule::default(), "{label}");
        let at = now() + hours(21);
        agrees(db, label, "resolved", &id, (Schedule::default(), at)).await;
        assert!(listed(now() + hours(49)).await.is_empty(), "{label}");
    }
}
