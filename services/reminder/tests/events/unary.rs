//! IngestEvent: an event becomes its touchpoint's reminders, rendered from the stored
//! templates; the same event id again creates nothing and answers with the first reminders;
//! a bad event is refused naming its fields under `event`, and leaves nothing behind.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::event::Kind;
use vipcare_reminder::domain::{ACCOUNT_OPENING_PARTS, ReminderState, Touchpoint};
use vipcare_reminder::grpc::events::ingest_event;

use crate::harness::*;

fn request(event: pb::Event) -> pb::IngestEventRequest {
    pb::IngestEventRequest { event: Some(event) }
}

#[tokio::test]
async fn a_plan_order_becomes_one_reminder_and_a_repeat_creates_nothing() {
    for b in benches().await {
        let event = b.event("boss-1", "c-1", plan_accepted("5G畅享套餐"));
        let first = ingest_event(&b.ingest, request(event.clone()))
            .await
            .unwrap();
        assert!(!first.duplicate, "{}", b.label);
        assert_eq!(first.reminder_ids.len(), 1, "{}", b.label);
        let r = b.reminder(&first.reminder_ids[0]).await;
        assert_eq!(r.touchpoint, Touchpoint::PlanChange);
        assert_eq!(r.state, ReminderState::Scheduled);
        assert_eq!(
            r.text,
            "尊敬的全球通客户:您已成功订购5G畅享套餐,2026年4月1日生效,每月128元,含30GB流量。中国移动"
        );
        assert_eq!(
            (r.client.as_str(), r.source_event_id.as_deref()),
            ("event", Some("boss-1"))
        );
        // The rule's 24 hours from when it happened.
        assert_eq!(r.deadline, b.now() + TimeDelta::hours(24));
        let again = ingest_event(&b.ingest, request(event)).await.unwrap();
        assert!(again.duplicate, "{}", b.label);
        assert_eq!(again.reminder_ids, first.reminder_ids, "{}", b.label);
        assert_eq!(b.of_event("boss-1").await.len(), 1, "{}", b.label);
    }
}

#[tokio::test]
async fn a_bad_event_is_refused_by_field_and_leaves_its_id_free() {
    for b in benches().await {
        let mut event = b.event("boss-2", "c-1", plan_accepted("5G畅享套餐"));
        if let Some(Kind::PlanChanged(p)) = event.kind.as_mut() {
            p.plan_name.clear();
            p.trade_mark = "x".repeat(65);
        }
        let refused = ingest_event(&b.ingest, request(event)).await.unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument, "{}", b.label);
        assert_eq!(
            violated_fields(&refused),
            [
                "event.plan_changed.trade_mark",
                "event.plan_changed.plan_name"
            ],
            "{}",
            b.label
        );
        let no_kind = pb::Event {
            kind: None,
            ..b.event("boss-2", "c-1", plan_accepted("p"))
        };
        let refused = ingest_event(&b.ingest, request(no_kind)).await.unwrap_err();
        assert_eq!(violated_fields(&refused), ["event.kind"], "{}", b.label);
        let missing = ingest_event(&b.ingest, pb::IngestEventRequest { event: None }).await;
        assert_eq!(code(missing), Code::InvalidArgument);
        // Nothing was kept: the corrected event under the same id is new.
        let fixed = b.event("boss-2", "c-1", plan_accepted("5G畅享套餐"));
        let kept = ingest_event(&b.ingest, request(fixed)).await.unwrap();
        assert!(
            !kept.duplicate && kept.reminder_ids.len() == 1,
            "{}",
            b.label
        );
    }
}

#[tokio::test]
async fn an_opening_sends_its_four_parts_in_order_and_usage_tips_a_week_later() {
    for b in benches().await {
        let opened = Kind::AccountOpened(pb::AccountOpened {
            trade_mark: "全球通".into(),
            plan_name: "5G畅享套餐".into(),
            plan_description: "每月128元,含30GB流量".into(),
            promotion_description: "前三个月每月返还话费20元".into(),
            topup_fen: 10_000,
            balance_fen: 10_000,
        });
        let made = ingest_event(&b.ingest, request(b.event("open-1", "c-9", opened)))
            .await
            .unwrap();
        let mut now_parts = Vec::new();
        let mut later = Vec::new();
        for id in &made.reminder_ids {
            let r = b.reminder(id).await;
            if r.planned_send_at == b.now() {
                now_parts.push(r);
            } else {
                later.push(r);
            }
        }
        // Merged at send time by priority: the parts' priorities must read in DOMAIN.md's order.
        now_parts.sort_by_key(|r| r.priority);
        let order: Vec<Touchpoint> = now_parts.iter().map(|r| r.touchpoint).collect();
        assert_eq!(order, ACCOUNT_OPENING_PARTS, "{}", b.label);
        assert!(
            now_parts[1].text.contains("前三个月每月返还话费20元"),
            "{}",
            b.label
        );
        assert!(
            now_parts[2].text.contains("100.00元已到账"),
            "{}",
            now_parts[2].text
        );
        assert_eq!(later.len(), 1, "{}", b.label);
        // 2026-03-09 10:00 in Shanghai.
        assert_eq!(
            later[0].planned_send_at.to_rfc3339(),
            "2026-03-09T02:00:00+00:00"
        );
    }
}

#[tokio::test]
async fn a_late_event_makes_no_stale_reminder_and_a_warning_is_stale_at_suspension() {
    for b in benches().await {
        // A sensitive query seen two hours late: its rule gives it one hour.
        let mut late = b.event(
            "q-1",
            "c-1",
            Kind::SensitiveQuery(pb::SensitiveQuery {
                what: "通话详单".into(),
                client: "hall-hz-01".into(),
                channel: vipcare_proto::common::v1::Channel::Hall as i32,
            }),
        );
        late.occurred_at = Some(timestamp(b.now() - TimeDelta::hours(2)));
        let made = ingest_event(&b.ingest, request(late)).await.unwrap();
        assert!(
            made.reminder_ids.is_empty() && !made.duplicate,
            "{}",
            b.label
        );
        let suspension = b.now() + TimeDelta::hours(3);
        let warning = Kind::ArrearsWarning(pb::ArrearsWarning {
            balance_fen: -2_000,
            credit_limit_fen: 10_000,
            rule: "欠费超过信用额度后停机".into(),
            suspension_time: Some(timestamp(suspension)),
        });
        let made = ingest_event(&b.ingest, request(b.event("a-1", "c-1", warning)))
            .await
            .unwrap();
        let r = b.reminder(&made.reminder_ids[0]).await;
        assert_eq!(r.deadline, suspension, "{}", b.label);
        assert!(r.text.contains("3月2日12:00停机"), "{}", r.text);
    }
}
