//! ListComplaints: every filter alone and combined, most recently opened first, paged behind
//! tokens that stay stable while complaints are opened between pages and that refuse other
//! filters; the overdue list at a given instant.

use chrono::{DateTime, Utc};
use vipcare_complaint::domain::{Category, Channel, ComplaintState, Move, RootCauseGap, Severity};
use vipcare_complaint::store::listing::{self, ComplaintFilter};
use vipcare_complaint::store::{StoreError, StoredComplaint};
use vipcare_storage::Database;

use crate::harness::{Ask, minutes, now, opened, save, stores};

/// Which stored complaints a filter should list.
type Keep = Box<dyn Fn(&StoredComplaint) -> bool>;

async fn all_pages(
    db: &Database,
    filter: &ComplaintFilter,
    at: DateTime<Utc>,
    size: u64,
) -> Vec<String> {
    let (mut ids, mut token) = (Vec::new(), String::new());
    loop {
        let page = listing::list(db.conn(), filter, at, &token, size)
            .await
            .unwrap();
        assert!(page.complaints.len() as u64 <= size);
        ids.extend(page.complaints.into_iter().map(|c| c.complaint.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        token = page.next_page_token;
    }
}

/// The ids of `all` that `keep` keeps, most recently opened first, then by id.
fn expected(all: &[StoredComplaint], keep: impl Fn(&StoredComplaint) -> bool) -> Vec<String> {
    let mut kept: Vec<_> = all
        .iter()
        .filter(|c| keep(c))
        .map(|c| (c.complaint.opened_at, c.complaint.id.clone()))
        .collect();
    kept.sort();
    kept.reverse();
    kept.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn every_filter_pages_without_duplicates_or_gaps() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let mut all = Vec::new();
        for i in 0..30_i64 {
            let customers = ["c-0", "c-1", "c-2"];
            let ask = Ask {
                owner: ["staff-0", "staff-1"][(i % 2) as usize],
                category: [Category::Billing, Category::Network][(i % 3 % 2) as usize],
                channel: [Channel::Hall, Channel::Hotline, Channel::Web][(i % 3) as usize],
                severity: Severity::ALL[(i % 4) as usize],
                // Pairs share an opening time, so the id breaks the tie.
                ..Ask::new(customers[(i % 3) as usize]).at(minutes(-(i / 2) * 10))
            };
            let mut c = opened(db, ask).await;
            if i % 5 == 0 {
                let to = Move::Transfer {
                    to_handler: "staff-9".into(),
                    reason: "转交专家".into(),
                };
                c = save(db, &c, to, now()).await;
            } else if i % 3 == 1 {
                c = save(db, &c, Move::Acknowledge, now()).await;
            }
            all.push(c);
        }
        let from = now() - minutes(100);
        let before = now() - minutes(30);
        let cases: Vec<(&str, ComplaintFilter, Keep)> = vec![
            ("all", ComplaintFilter::default(), Box::new(|_| true)),
            (
                "customer",
                ComplaintFilter {
                    customer_id: Some("c-1".into()),
                    ..ComplaintFilter::default()
                },
                Box::new(|c| c.complaint.customer_id == "c-1"),
            ),
            (
                "state",
                ComplaintFilter {
                    state: Some(ComplaintState::Acknowledged),
                    ..ComplaintFilter::default()
                },
                Box::new(|c| c.complaint.state == ComplaintState::Acknowledged),
            ),
            (
                "owner and handler",
                ComplaintFilter {
                    first_contact_owner: Some("staff-0".into()),
                    handler: Some("staff-9".into()),
                    ..ComplaintFilter::default()
                },
                Box::new(|c| {
                    c.complaint.first_contact_owner == "staff-0" && c.complaint.handler == "staff-9"
                }),
            ),
            (
                "category, channel and severity",
                ComplaintFilter {
                    category: Some(Category::Network),
                    channel: Some(Channel::Hotline),
                    severity: Some(Severity::Low),
                    ..ComplaintFilter::default()
                },
                Box::new(|c| {
                    c.complaint.category == Category::Network
                        && c.complaint.channel == Channel::Hotline
                        && c.complaint.severity == Severity::Low
                }),
            ),
            (
                "opened in a range",
                ComplaintFilter {
                    opened_from: Some(from),
                    opened_before: Some(before),
                    ..ComplaintFilter::default()
                },
                Box::new(move |c| c.complaint.opened_at >= from && c.complaint.opened_at < before),
            ),
        ];
        for (name, filter, keep) in cases {
            let wanted = expected(&all, keep);
            assert!(!wanted.is_empty(), "{label}: {name} finds something");
            for size in [1, 4, 50] {
                assert_eq!(
                    all_pages(db, &filter, now(), size).await,
                    wanted,
                    "{label}: {name}, pages of {size}"
                );
            }
        }
    }
}

#[tokio::test]
async fn pages_stay_stable_while_complaints_are_opened_and_refuse_other_filters() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let mut all = Vec::new();
        for i in 0..9 {
            all.push(opened(db, Ask::new("c-1").at(minutes(-i))).await);
        }
        let filter = ComplaintFilter {
            customer_id: Some("c-1".into()),
            ..ComplaintFilter::default()
        };
        let first = listing::list(db.conn(), &filter, now(), "", 4)
            .await
            .unwrap();
        let mut seen: Vec<String> = first
            .complaints
            .into_iter()
            .map(|c| c.complaint.id)
            .collect();
        // Opened between pages: one newer than the first page (it belongs before it), one
        // older than everything (it belongs at the end).
        opened(db, Ask::new("c-1").at(minutes(5))).await;
        let oldest = opened(db, Ask::new("c-1").at(minutes(-100))).await;
        all.push(oldest);

        let other = ComplaintFilter {
            state: Some(ComplaintState::Open),
            ..filter.clone()
        };
        let refused = listing::list(db.conn(), &other, now(), &first.next_page_token, 4).await;
        assert!(
            matches!(&refused, Err(StoreError::Invalid(v)) if v[0].field == "page_token"),
            "{label}: a token of other filters: {refused:?}"
        );
        let mut token = first.next_page_token;
        while !token.is_empty() {
            let page = listing::list(db.conn(), &filter, now(), &token, 4)
                .await
                .unwrap();
            seen.extend(page.complaints.into_iter().map(|c| c.complaint.id));
            token = page.next_page_token;
        }
        assert_eq!(
            seen,
            expected(&all, |_| true),
            "{label}: nothing repeated, nothing skipped"
        );
    }
}

#[tokio::test]
async fn overdue_lists_what_ran_out_unmet_by_the_instant_asked() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        // DIAMOND CRITICAL: 15 minutes to respond, 8 hours to resolve, around the clock.
        let critical = |at| Ask {
            severity: Severity::Critical,
            ..Ask::new("c-1").at(minutes(at))
        };
        let unanswered = opened(db, critical(-60)).await;
        let fresh = opened(db, critical(-5)).await;
        let answered = opened(db, critical(-61)).await;
        let answered = save(db, &answered, Move::Acknowledge, now() - minutes(55)).await;
        let resolved = opened(db, critical(-62)).await;
        let resolve = Move::Resolve {
            resolution: "当场解决".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        save(db, &resolved, resolve, now() - minutes(50)).await;
        let mut waiting = opened(db, critical(-63)).await;
        for (the_move, at) in [
            (Move::Acknowledge, -59),
            (Move::StartWork, -58),
            (
                Move::WaitForCustomer {
                    reason: "等客户回电".into(),
                },
                -57,
            ),
        ] {
            waiting = save(db, &waiting, the_move, now() + minutes(at)).await;
        }
        // STANDARD CRITICAL: 2 hours to respond.
        let standard = opened(
            db,
            Ask {
                tier: "STANDARD",
                ..critical(-64)
            },
        )
        .await;

        let overdue = ComplaintFilter {
            overdue: true,
            ..ComplaintFilter::default()
        };
        assert_eq!(
            all_pages(db, &overdue, now(), 10).await,
            [unanswered.complaint.id.as_str()],
            "{label}: only the unanswered one ran out by now"
        );
        let later = now() + minutes(9 * 60);
        let wanted = expected(&[unanswered, fresh, answered, standard], |_| true);
        assert_eq!(
            all_pages(db, &overdue, later, 2).await,
            wanted,
            "{label}: nine hours on, all but the resolved and the paused"
        );
    }
}
