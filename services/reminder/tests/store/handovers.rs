//! Recording, before anything goes, the units a round's reminders are handed over in: all of
//! them in one write under the lease, or nothing when any reminder is no longer under it. What
//! is recorded is what a worker taking over the claim is told, so it sends the same units.

use std::collections::HashMap;

use chrono::TimeDelta;
use vipcare_reminder::domain::Touchpoint;
use vipcare_reminder::store::dispatch;

use crate::harness::{Ask, created, now, stores};

#[tokio::test]
async fn the_units_are_recorded_together_under_the_lease_or_not_at_all() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        let a = created(&store.db, Ask::new("c-1", Touchpoint::PlanChange)).await;
        let b = created(&store.db, Ask::new("c-1", Touchpoint::TopupRebate)).await;
        let c = created(&store.db, Ask::new("c-2", Touchpoint::PlanChange)).await;
        let lease = TimeDelta::seconds(30);
        let old = dispatch::claim_due(conn, now(), "w-old", lease, 10)
            .await
            .unwrap();
        assert_eq!(old.reminders.len(), 3, "{label}");
        assert!(old.handing_over.is_empty(), "{label}");

        let units = [
            (vec![a.id.as_str(), b.id.as_str()], "unit-ab"),
            (vec![c.id.as_str()], "unit-c"),
        ];
        let recorded = dispatch::hand_over_all(conn, &old.lease, &units).await;
        assert!(recorded.unwrap(), "{label}");

        // The worker died; whoever takes over is told the units, reminder by reminder.
        let at = now() + TimeDelta::seconds(31);
        let new = dispatch::claim_due(conn, at, "w-new", lease, 10)
            .await
            .unwrap();
        let expected: HashMap<String, String> = [
            (a.id.clone(), "unit-ab".to_owned()),
            (b.id.clone(), "unit-ab".to_owned()),
            (c.id.clone(), "unit-c".to_owned()),
        ]
        .into();
        assert_eq!(new.handing_over, expected, "{label}");

        // The old worker, back, records other units: refused.
        let late = [(vec![c.id.as_str()], "unit-late")];
        let recorded = dispatch::hand_over_all(conn, &old.lease, &late).await;
        assert!(!recorded.unwrap(), "{label}");
        // The new owner records units of which one reminder is not under its lease: refused
        // whole, and the unit it does hold is not changed either.
        let mixed = [
            (vec![a.id.as_str()], "unit-a"),
            (vec!["not-under-the-lease"], "unit-z"),
        ];
        let recorded = dispatch::hand_over_all(conn, &new.lease, &mixed).await;
        assert!(!recorded.unwrap(), "{label}");
        let again = dispatch::claim_due(conn, at + TimeDelta::seconds(31), "w-3", lease, 10)
            .await
            .unwrap();
        assert_eq!(again.handing_over, expected, "{label}");

        // Nothing to record is a success that writes nothing.
        assert!(
            dispatch::hand_over_all(conn, &again.lease, &[])
                .await
                .unwrap()
        );
    }
}
