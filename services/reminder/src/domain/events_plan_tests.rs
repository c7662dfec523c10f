//! The planning of events: which reminders each kind calls for, due when and stale when, and how
//! what is remembered of the customer changes that. Apart from the checking of events, whose
//! tests (and the fixtures both share) are in `events_tests.rs`.

use chrono::TimeDelta;

use super::*;
use crate::domain::events::tests::{
    accepted, balance, event, every_kind, now, opened, planned, render, roaming, usage,
};
use crate::domain::rule::default_rule;
use crate::domain::{ReminderDraft, seed_templates};

#[test]
fn a_plan_order_reads_as_the_billing_system_writes_it() {
    let reminders = planned(accepted());
    let text = render(&reminders[0], &seed_templates()).unwrap();
    assert_eq!(
        text,
        "尊敬的全球通客户:您已成功订购5G畅享套餐,2026年4月1日生效,每月128元,含30GB流量。中国移动"
    );
}

#[test]
fn an_opening_sends_tariff_promotion_topup_and_survey_now_and_tips_a_week_later() {
    let reminders = planned(opened());
    let now_parts: Vec<Touchpoint> = reminders
        .iter()
        .filter(|p| p.due == now())
        .map(|p| p.touchpoint)
        .collect();
    // In the order of DOMAIN.md's redesigned opening, which the rules' priorities keep.
    assert_eq!(now_parts, crate::domain::ACCOUNT_OPENING_PARTS);
    let tips = reminders.last().unwrap();
    assert_eq!(tips.template_code, codes::ACCOUNT_USAGE_TIPS);
    // 2026-03-09 10:00 in Shanghai.
    assert_eq!(
        tips.due,
        "2026-03-09T02:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    let topup = &reminders[2];
    assert_eq!(topup.variables["AMOUNT"], "100.00");
}

#[test]
fn promotion_leads_already_past_collapse_into_one_notice_now() {
    let expiring = |days: i64, leads: Vec<TimeDelta>| {
        planned(EventKind::PromotionExpiring(PromotionExpiring {
            promotion_name: "流量加油包".into(),
            expire_time: now() + TimeDelta::days(days),
            cost_after: "恢复每月30元".into(),
            remind_before: leads,
        }))
    };
    let dues = |ps: Vec<Planned>| ps.iter().map(|p| p.due - now()).collect::<Vec<_>>();
    assert_eq!(
        dues(expiring(10, vec![])),
        [TimeDelta::days(3), TimeDelta::days(9)]
    );
    assert_eq!(
        dues(expiring(3, vec![])),
        [TimeDelta::zero(), TimeDelta::days(2)]
    );
    let leads = vec![
        TimeDelta::days(20),
        TimeDelta::days(15),
        TimeDelta::hours(2),
    ];
    let ps = expiring(10, leads);
    assert_eq!(
        dues(ps.clone()),
        [TimeDelta::zero(), TimeDelta::days(10) - TimeDelta::hours(2)]
    );
    // Each lead has its own key, so a redelivered event under a new id adds nothing.
    assert_ne!(ps[0].dedupe_key, ps[1].dedupe_key);
    assert!(
        ps.iter()
            .all(|p| p.latest == Some(now() + TimeDelta::days(10)))
    );
}

#[test]
fn a_free_trial_is_reminded_before_it_ends_and_not_after() {
    let trial = |hours| {
        planned(EventKind::VasSubscribed(VasSubscribed {
            service_name: "视频彩铃".into(),
            price_fen: 500,
            free_trial_hours: hours,
            description: "来电时播放视频".into(),
            cancel_instructions: "发送TDSPCL到10086".into(),
        }))
    };
    let ps = trial(72);
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[1].template_code, codes::VAS_TRIAL_ENDING);
    assert_eq!(ps[1].due, now() + TimeDelta::hours(48));
    assert_eq!(ps[1].latest, Some(now() + TimeDelta::hours(72)));
    assert_eq!(ps[1].variables["TRIAL_END"], "3月5日09:00");
    assert_eq!(trial(24)[1].due, now() + TimeDelta::hours(12));
}

#[test]
fn low_balance_warns_once_per_crossing_and_a_top_up_restores() {
    let mut memory = Memory::default();
    let mut at = now();
    let mut step = |kind: EventKind, minutes: i64| {
        at += TimeDelta::minutes(minutes);
        let e = Event {
            occurred_at: at,
            ..event(kind)
        };
        let out = effects(&e, &mut memory);
        (out.reminders.len(), out.balance_restored)
    };
    assert_eq!(step(balance(900), 1), (1, false));
    assert_eq!(
        step(balance(800), 1),
        (0, false),
        "still below: no second warning"
    );
    assert_eq!(step(balance(5_000), 1), (0, true), "a top-up restores");
    assert_eq!(step(balance(4_000), 1), (0, false));
    assert_eq!(
        step(balance(100), 1),
        (1, false),
        "a new crossing warns again"
    );
    // A late event from before the crossing changes nothing.
    let stale = Event {
        occurred_at: now(),
        ..event(balance(50_000))
    };
    assert_eq!(effects(&stale, &mut memory), Effects::default());
    assert!(memory.balance.unwrap().below);
}

#[test]
fn roaming_welcomes_once_per_trip_and_its_zone_lapses() {
    let mut memory = Memory::default();
    let attach = |memory: &mut Memory, kind, after: TimeDelta| {
        let e = Event {
            occurred_at: now() + after,
            ..event(kind)
        };
        effects(&e, memory).reminders.len()
    };
    assert_eq!(
        attach(&mut memory, roaming("JP", "Asia/Tokyo"), TimeDelta::zero()),
        1
    );
    assert_eq!(
        attach(
            &mut memory,
            roaming("JP", "Asia/Tokyo"),
            TimeDelta::hours(5)
        ),
        0
    );
    let seen = memory.roaming.clone().unwrap();
    assert_eq!(seen.zone_at(now() + TimeDelta::days(3)), Some("Asia/Tokyo"));
    assert_eq!(seen.zone_at(now() + TimeDelta::days(16)), None, "lapsed");
    assert_eq!(
        attach(
            &mut memory,
            roaming("FR", "Europe/Paris"),
            TimeDelta::days(2)
        ),
        1
    );
    assert_eq!(
        attach(&mut memory, roaming("CN", ""), TimeDelta::days(9)),
        0
    );
    assert_eq!(
        memory
            .roaming
            .as_ref()
            .unwrap()
            .zone_at(now() + TimeDelta::days(9)),
        None
    );
    // A late attach from before the trip home does not put the customer back abroad.
    assert_eq!(
        attach(
            &mut memory,
            roaming("FR", "Europe/Paris"),
            TimeDelta::days(3)
        ),
        0
    );
    assert_eq!(memory.roaming.as_ref().unwrap().abroad, None);
    // The same country on a later trip is welcomed again.
    assert_eq!(
        attach(
            &mut memory,
            roaming("JP", "Asia/Tokyo"),
            TimeDelta::days(40)
        ),
        1
    );
}

#[test]
fn data_thresholds_are_told_once_per_cycle_highest_first_wins() {
    let mut memory = Memory::default();
    let mut told = |kind| {
        effects(&event(kind), &mut memory)
            .reminders
            .iter()
            .map(|p| p.template_code)
            .collect::<Vec<_>>()
    };
    assert_eq!(told(usage(80, "2026-03")), [codes::DATA_THRESHOLD]);
    assert!(told(usage(80, "2026-03")).is_empty());
    assert_eq!(told(usage(120, "2026-03")), [codes::DATA_OVERAGE]);
    assert!(
        told(usage(100, "2026-03")).is_empty(),
        "a late lower threshold"
    );
    assert!(told(usage(100, "2026-02")).is_empty(), "an older cycle");
    assert_eq!(told(usage(80, "2026-04")), [codes::DATA_THRESHOLD]);
    let key = planned(usage(100, "2026-03"))[0].dedupe_key.clone();
    assert_eq!(key.as_deref(), Some("data_usage_alert:2026-03:100"));
}

#[test]
fn deadlines_follow_the_rule_unless_the_event_ends_sooner_and_stale_ones_are_dropped() {
    let rule = default_rule(Touchpoint::ArrearsSuspension);
    let e = event(every_kind().pop().unwrap());
    let p = effects(&e, &mut Memory::default()).reminders.remove(0);
    // Rule: 12 hours; the suspension is in 24: the rule wins.
    let values = p.clone().schedule_values(&e, &rule, now()).unwrap();
    assert_eq!(values.deadline, Some(now() + TimeDelta::hours(12)));
    let soon = Planned {
        latest: Some(now() + TimeDelta::hours(2)),
        ..p.clone()
    };
    let values = soon.schedule_values(&e, &rule, now()).unwrap();
    assert_eq!(values.deadline, Some(now() + TimeDelta::hours(2)));
    assert_eq!(values.source_event_id, "e-1");
    let draft = ReminderDraft::new(values, &rule, now()).expect("a valid request");
    assert_eq!(draft.dedupe_key, p.dedupe_key);
    // A notice that happened 13 hours ago is stale under a 12-hour deadline.
    let old = Planned {
        due: now() - TimeDelta::hours(13),
        ..p
    };
    assert_eq!(old.schedule_values(&e, &rule, now()), None);
}

#[test]
fn money_and_data_read_as_people_write_them() {
    assert_eq!(yuan(1_250), "12.50");
    assert_eq!(yuan(-5), "-0.05");
    assert_eq!(yuan(0), "0.00");
    assert_eq!(megabytes(800), "800MB");
    assert_eq!(megabytes(1_536), "1.5GB");
    assert_eq!(megabytes(30_720), "30GB");
    assert_eq!(megabytes(-3), "0MB");
}
