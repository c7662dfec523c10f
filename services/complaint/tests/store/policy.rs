//! The SLA policy: seeded with the defaults on first read, and updated only with the current
//! etag; a stale one is refused and leaves the policy as the winner wrote it.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use vipcare_complaint::domain::{
    BusinessCalendar, CalendarDraft, ClockKind, Severity, SlaPolicy, SlaTarget,
};
use vipcare_complaint::store::{StoreError, policy};

use crate::harness::{minutes, now, stores};

fn one_tier_policy(resolve_hours: i64) -> SlaPolicy {
    let target = SlaTarget {
        respond: TimeDelta::hours(1),
        resolve: TimeDelta::hours(resolve_hours),
        clock: ClockKind::Business,
    };
    let row = Severity::ALL.iter().map(|s| (*s, target)).collect();
    SlaPolicy::new("STANDARD", BTreeMap::from([("STANDARD".to_owned(), row)])).unwrap()
}

#[tokio::test]
async fn an_update_with_a_stale_etag_is_refused_and_changes_nothing() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let seeded = policy::get(db.conn()).await.unwrap();
        assert_eq!(seeded.policy, SlaPolicy::default(), "{label}");
        assert_eq!(seeded.calendar, BusinessCalendar::default(), "{label}");
        assert_eq!(seeded.updated_by, None, "{label}");
        assert_eq!(
            policy::get(db.conn()).await.unwrap(),
            seeded,
            "{label}: seeded once"
        );

        let holidays = BusinessCalendar::new(CalendarDraft {
            holidays: vec!["2026-10-01".parse().unwrap()],
            ..CalendarDraft::default()
        })
        .unwrap();
        let first = one_tier_policy(27);
        let etag = seeded.etag();
        let won = policy::put(db.conn(), &first, &holidays, &etag, "ops-a", now())
            .await
            .unwrap();
        assert_ne!(won.etag(), etag, "{label}: a new etag");

        let late = policy::put(
            db.conn(),
            &one_tier_policy(45),
            &BusinessCalendar::default(),
            &etag,
            "ops-b",
            now() + minutes(1),
        )
        .await;
        assert!(
            matches!(&late, Err(StoreError::StaleEtag { current, .. }) if *current == won.etag()),
            "{label}: {late:?}"
        );
        let read = policy::get(db.conn()).await.unwrap();
        assert_eq!(read, won, "{label}: the first update stands whole");
        assert_eq!(
            read.policy.target("GOLD", Severity::High).resolve,
            TimeDelta::hours(27)
        );
        assert_eq!(read.calendar, holidays, "{label}");
        assert_eq!(read.updated_by.as_deref(), Some("ops-a"), "{label}");
    }
}
