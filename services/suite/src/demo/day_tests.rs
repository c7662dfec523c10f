use std::collections::HashSet;

use chrono::Timelike;
use vipcare_proto::common::v1::Touchpoint;

use super::*;

/// 15:20 in Shanghai.
const AFTERNOON: &str = "2026-03-02T07:20:00Z";

fn now() -> DateTime<Utc> {
    AFTERNOON.parse().unwrap()
}

fn customers(count: usize) -> Vec<DemoCustomer> {
    (0..count)
        .map(|i| DemoCustomer {
            customer_id: format!("0197c0de-0000-7000-8000-{i:012}"),
            name: "张**".into(),
            account_manager_id: if i % 5 == 0 {
                String::new()
            } else {
                format!("AM-{:03}", i % 40)
            },
        })
        .collect()
}

fn time(t: &Option<Timestamp>) -> DateTime<Utc> {
    let t = t.as_ref().expect("a time");
    DateTime::from_timestamp(t.seconds, 0).unwrap()
}

fn keys(day: &Day) -> Vec<(String, String)> {
    day.schedules
        .iter()
        .map(|s| (s.customer_id.clone(), s.dedupe_key.clone()))
        .collect()
}

#[test]
fn the_same_day_plans_the_same_events_and_keys_and_the_next_day_new_ones() {
    let all = customers(300);
    let first = plan(&all, None, now());
    let later_that_day = plan(&all, None, now() + TimeDelta::hours(3));
    let ids =
        |day: &Day| -> Vec<String> { day.events.iter().map(|e| e.event_id.clone()).collect() };
    assert_eq!(
        ids(&first),
        ids(&later_that_day),
        "a restart that day: same ids"
    );
    assert_eq!(
        keys(&first),
        keys(&later_that_day),
        "and the same dedupe keys"
    );

    let tomorrow = plan(&all, None, now() + TimeDelta::days(1));
    let seen: HashSet<String> = ids(&first).into_iter().collect();
    assert!(
        ids(&tomorrow).iter().all(|id| !seen.contains(id)),
        "a new day, new events"
    );

    let unique: HashSet<&str> = first.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(unique.len(), first.events.len());
    assert!(first.events.iter().all(|e| e.event_id.len() <= 128));
}

#[test]
fn a_day_reaches_some_customers_with_each_part_not_everyone_with_all() {
    let all = customers(1_000);
    let day = plan(&all, None, now());
    let count = |name: &str| {
        day.events
            .iter()
            .filter(|e| e.event_id.ends_with(name))
            .count()
    };
    for (name, share) in [
        ("data-80", DATA_80),
        ("low-balance", LOW_BALANCE),
        ("plan-change", PLAN_CHANGE),
        ("vas-trial", VAS_TRIAL),
        ("promotion-ending", PROMOTION_ENDING),
    ] {
        let n = count(name) as f64 / 1_000.0;
        assert!((share / 2.0..share * 2.0).contains(&n), "{name}: {n}");
    }
    let tasks = day
        .schedules
        .iter()
        .filter(|s| s.touchpoint == Touchpoint::StaffTask as i32);
    assert!(tasks.clone().count() > 20, "call-backs");
    assert!(
        tasks.clone().all(|t| t.staff_assignee.starts_with("AM-")),
        "only customers with an account manager get one"
    );
}

#[test]
fn the_featured_customer_has_the_whole_day_at_believable_times() {
    let all = customers(3);
    let featured = all[1].customer_id.clone();
    let day = plan(&all, Some(&featured), now());
    let theirs: Vec<&Event> = day
        .events
        .iter()
        .filter(|e| e.customer_id == featured)
        .collect();
    assert_eq!(theirs.len(), 5, "{theirs:?}");
    for e in &theirs {
        let at = time(&e.occurred_at);
        assert!(at <= now() && now() - at <= TimeDelta::hours(3), "{e:?}");
    }
    let ending = theirs
        .iter()
        .find_map(|e| match &e.kind {
            Some(event::Kind::PromotionExpiring(p)) => Some(time(&p.expire_time)),
            _ => None,
        })
        .expect("a promotion ending");
    // Midnight starting March 5th, Shanghai.
    assert_eq!(
        ending,
        "2026-03-04T16:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );

    let schedules: Vec<&ScheduleReminderRequest> = day
        .schedules
        .iter()
        .filter(|s| s.customer_id == featured)
        .collect();
    let touchpoints: Vec<i32> = schedules.iter().map(|s| s.touchpoint).collect();
    use Touchpoint as T;
    let expected = [T::StaffTask, T::Care, T::SurveyInvitation].map(|t| t as i32);
    assert_eq!(touchpoints, expected);
    for s in &schedules {
        assert!(
            s.dedupe_key.starts_with("demo:2026-03-02:"),
            "{}",
            s.dedupe_key
        );
        assert!(s.request_id.is_empty());
    }
    let task = time(&schedules[0].send_at);
    assert!(
        task > now() && task <= now() + TimeDelta::hours(4),
        "later today"
    );
    assert_eq!(schedules[0].staff_assignee, all[1].account_manager_id);
    let survey = time(&schedules[2].send_at) + OPERATOR_OFFSET;
    assert_eq!((survey.hour(), survey.minute()), (22, 30), "in quiet hours");
    assert_eq!(survey.date_naive(), local_date(now()), "tonight");
}

#[test]
fn late_in_the_evening_the_survey_is_planned_for_the_next_night() {
    // 23:00 in Shanghai.
    let late: DateTime<Utc> = "2026-03-02T15:00:00Z".parse().unwrap();
    assert_eq!(
        next_local(late, 22, 30),
        "2026-03-03T14:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(time_words(late), "3月2日23:00");
}
