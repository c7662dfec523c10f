//! ListReminders pages: earliest planned first, then by id, behind opaque tokens that stay
//! stable while reminders are inserted between pages; filters by state, touchpoint and staff
//! assignee.

use vipcare_reminder::domain::{ReminderState, Touchpoint};
use vipcare_reminder::store::StoreError;
use vipcare_reminder::store::listing::{self, ReminderFilter};
use vipcare_reminder::store::reminders::{self, Which};
use vipcare_storage::Database;

use crate::harness::{Ask, created, minutes, now, stores};

async fn all_pages(db: &Database, filter: &ReminderFilter, size: u64) -> Vec<String> {
    let (mut ids, mut token) = (Vec::new(), String::new());
    loop {
        let page = listing::list(db.conn(), filter, &token, size)
            .await
            .unwrap();
        assert!(page.reminders.len() as u64 <= size);
        ids.extend(page.reminders.into_iter().map(|r| r.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        token = page.next_page_token;
    }
}

fn customer(id: &str) -> ReminderFilter {
    ReminderFilter {
        customer_id: Some(id.to_owned()),
        ..ReminderFilter::default()
    }
}

#[tokio::test]
async fn pages_stay_stable_while_reminders_are_inserted() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let mut expected = Vec::new();
        // Pairs share a planned time, so the id breaks the tie.
        for i in 0..25 {
            let r = created(db, Ask::new("c-1", Touchpoint::Care).at(minutes(i / 2))).await;
            expected.push((r.planned_send_at, r.id));
        }
        created(db, Ask::new("c-2", Touchpoint::Care)).await;
        expected.sort();

        let filter = customer("c-1");
        let first = listing::list(db.conn(), &filter, "", 10).await.unwrap();
        let mut seen: Vec<String> = first.reminders.into_iter().map(|r| r.id).collect();
        // Inserted between pages: one before the cursor, one after everything.
        created(db, Ask::new("c-1", Touchpoint::Care)).await;
        let last = created(db, Ask::new("c-1", Touchpoint::Care).at(minutes(100))).await;
        let mut token = first.next_page_token;
        while !token.is_empty() {
            let page = listing::list(db.conn(), &filter, &token, 10).await.unwrap();
            seen.extend(page.reminders.into_iter().map(|r| r.id));
            token = page.next_page_token;
        }
        let mut wanted: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
        wanted.push(last.id);
        assert_eq!(seen, wanted, "{label}: nothing repeated, nothing skipped");

        let bad = listing::list(db.conn(), &filter, "bm90IG91cnM", 10).await;
        assert!(
            matches!(&bad, Err(StoreError::Invalid(v)) if v[0].field == "page_token"),
            "{label}: {bad:?}"
        );
    }
}

#[tokio::test]
async fn lists_filter_by_state_touchpoint_and_assignee() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let care = created(db, Ask::new("c-1", Touchpoint::Care).at(minutes(5))).await;
        let plan = created(db, Ask::new("c-1", Touchpoint::PlanChange).at(minutes(6))).await;
        let cancelled = created(db, Ask::new("c-1", Touchpoint::Care).at(minutes(7))).await;
        reminders::cancel(db.conn(), Which::Id(&cancelled.id), None, now())
            .await
            .unwrap();
        let task_1 = created(db, Ask::new("c-1", Touchpoint::StaffTask).assignee("am-7")).await;
        let task_2 = created(db, Ask::new("c-2", Touchpoint::StaffTask).assignee("am-7")).await;
        created(db, Ask::new("c-3", Touchpoint::StaffTask).assignee("am-8")).await;

        let waiting_care = ReminderFilter {
            states: vec![ReminderState::Scheduled, ReminderState::Deferred],
            touchpoint: Some(Touchpoint::Care),
            ..customer("c-1")
        };
        assert_eq!(
            all_pages(db, &waiting_care, 2).await,
            [care.id.as_str()],
            "{label}"
        );
        let ended = ReminderFilter {
            states: vec![ReminderState::Cancelled],
            ..customer("c-1")
        };
        assert_eq!(
            all_pages(db, &ended, 2).await,
            [cancelled.id.as_str()],
            "{label}"
        );
        let plans = ReminderFilter {
            touchpoint: Some(Touchpoint::PlanChange),
            ..customer("c-1")
        };
        assert_eq!(all_pages(db, &plans, 2).await, [plan.id], "{label}");
        let staff = ReminderFilter {
            staff_assignee: Some("am-7".into()),
            ..ReminderFilter::default()
        };
        let mut tasks = all_pages(db, &staff, 1).await;
        tasks.sort();
        let mut wanted = vec![task_1.id, task_2.id];
        wanted.sort();
        assert_eq!(tasks, wanted, "{label}");
    }
}
