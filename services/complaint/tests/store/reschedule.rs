//! What a policy change reschedules: complaints not yet resolved, by pages of ids, each with
//! the levels fired on its current clock only (a reopen's new clock has none yet).

use vipcare_complaint::domain::{Level, Move, RootCauseGap};
use vipcare_complaint::store::escalations::{self, Escalation};
use vipcare_complaint::store::{StoredComplaint, reschedule};

use crate::harness::{Ask, minutes, now, opened, save, stores};

fn fired(c: &StoredComplaint, level: Level) -> Escalation {
    Escalation {
        level,
        clock_started_at: c.clock.started_at(),
        manual: false,
        escalated_by: None,
        reason: "the clock".into(),
        escalated_at: now(),
    }
}

#[tokio::test]
async fn open_clocks_are_read_by_pages_with_their_fired_levels() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let escalated = opened(db, Ask::new("c-1").at(minutes(-60))).await;
        escalations::record(
            db.conn(),
            &escalated.complaint.id,
            &fired(&escalated, Level::Level2),
        )
        .await
        .unwrap();
        escalations::record(
            db.conn(),
            &escalated.complaint.id,
            &fired(&escalated, Level::Level1),
        )
        .await
        .unwrap();
        let resolve = || Move::Resolve {
            resolution: "refunded".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        // Escalated on its first clock, then resolved and reopened: a new clock, nothing fired.
        let reopened = opened(db, Ask::new("c-2").at(minutes(-50))).await;
        escalations::record(
            db.conn(),
            &reopened.complaint.id,
            &fired(&reopened, Level::Level1),
        )
        .await
        .unwrap();
        let reopened = save(db, &reopened, resolve(), now() - minutes(10)).await;
        let reason = "charged again".to_owned();
        let reopened = save(db, &reopened, Move::Reopen { reason }, now()).await;
        let quiet = opened(db, Ask::new("c-3").at(minutes(-40))).await;
        let done = opened(db, Ask::new("c-4").at(minutes(-30))).await;
        save(db, &done, resolve(), now()).await;

        let mut expected = vec![
            (
                escalated.complaint.id.clone(),
                vec![Level::Level1, Level::Level2],
            ),
            (reopened.complaint.id.clone(), vec![]),
            (quiet.complaint.id.clone(), vec![]),
        ];
        expected.sort();
        let mut found = Vec::new();
        let mut after = String::new();
        loop {
            let page = reschedule::page(db.conn(), &after, 2).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.stored.complaint.id.clone();
            found.extend(page.into_iter().map(|o| (o.stored.complaint.id, o.fired)));
        }
        assert_eq!(
            found, expected,
            "{label}: the resolved one is left, each once, by id"
        );
    }
}
