//! The survey policy: the defaults until one is stored, and updated only with the current
//! etag; a stale one is refused and leaves the policy as the winner wrote it.

use vipcare_survey::domain::{PolicyValues, SurveyPolicy};
use vipcare_survey::store::{StoreError, policy};

use crate::harness::{minutes, now, stores};

fn with_weight(w: f64) -> SurveyPolicy {
    SurveyPolicy::new(PolicyValues {
        peak_weight: w,
        ..PolicyValues::default()
    })
    .unwrap()
}

#[tokio::test]
async fn an_update_with_a_stale_etag_is_refused_and_changes_nothing() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let defaults = policy::get(db.conn(), &SurveyPolicy::default())
            .await
            .unwrap();
        assert_eq!(defaults.policy, SurveyPolicy::default(), "{label}");
        assert_eq!(defaults.updated_by, None, "{label}");

        let etag = defaults.etag();
        let won = policy::update(db.conn(), &with_weight(0.7), &etag, "ops-a", now())
            .await
            .unwrap();
        assert_ne!(won.etag(), etag, "{label}: a new etag");
        let late = policy::update(
            db.conn(),
            &with_weight(0.2),
            &etag,
            "ops-b",
            now() + minutes(1),
        )
        .await;
        assert!(
            matches!(&late, Err(StoreError::StaleEtag { current, .. }) if *current == won.etag()),
            "{label}: {late:?}"
        );
        let read = policy::get(db.conn(), &SurveyPolicy::default())
            .await
            .unwrap();
        assert_eq!(read, won, "{label}: the first update stands whole");
        assert_eq!(read.policy.peak_weight().get(), 0.7, "{label}");

        let next = policy::update(db.conn(), &with_weight(0.6), &won.etag(), "ops-b", now())
            .await
            .unwrap();
        assert_eq!(
            policy::get(db.conn(), &SurveyPolicy::default())
                .await
                .unwrap(),
            next,
            "{label}"
        );
        assert_eq!(next.updated_by.as_deref(), Some("ops-b"), "{label}");
    }
}
