//! UpdateSlaPolicy against a real store: complaints not yet resolved are held to the new
//! policy at once — their stored schedules (what the overdue list and the escalation pass read)
//! recomputed from their clock facts, paused time left out, levels already fired kept — and a
//! stale etag changes nothing.

use chrono::{DateTime, TimeDelta, Utc};
use tonic::Request;
use vipcare_proto::complaint::v1 as pb;

use super::super::watch::test_api::{Opening, benches, make, open};
use super::{get, update};
use crate::domain::{Level, Move, RootCauseGap};
use crate::error::Error;
use crate::store::escalations::{self, Escalation};
use crate::store::{Schedule, complaints};

/// Monday 12:00 in Shanghai.
fn now() -> DateTime<Utc> {
    "2026-03-02T04:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

/// DIAMOND MEDIUM (by default an hour of working time to respond, 24 to resolve) becomes five
/// and ten hours around the clock.
fn slower_diamond_medium(mut policy: pb::SlaPolicy) -> pb::UpdateSlaPolicyRequest {
    let target = policy
        .targets
        .iter_mut()
        .find(|t| t.tier == "DIAMOND" && t.severity == pb::Severity::Medium as i32)
        .unwrap();
    target.respond_within = Some(prost_types::Duration {
        seconds: 5 * 3600,
        nanos: 0,
    });
    target.resolve_within = Some(prost_types::Duration {
        seconds: 10 * 3600,
        nanos: 0,
    });
    target.clock = pb::ClockKind::Calendar as i32;
    pb::UpdateSlaPolicyRequest {
        policy: Some(policy),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["targets".into()],
        }),
        request_id: String::new(),
    }
}

#[tokio::test]
async fn unresolved_complaints_are_rescheduled_under_the_new_policy() {
    for b in benches(now()).await {
        let (label, api) = (b.label, &b.api);
        let conn = api.db.conn();
        let fresh = open(api, Opening::at(now())).await;
        let escalated = open(api, Opening::at(now())).await;
        let level1 = Escalation {
            level: Level::Level1,
            clock_started_at: now(),
            manual: true,
            escalated_by: Some("E9".into()),
            reason: "asked for a manager".into(),
            escalated_at: now(),
        };
        escalations::record(conn, &escalated.complaint.id, &level1)
            .await
            .unwrap();
        let waiting = open(api, Opening::at(now() - h(1))).await;
        let waiting = make(api, &waiting, Move::Acknowledge, now() - h(1)).await;
        let waiting = make(api, &waiting, Move::StartWork, now() - h(1)).await;
        let wait = Move::WaitForCustomer {
            reason: "a photo of the bill".into(),
        };
        let waiting = make(api, &waiting, wait, now()).await;
        let resolved = open(api, Opening::at(now())).await;
        let resolve = Move::Resolve {
            resolution: "refunded".into(),
            root_cause_gap: Some(RootCauseGap::Delivery),
            cannot_be_solved: None,
        };
        make(api, &resolved, resolve, now()).await;
        let before = |id: &str| {
            let id = id.to_owned();
            async move { complaints::get(conn, &id).await.unwrap().schedule }
        };
        let resolved_before = before(&resolved.complaint.id).await;
        assert_eq!(
            before(&fresh.complaint.id).await.overdue_at,
            Some(now() + h(1))
        );

        let read = get(api, Request::new(pb::GetSlaPolicyRequest {}))
            .await
            .unwrap()
            .into_inner()
            .policy
            .unwrap();
        let stored = update(api, Request::new(slower_diamond_medium(read.clone())))
            .await
            .unwrap()
            .into_inner()
            .policy
            .unwrap();
        assert_ne!(stored.etag, read.etag, "[{label}]");

        let now_of = |id: &str| before(id);
        assert_eq!(
            now_of(&fresh.complaint.id).await,
            Schedule {
                overdue_at: Some(now() + h(5)),
                next_check: Some(now() + h(8)),
            },
            "[{label}] respond in 5 h, level 1 at 80% of 10 h"
        );
        assert_eq!(
            now_of(&escalated.complaint.id).await.next_check,
            Some(now() + h(10)),
            "[{label}] level 1 fired already: next is the breach"
        );
        let paused = now_of(&waiting.complaint.id).await;
        assert_eq!(
            paused,
            Schedule::default(),
            "[{label}] paused short of its times: nothing runs out while it waits"
        );
        assert_eq!(
            now_of(&resolved.complaint.id).await,
            resolved_before,
            "[{label}]"
        );

        // The first etag again: stale, and nothing moves.
        let mut back = slower_diamond_medium(read);
        if let Some(p) = back.policy.as_mut() {
            p.targets
                .iter_mut()
                .for_each(|t| t.clock = pb::ClockKind::Business as i32);
        }
        let stale = update(api, Request::new(back)).await;
        assert!(
            matches!(stale, Err(Error::StaleEtag { .. })),
            "[{label}] {stale:?}"
        );
        assert_eq!(
            now_of(&fresh.complaint.id).await.overdue_at,
            Some(now() + h(5)),
            "[{label}]"
        );
    }
}
