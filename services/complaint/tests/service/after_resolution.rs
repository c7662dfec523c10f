//! After the resolution: a complaint reopened within 30 days of it (one more reopen, one
//! severity higher, a new SLA clock) and not later; one the customer never answered closed by
//! the service itself a week after it, once, as "system".

use chrono::TimeDelta;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{opening, refusal, suites};
use crate::lifecycle_calls::{made, sla};

#[tokio::test]
async fn a_resolved_complaint_reopens_within_30_days_and_not_after() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("GOLD").await;
        let id = suite
            .open(opening(&customer))
            .await
            .complaint
            .unwrap()
            .complaint_id;
        made(label, "resolve", suite.resolve(&id).await);
        made(label, "confirm", suite.confirm(&id, &customer).await);
        suite.clock.advance(TimeDelta::days(29));
        let reopened = made(label, "reopen", suite.reopen(&id, "又被多扣了").await);
        let c = &reopened.complaint;
        assert_eq!(c.state(), pb::ComplaintState::Reopened, "[{label}]");
        assert_eq!(
            (c.reopen_count, c.severity()),
            (1, pb::Severity::High),
            "[{label}]"
        );
        assert!(
            c.resolution.is_none(),
            "[{label}] the old resolution is cleared"
        );
        let clock = sla(c);
        let now = suite.clock.as_ref();
        let started = clock.started_at.as_ref().unwrap().seconds;
        assert_eq!(
            started,
            vipcare_domain::Clock::now(now).timestamp(),
            "[{label}] a new clock"
        );
        assert!(
            clock.response.as_ref().unwrap().done_at.is_none(),
            "[{label}]"
        );
        let started = made(label, "start", suite.start_work(&id).await);
        let response = sla(&started.complaint).response.unwrap();
        assert!(
            response.done_at.is_some(),
            "[{label}] work started is the new response"
        );

        made(label, "resolve again", suite.resolve(&id).await);
        suite.clock.advance(TimeDelta::days(31));
        let refused = suite.reopen(&id, "还是不对").await;
        assert_eq!(refusal(refused), "TOO_LATE", "[{label}]");
        assert_eq!(suite.get(&id).await.state(), pb::ComplaintState::Resolved);
    }
}

#[tokio::test]
async fn a_resolved_complaint_closes_itself_a_week_later() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("").await;
        let id = suite
            .open(opening(&customer))
            .await
            .complaint
            .unwrap()
            .complaint_id;
        let confirmed = suite
            .open(opening(&customer))
            .await
            .complaint
            .unwrap()
            .complaint_id;
        made(label, "resolve", suite.resolve(&id).await);
        made(label, "resolve", suite.resolve(&confirmed).await);
        made(label, "confirm", suite.confirm(&confirmed, &customer).await);

        let early = suite.advance_and_sweep(TimeDelta::days(6)).await;
        assert_eq!(early.closed, 0, "[{label}] not before a week");
        assert_eq!(suite.get(&id).await.state(), pb::ComplaintState::Resolved);
        let due = suite.advance_and_sweep(TimeDelta::days(1)).await;
        assert_eq!(
            due.closed, 1,
            "[{label}] the confirmed one is closed already"
        );
        let closed = suite.get(&id).await;
        assert_eq!(closed.state(), pb::ComplaintState::Closed, "[{label}]");
        let last = suite.timeline(&id).await.pop().unwrap();
        assert_eq!(last.kind(), pb::TimelineEntryKind::AutoClosed, "[{label}]");
        assert_eq!(last.actor, "system", "[{label}]");
        let again = suite.advance_and_sweep(TimeDelta::hours(1)).await;
        assert_eq!(again.closed, 0, "[{label}] closed once");
        // Within 30 days of the resolution the customer can still have it reopened.
        made(label, "reopen", suite.reopen(&id, "问题又出现了").await);
    }
}
