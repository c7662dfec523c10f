use super::*;
use crate::domain::events::PlanStage;

fn base(kind: Option<Kind>) -> pb::Event {
    pb::Event {
        event_id: "e-1".into(),
        customer_id: "c-1".into(),
        occurred_at: Some(Timestamp {
            seconds: 1_772_413_200,
            nanos: 0,
        }),
        kind,
    }
}

fn fields(event: pb::Event) -> Vec<String> {
    event_from_proto(event)
        .unwrap_err()
        .into_iter()
        .map(|v| v.field)
        .collect()
}

#[test]
fn an_event_needs_a_time_and_a_kind() {
    let mut event = base(None);
    event.occurred_at = None;
    assert_eq!(fields(event), ["occurred_at", "kind"]);
}

#[test]
fn stages_dates_and_durations_are_refused_by_their_path() {
    let plan = Kind::PlanChanged(pb::PlanChanged {
        stage: 0,
        effective_date: Some(common::Date {
            year: 2026,
            month: 2,
            day: 30,
        }),
        ..Default::default()
    });
    assert_eq!(
        fields(base(Some(plan))),
        ["plan_changed.stage", "plan_changed.effective_date"]
    );
    let promotion = Kind::PromotionExpiring(pb::PromotionExpiring {
        expire_time: None,
        remind_before: vec![prost_types::Duration {
            seconds: 5,
            nanos: -1,
        }],
        ..Default::default()
    });
    assert_eq!(
        fields(base(Some(promotion))),
        [
            "promotion_expiring.expire_time",
            "promotion_expiring.remind_before[0]"
        ]
    );
    let query = Kind::SensitiveQuery(pb::SensitiveQuery {
        channel: 99,
        ..Default::default()
    });
    assert_eq!(fields(base(Some(query))), ["sensitive_query.channel"]);
}

#[test]
fn a_plan_change_arrives_whole() {
    let plan = Kind::PlanChanged(pb::PlanChanged {
        stage: pb::PlanChangeStage::Accepted as i32,
        trade_mark: "全球通".into(),
        plan_name: "5G畅享套餐".into(),
        effective_date: Some(common::Date {
            year: 2026,
            month: 4,
            day: 1,
        }),
        plan_description: "每月128元".into(),
    });
    let event = event_from_proto(base(Some(plan))).unwrap();
    assert_eq!(event.occurred_at.to_rfc3339(), "2026-03-02T01:00:00+00:00");
    match event.kind {
        EventKind::PlanChanged(p) => {
            assert_eq!(p.stage, PlanStage::Accepted);
            assert_eq!(p.effective_date, NaiveDate::from_ymd_opt(2026, 4, 1));
        }
        other => panic!("{other:?}"),
    }
}
