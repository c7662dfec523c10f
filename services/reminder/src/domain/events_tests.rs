//! The checking of events, and the fixtures every test of the events module shares (an event
//! of each kind, the seeded templates' rendering); the planning's tests are in
//! `events_plan_tests.rs`.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use vipcare_domain::Violation;

use super::*;
use crate::domain::{Template, Variables, seed_templates};

/// 09:00 in Shanghai.
pub(super) fn now() -> DateTime<Utc> {
    "2026-03-02T01:00:00Z".parse().unwrap()
}

pub(super) fn event(kind: EventKind) -> Event {
    Event {
        event_id: "e-1".into(),
        customer_id: "c-1".into(),
        occurred_at: now(),
        kind,
    }
}

pub(super) fn opened() -> EventKind {
    EventKind::AccountOpened(AccountOpened {
        trade_mark: "全球通".into(),
        plan_name: "5G畅享套餐".into(),
        plan_description: "每月128元,含30GB流量".into(),
        promotion_description: "前三个月每月返还话费20元".into(),
        topup_fen: 10_000,
        balance_fen: 10_000,
    })
}

pub(super) fn accepted() -> EventKind {
    EventKind::PlanChanged(PlanChanged {
        stage: PlanStage::Accepted,
        trade_mark: "全球通".into(),
        plan_name: "5G畅享套餐".into(),
        effective_date: NaiveDate::from_ymd_opt(2026, 4, 1),
        plan_description: "每月128元,含30GB流量。".into(),
    })
}

pub(super) fn usage(threshold: i32, cycle: &str) -> EventKind {
    EventKind::DataUsage(DataUsage {
        threshold_percent: threshold,
        used_percent: threshold,
        cycle: cycle.into(),
        quota_mb: 30_720,
        used_mb: 30_720 * i64::from(threshold) / 100,
        overage_fen: if threshold > 100 { 1_500 } else { 0 },
    })
}

pub(super) fn balance(balance_fen: i64) -> EventKind {
    EventKind::BalanceChanged(BalanceChanged {
        balance_fen,
        threshold_fen: 1_000,
        amount_fen: 0,
    })
}

pub(super) fn roaming(country: &str, zone: &str) -> EventKind {
    EventKind::RoamingAttached(RoamingAttached {
        country_code: country.into(),
        country_name: "日本".into(),
        time_zone: zone.into(),
        rates: "通话每分钟0.99元,流量每天25元".into(),
    })
}

pub(super) fn every_kind() -> Vec<EventKind> {
    vec![
        opened(),
        accepted(),
        EventKind::PlanChanged(PlanChanged {
            stage: PlanStage::Effective,
            effective_date: None,
            ..match accepted() {
                EventKind::PlanChanged(p) => p,
                _ => unreachable!(),
            }
        }),
        EventKind::VasSubscribed(VasSubscribed {
            service_name: "视频彩铃".into(),
            price_fen: 500,
            free_trial_hours: 72,
            description: "来电时播放视频".into(),
            cancel_instructions: "发送TDSPCL到10086".into(),
        }),
        EventKind::VasSubscribed(VasSubscribed {
            service_name: "视频彩铃".into(),
            price_fen: 500,
            free_trial_hours: 0,
            description: "来电时播放视频".into(),
            cancel_instructions: "发送TDSPCL到10086".into(),
        }),
        EventKind::RebateChanged(RebateChanged {
            stage: RebateStage::Scheduled,
            promotion_name: "预存返还".into(),
            amount_fen: 2_000,
            credit_time: Some(now() + TimeDelta::days(1)),
            end_date: NaiveDate::from_ymd_opt(2026, 6, 1),
            balance_fen: 0,
        }),
        EventKind::RebateChanged(RebateChanged {
            stage: RebateStage::Credited,
            promotion_name: "预存返还".into(),
            amount_fen: 2_000,
            credit_time: Some(now()),
            end_date: None,
            balance_fen: 5_000,
        }),
        EventKind::RebateChanged(RebateChanged {
            stage: RebateStage::Ending,
            promotion_name: "预存返还".into(),
            amount_fen: 0,
            credit_time: None,
            end_date: NaiveDate::from_ymd_opt(2026, 6, 1),
            balance_fen: 0,
        }),
        EventKind::PromotionExpiring(PromotionExpiring {
            promotion_name: "流量加油包".into(),
            expire_time: now() + TimeDelta::days(10),
            cost_after: "恢复每月30元".into(),
            remind_before: vec![],
        }),
        EventKind::SensitiveQuery(SensitiveQuery {
            what: "通话详单".into(),
            client: "hall-hz-01".into(),
            channel: Some(QueryChannel::Hall),
        }),
        roaming("JP", "Asia/Tokyo"),
        usage(80, "2026-03"),
        usage(120, "2026-03"),
        balance(500),
        EventKind::ArrearsWarning(ArrearsWarning {
            balance_fen: -2_000,
            credit_limit_fen: 10_000,
            rule: "欠费超过信用额度后24小时停机".into(),
            suspension_time: now() + TimeDelta::hours(24),
        }),
    ]
}

/// A placeholder left in a text: `${NAME}` or `%NAME%`.
fn unfilled(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    text.contains("${")
        || chars
            .windows(2)
            .any(|w| w[0] == '%' && w[1].is_ascii_uppercase())
}

fn fields(result: Result<(), Vec<Violation>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|v| v.field).collect()
}

pub(super) fn planned(kind: EventKind) -> Vec<Planned> {
    effects(&event(kind), &mut Memory::default()).reminders
}

pub(super) fn render(p: &Planned, templates: &[Template]) -> Option<String> {
    let template = templates.iter().find(|t| t.code() == p.template_code)?;
    let variables = Variables::new(p.variables.clone()).expect("bounded variables");
    Some(
        template
            .render(&variables)
            .expect("every placeholder is filled"),
    )
}

#[test]
fn every_kind_checks_and_renders_with_the_seeded_templates() {
    let templates = seed_templates();
    let unseeded = [codes::PLAN_PROMOTION, codes::VAS_TRIAL_ENDING];
    for kind in every_kind() {
        let field = kind.field();
        let e = event(kind);
        assert_eq!(e.check(now()), Ok(()), "{field}");
        let reminders = effects(&e, &mut Memory::default()).reminders;
        assert!(!reminders.is_empty(), "{field} calls for a reminder");
        for p in &reminders {
            match render(p, &templates) {
                Some(text) => assert!(!unfilled(&text), "{}: {text}", p.template_code),
                None => assert!(unseeded.contains(&p.template_code), "{}", p.template_code),
            }
            assert!(
                p.template_code.starts_with(p.touchpoint.code()),
                "{} under {}",
                p.template_code,
                p.touchpoint.code()
            );
        }
    }
}

#[test]
fn bad_events_name_every_field_relative_to_the_event() {
    let mut e = event(EventKind::PlanChanged(PlanChanged {
        stage: PlanStage::Accepted,
        trade_mark: String::new(),
        plan_name: "x".repeat(65),
        effective_date: None,
        plan_description: "ok\u{202E}".into(),
    }));
    e.event_id = "has space".into();
    e.customer_id = String::new();
    e.occurred_at = now() + TimeDelta::hours(1);
    assert_eq!(
        fields(e.check(now())),
        [
            "event_id",
            "customer_id",
            "occurred_at",
            "plan_changed.trade_mark",
            "plan_changed.plan_name",
            "plan_changed.plan_description",
            "plan_changed.effective_date",
        ]
    );
    let e = event(EventKind::PromotionExpiring(PromotionExpiring {
        promotion_name: "p".into(),
        expire_time: now(),
        cost_after: "c".into(),
        remind_before: vec![TimeDelta::days(1), TimeDelta::zero(), TimeDelta::days(1)],
    }));
    assert_eq!(
        fields(e.check(now())),
        [
            "promotion_expiring.expire_time",
            "promotion_expiring.remind_before[1]",
            "promotion_expiring.remind_before[2]",
        ]
    );
    let e = event(usage(0, "2026-13"));
    assert_eq!(
        fields(e.check(now())),
        ["data_usage.threshold_percent", "data_usage.cycle"]
    );
    let e = event(roaming("jp", "Mars/Base"));
    assert_eq!(
        fields(e.check(now())),
        [
            "roaming_attached.country_code",
            "roaming_attached.time_zone"
        ]
    );
    // Home needs no zone, name or rates: nothing is sent.
    let home = event(EventKind::RoamingAttached(RoamingAttached {
        country_code: HOME_COUNTRY.into(),
        country_name: String::new(),
        time_zone: String::new(),
        rates: String::new(),
    }));
    assert_eq!(home.check(now()), Ok(()));
    let late = event(EventKind::ArrearsWarning(ArrearsWarning {
        balance_fen: 0,
        credit_limit_fen: -1,
        rule: "r".into(),
        suspension_time: now(),
    }));
    assert_eq!(
        fields(late.check(now())),
        [
            "arrears_warning.credit_limit_fen",
            "arrears_warning.suspension_time"
        ]
    );
}
