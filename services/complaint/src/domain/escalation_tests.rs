use super::*;
use crate::domain::codes::Severity;
use crate::domain::sla::SlaPolicy;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn diamond_high() -> SlaTarget {
    SlaPolicy::default().target("DIAMOND", Severity::High)
}

fn standard_low() -> SlaTarget {
    SlaPolicy::default().target("STANDARD", Severity::Low)
}

// Opened Monday 2024-03-18 09:00 in Shanghai.
const OPENED: &str = "2024-03-18T01:00:00Z";

#[test]
fn a_diamond_complaint_reaches_level_one_at_80_percent_and_level_two_at_breach() {
    let cal = BusinessCalendar::default();
    let clock = SlaClock::start(t(OPENED));
    let target = diamond_high();
    // 80% of 24 hours is 19 h 12 min.
    let level1 = t("2024-03-18T20:12:00Z");
    let at = |now: DateTime<Utc>| due_levels(&clock, &target, &cal, &[], now);
    assert_eq!(at(level1 - TimeDelta::seconds(1)), vec![]);
    assert_eq!(at(level1), vec![Level::Level1]);
    assert_eq!(
        at(t("2024-03-19T01:00:00Z")),
        vec![Level::Level1, Level::Level2]
    );
}

#[test]
fn each_level_fires_once_however_often_the_pass_runs() {
    let cal = BusinessCalendar::default();
    let clock = SlaClock::start(t(OPENED));
    let target = diamond_high();
    let mut fired = Vec::new();
    let mut pass = |now: &str| {
        let new = due_levels(&clock, &target, &cal, &fired, t(now));
        fired.extend(new.iter().copied());
        new
    };
    assert_eq!(pass("2024-03-18T21:00:00Z"), vec![Level::Level1]);
    assert_eq!(pass("2024-03-18T21:00:00Z"), vec![]);
    assert_eq!(pass("2024-03-18T23:00:00Z"), vec![]);
    assert_eq!(pass("2024-03-19T02:00:00Z"), vec![Level::Level2]);
    assert_eq!(pass("2024-03-19T02:00:00Z"), vec![]);
    assert_eq!(pass("2024-03-25T00:00:00Z"), vec![]);
}

#[test]
fn the_next_check_is_when_the_next_level_is_reached_on_the_business_clock() {
    let cal = BusinessCalendar::default();
    let clock = SlaClock::start(t(OPENED));
    let target = standard_low();
    // 80% of five working days is four: Thursday 18:00. The breach is Friday 18:00.
    let thursday = t("2024-03-21T10:00:00Z");
    let friday = t("2024-03-22T10:00:00Z");
    assert_eq!(next_check(&clock, &target, &cal, &[]), Some(thursday));
    assert_eq!(
        next_check(&clock, &target, &cal, &[Level::Level1]),
        Some(friday)
    );
    assert_eq!(next_check(&clock, &target, &cal, Level::ALL), None);
    // A pass at the instant indexed finds the level due; a pass just before finds nothing.
    assert_eq!(
        due_levels(&clock, &target, &cal, &[], thursday),
        vec![Level::Level1]
    );
    assert_eq!(
        due_levels(&clock, &target, &cal, &[], thursday - TimeDelta::seconds(1)),
        vec![]
    );
    // Breached at Friday's close, not a second before.
    let fired = [Level::Level1];
    assert_eq!(
        due_levels(
            &clock,
            &target,
            &cal,
            &fired,
            friday - TimeDelta::seconds(1)
        ),
        vec![]
    );
    assert_eq!(
        due_levels(&clock, &target, &cal, &fired, friday),
        vec![Level::Level2]
    );
}

#[test]
fn a_paused_clock_never_escalates_and_catches_up_when_it_resumes() {
    let cal = BusinessCalendar::default();
    let target = diamond_high();
    let mut clock = SlaClock::start(t(OPENED));
    // Waiting for the customer from 20 hours in: level 1 was reached before the pause.
    clock.pause(t("2024-03-18T21:00:00Z")).unwrap();
    let days_later = t("2024-03-25T00:00:00Z");
    assert_eq!(due_levels(&clock, &target, &cal, &[], days_later), vec![]);
    assert_eq!(next_check(&clock, &target, &cal, &[]), None);
    clock.resume(days_later).unwrap();
    assert_eq!(
        due_levels(&clock, &target, &cal, &[], days_later),
        vec![Level::Level1]
    );
    // Four hours remain before the breach.
    assert_eq!(
        next_check(&clock, &target, &cal, &[Level::Level1]),
        Some(t("2024-03-25T04:00:00Z"))
    );
}

#[test]
fn a_resolved_complaint_never_escalates() {
    let cal = BusinessCalendar::default();
    let target = diamond_high();
    let mut clock = SlaClock::start(t(OPENED));
    clock.resolve(t("2024-03-18T23:00:00Z")).unwrap();
    assert_eq!(
        due_levels(&clock, &target, &cal, &[], t("2024-03-30T00:00:00Z")),
        vec![]
    );
    assert_eq!(next_check(&clock, &target, &cal, &[]), None);
}

#[test]
fn level_codes_are_stable() {
    assert_eq!(Level::from_code("LEVEL_1"), Some(Level::Level1));
    assert_eq!(Level::Level2.code(), "LEVEL_2");
    assert!(Level::Level1 < Level::Level2);
}
