//! Progress notices by the pass: at the tier's cadence from the opening, once per interval
//! however often the pass runs, held while the customer is awaited and sent when work resumes,
//! none once resolved (and afresh after a reopen), and for complaints opened without a
//! schedule, due one interval after the opening.

use chrono::TimeDelta;
use vipcare_complaint::domain::{Move, RootCauseGap};
use vipcare_complaint::store::StoredComplaint;
use vipcare_complaint::store::progress::{self, NextNotice};
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1::ScheduleReminderRequest;
use vipcare_storage::Database;

use super::{Pass, hours, told};
use crate::harness::{Ask, now, opened, save, stores};

async fn notices(db: &Database) -> Vec<ScheduleReminderRequest> {
    told(db)
        .await
        .into_iter()
        .filter(|r| r.touchpoint == Touchpoint::ComplaintProgress as i32)
        .collect()
}

async fn next_of(db: &Database, c: &StoredComplaint) -> Option<NextNotice> {
    progress::next_of(db.conn(), &c.complaint.id).await.unwrap()
}

fn tiered<'a>(customer: &'a str, tier: &'a str) -> Ask<'a> {
    Ask {
        tier,
        ..Ask::new(customer)
    }
}

#[tokio::test]
async fn a_diamond_customer_hears_every_24_hours_once_per_interval() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let pass = Pass::over(db, 500);
        assert_eq!(pass.at(TimeDelta::zero()).await.progress_notices, 0);
        let first = now() + hours(24);
        assert_eq!(
            next_of(db, &c).await,
            Some(NextNotice::At(first)),
            "{label}"
        );

        assert_eq!(pass.at(hours(23)).await.progress_notices, 0, "{label}");
        assert_eq!(pass.at(hours(24)).await.progress_notices, 1, "{label}");
        assert_eq!(pass.at(hours(24)).await.progress_notices, 0, "{label}");
        assert_eq!(pass.at(hours(47)).await.progress_notices, 0, "{label}");
        assert_eq!(pass.at(hours(48)).await.progress_notices, 1, "{label}");

        let sent = notices(db).await;
        assert_eq!(sent.len(), 2, "{label}");
        let id = &c.complaint.id;
        for (n, notice) in sent.iter().enumerate() {
            assert_eq!(notice.customer_id, "c-1", "{label}");
            assert_eq!(notice.variables["COMPLAINT_NO"], *id, "{label}");
            assert!(!notice.variables["PROGRESS"].is_empty(), "{label}");
            let key = format!("complaint:{id}:progress:{}", n + 1);
            assert_eq!(notice.dedupe_key, key, "{label}: one ordinal per interval");
        }
        let next = now() + hours(72);
        assert_eq!(next_of(db, &c).await, Some(NextNotice::At(next)), "{label}");
    }
}

#[tokio::test]
async fn each_tier_hears_at_its_own_cadence_and_standard_not_at_all() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let gold = opened(db, tiered("c-gold", "GOLD")).await;
        let standard = opened(db, tiered("c-std", "STANDARD")).await;
        let pass = Pass::over(db, 500);
        for h in [0, 24, 48, 71] {
            assert_eq!(
                pass.at(hours(h)).await.progress_notices,
                0,
                "{label}: {h} h"
            );
        }
        assert_eq!(pass.at(hours(72)).await.progress_notices, 1, "{label}");
        let sent = notices(db).await;
        assert_eq!(sent[0].customer_id, "c-gold", "{label}");
        assert_eq!(next_of(db, &standard).await, Some(NextNotice::Never));
        let next = now() + hours(144);
        assert_eq!(next_of(db, &gold).await, Some(NextNotice::At(next)));
    }
}

#[tokio::test]
async fn a_notice_due_while_the_customer_is_awaited_goes_when_work_resumes() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let pass = Pass::over(db, 500);
        pass.at(TimeDelta::zero()).await;
        let c = save(db, &c, Move::Acknowledge, now() + hours(1)).await;
        let c = save(db, &c, Move::StartWork, now() + hours(1)).await;
        let wait = Move::WaitForCustomer {
            reason: "等客户提供账单截图".into(),
        };
        let c = save(db, &c, wait, now() + hours(2)).await;
        assert_eq!(pass.at(hours(30)).await.progress_notices, 0, "{label}");
        assert_eq!(pass.at(hours(39)).await.progress_notices, 0, "{label}");

        save(db, &c, Move::ResumeWork, now() + hours(40)).await;
        assert_eq!(pass.at(hours(40)).await.progress_notices, 1, "{label}");
        let next = now() + hours(64);
        assert_eq!(next_of(db, &c).await, Some(NextNotice::At(next)), "{label}");
    }
}

#[tokio::test]
async fn a_resolved_complaint_hears_no_more_until_it_is_reopened() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1")).await;
        let pass = Pass::over(db, 500);
        pass.at(TimeDelta::zero()).await;
        let resolve = Move::Resolve {
            resolution: "已退还多扣的话费".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        let c = save(db, &c, resolve, now() + hours(3)).await;
        assert_eq!(pass.at(hours(24)).await.progress_notices, 0, "{label}");
        assert_eq!(next_of(db, &c).await, None, "{label}: off the schedule");

        let reopen = Move::Reopen {
            reason: "又被多扣了".into(),
        };
        let c = save(db, &c, reopen, now() + hours(30)).await;
        assert_eq!(pass.at(hours(30)).await.progress_notices, 0, "{label}");
        let first = now() + hours(54);
        assert_eq!(
            next_of(db, &c).await,
            Some(NextNotice::At(first)),
            "{label}"
        );
        assert_eq!(pass.at(hours(54)).await.progress_notices, 1, "{label}");
    }
}

#[tokio::test]
async fn a_complaint_opened_without_a_schedule_is_due_an_interval_after_opening() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let c = opened(db, Ask::new("c-1").at(-hours(30))).await;
        assert_eq!(next_of(db, &c).await, None, "{label}: opened without one");
        let pass = Pass::over(db, 500);
        assert_eq!(
            pass.at(TimeDelta::zero()).await.progress_notices,
            1,
            "{label}"
        );
        assert_eq!(
            pass.at(TimeDelta::zero()).await.progress_notices,
            0,
            "{label}"
        );
        let next = now() + hours(24);
        assert_eq!(next_of(db, &c).await, Some(NextNotice::At(next)), "{label}");
    }
}

#[tokio::test]
async fn progress_notices_go_out_page_by_page() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        for n in 0..5 {
            opened(db, Ask::new(&format!("c-{n}"))).await;
        }
        let pass = Pass::over(db, 2);
        pass.at(TimeDelta::zero()).await;
        assert_eq!(pass.at(hours(24)).await.progress_notices, 5, "{label}");
        assert_eq!(notices(db).await.len(), 5, "{label}");
    }
}
