use super::*;
use proptest::prelude::*;

// Shanghai is UTC+8: local 09:00 is 01:00Z, 17:00 is 09:00Z.

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn target(clock: ClockKind, respond_minutes: i64, resolve_minutes: i64) -> SlaTarget {
    SlaTarget {
        respond: TimeDelta::minutes(respond_minutes),
        resolve: TimeDelta::minutes(resolve_minutes),
        clock,
    }
}

fn paused(start: &str, pauses: &[(&str, &str)]) -> SlaClock {
    let mut clock = SlaClock::start(t(start));
    for (from, until) in pauses {
        clock.pause(t(from)).unwrap();
        clock.resume(t(until)).unwrap();
    }
    clock
}

#[test]
fn a_pause_over_the_weekend_excludes_nothing_more_from_business_time() {
    let cal = BusinessCalendar::default();
    let two_hours = target(ClockKind::Business, 60, 120);
    // Opened Friday 17:00, waiting for the customer from Friday 18:30 to Monday 08:00.
    let with_pause = paused(
        "2024-03-15T09:00:00Z",
        &[("2024-03-15T10:30:00Z", "2024-03-18T00:00:00Z")],
    );
    let without = SlaClock::start(t("2024-03-15T09:00:00Z"));
    for clock in [&with_pause, &without] {
        assert_eq!(
            clock.resolve_due(&two_hours, &cal),
            Some(t("2024-03-18T02:00:00Z"))
        );
        assert_eq!(
            clock.elapsed(ClockKind::Business, &cal, t("2024-03-18T01:30:00Z")),
            TimeDelta::minutes(90)
        );
    }
    // On the calendar clock the same pause leaves out its 61.5 hours.
    assert_eq!(
        with_pause.elapsed(ClockKind::Calendar, &cal, t("2024-03-18T01:30:00Z")),
        TimeDelta::hours(3)
    );
}

#[test]
fn a_pause_in_working_hours_excludes_exactly_its_length() {
    let cal = BusinessCalendar::default();
    // Opened Monday 09:00, waiting from 10:00 to 11:30.
    let clock = paused(
        "2024-03-18T01:00:00Z",
        &[("2024-03-18T02:00:00Z", "2024-03-18T03:30:00Z")],
    );
    let two_hours = target(ClockKind::Business, 60, 120);
    assert_eq!(
        clock.resolve_due(&two_hours, &cal),
        Some(t("2024-03-18T04:30:00Z"))
    );
    assert_eq!(
        clock.elapsed(ClockKind::Business, &cal, t("2024-03-18T04:00:00Z")),
        TimeDelta::minutes(90)
    );
    // The respond due fell before the pause, so the pause does not move it.
    assert_eq!(
        clock.respond_due(&two_hours, &cal),
        Some(t("2024-03-18T02:00:00Z"))
    );
}

#[test]
fn switching_the_policy_to_the_business_clock_recomputes_due_from_the_same_pauses() {
    let cal = BusinessCalendar::default();
    // Opened Friday 16:00, waiting from 17:00 to 17:30.
    let clock = paused(
        "2024-03-15T08:00:00Z",
        &[("2024-03-15T09:00:00Z", "2024-03-15T09:30:00Z")],
    );
    // Four hours around the clock, plus the half hour paused: Friday 20:30.
    assert_eq!(
        clock.resolve_due(&target(ClockKind::Calendar, 60, 240), &cal),
        Some(t("2024-03-15T12:30:00Z"))
    );
    // Four working hours: one before the pause, a half after it, 2.5 on Monday: 11:30.
    assert_eq!(
        clock.resolve_due(&target(ClockKind::Business, 60, 240), &cal),
        Some(t("2024-03-18T03:30:00Z"))
    );
}

#[test]
fn a_paused_clock_has_no_due_time_until_it_resumes() {
    let cal = BusinessCalendar::default();
    let calendar_hours = target(ClockKind::Calendar, 60, 240);
    let mut clock = SlaClock::start(t("2024-03-18T01:00:00Z"));
    clock.pause(t("2024-03-18T02:00:00Z")).unwrap();
    assert!(clock.is_paused());
    assert_eq!(clock.resolve_due(&calendar_hours, &cal), None);
    // The respond due was reached before the pause: it stays known, and missed.
    assert_eq!(
        clock.respond_due(&calendar_hours, &cal),
        Some(t("2024-03-18T02:00:00Z"))
    );
    let status = clock.status(
        Goal::Respond,
        &calendar_hours,
        &cal,
        t("2024-03-18T06:00:00Z"),
    );
    assert!(status.breached);
    // Time paused does not count.
    let later = t("2024-03-18T09:00:00Z");
    assert_eq!(
        clock.elapsed(ClockKind::Calendar, &cal, later),
        TimeDelta::hours(1)
    );
    clock.resume(t("2024-03-18T05:00:00Z")).unwrap();
    assert_eq!(
        clock.resolve_due(&calendar_hours, &cal),
        Some(t("2024-03-18T08:00:00Z"))
    );
}

#[test]
fn pausing_and_resuming_out_of_turn_is_refused() {
    let mut clock = SlaClock::start(t("2024-03-18T01:00:00Z"));
    assert_eq!(
        clock.resume(t("2024-03-18T02:00:00Z")),
        Err(ClockError::NotPaused)
    );
    assert_eq!(
        clock.pause(t("2024-03-18T00:00:00Z")),
        Err(ClockError::OutOfOrder)
    );
    clock.pause(t("2024-03-18T02:00:00Z")).unwrap();
    assert_eq!(
        clock.pause(t("2024-03-18T03:00:00Z")),
        Err(ClockError::AlreadyPaused)
    );
    assert_eq!(
        clock.resume(t("2024-03-18T01:30:00Z")),
        Err(ClockError::OutOfOrder)
    );
    clock.resume(t("2024-03-18T03:00:00Z")).unwrap();
    assert_eq!(
        clock.pause(t("2024-03-18T02:30:00Z")),
        Err(ClockError::OutOfOrder)
    );
    clock.resolve(t("2024-03-18T04:00:00Z")).unwrap();
    assert_eq!(
        clock.pause(t("2024-03-18T05:00:00Z")),
        Err(ClockError::Stopped)
    );
    assert_eq!(
        clock.resolve(t("2024-03-18T05:00:00Z")),
        Err(ClockError::Stopped)
    );
    assert_eq!(clock.pauses().len(), 1);
}

#[test]
fn resolving_while_paused_ends_the_pause_and_stops_the_clock() {
    let cal = BusinessCalendar::default();
    let mut clock = SlaClock::start(t("2024-03-18T01:00:00Z"));
    clock.pause(t("2024-03-18T02:00:00Z")).unwrap();
    clock.resolve(t("2024-03-18T04:00:00Z")).unwrap();
    assert!(!clock.is_paused());
    assert_eq!(
        clock.pauses(),
        &[(t("2024-03-18T02:00:00Z"), Some(t("2024-03-18T04:00:00Z")))]
    );
    assert_eq!(
        clock.elapsed(ClockKind::Calendar, &cal, t("2024-03-25T00:00:00Z")),
        TimeDelta::hours(1)
    );
}

#[test]
fn done_at_the_due_instant_is_on_time_and_still_open_then_is_late() {
    let cal = BusinessCalendar::default();
    let hour = target(ClockKind::Calendar, 60, 120);
    let due = t("2024-03-18T02:00:00Z");
    let mut clock = SlaClock::start(t("2024-03-18T01:00:00Z"));
    let half_way = clock.status(Goal::Respond, &hour, &cal, t("2024-03-18T01:30:00Z"));
    assert_eq!(
        half_way,
        ClockStatus {
            elapsed: TimeDelta::minutes(30),
            used_permille: 500,
            breached: false,
            due_at: Some(due)
        }
    );
    assert!(clock.status(Goal::Respond, &hour, &cal, due).breached);
    clock.respond(due).unwrap();
    // A second response does not move the first.
    clock.respond(t("2024-03-18T03:00:00Z")).unwrap();
    assert_eq!(clock.responded_at(), Some(due));
    let later = clock.status(Goal::Respond, &hour, &cal, t("2024-03-19T00:00:00Z"));
    assert_eq!((later.used_permille, later.breached), (1000, false));
    // Resolution is measured separately and keeps running.
    let resolve = clock.status(Goal::Resolve, &hour, &cal, t("2024-03-18T04:00:00Z"));
    assert_eq!((resolve.used_permille, resolve.breached), (1500, true));
}

#[test]
fn stored_facts_are_taken_only_in_order() {
    let start = t("2024-03-18T01:00:00Z");
    let p = |a: &str, b: Option<&str>| (t(a), b.map(t));
    let ok = SlaClock::from_facts(
        start,
        vec![
            p("2024-03-18T02:00:00Z", Some("2024-03-18T03:00:00Z")),
            p("2024-03-18T04:00:00Z", None),
        ],
        Some(t("2024-03-18T01:10:00Z")),
        None,
    )
    .unwrap();
    assert!(ok.is_paused());
    let overlapping = vec![
        p("2024-03-18T02:00:00Z", Some("2024-03-18T03:00:00Z")),
        p("2024-03-18T02:30:00Z", None),
    ];
    assert_eq!(
        SlaClock::from_facts(start, overlapping, None, None),
        Err(ClockError::OutOfOrder)
    );
    let open_then_more = vec![
        p("2024-03-18T02:00:00Z", None),
        p("2024-03-18T03:00:00Z", None),
    ];
    assert_eq!(
        SlaClock::from_facts(start, open_then_more, None, None),
        Err(ClockError::AlreadyPaused)
    );
    let resolved_while_paused = vec![p("2024-03-18T02:00:00Z", None)];
    assert_eq!(
        SlaClock::from_facts(
            start,
            resolved_while_paused,
            None,
            Some(t("2024-03-18T05:00:00Z"))
        ),
        Err(ClockError::OutOfOrder)
    );
    assert_eq!(
        SlaClock::from_facts(start, vec![], Some(t("2024-03-18T00:00:00Z")), None),
        Err(ClockError::OutOfOrder)
    );
}

fn kinds() -> impl Strategy<Value = ClockKind> {
    prop_oneof![Just(ClockKind::Calendar), Just(ClockKind::Business)]
}

/// A clock opened in 2024, paused and resumed a few times (the last pause maybe still on).
fn clocks() -> impl Strategy<Value = SlaClock> {
    (
        1_704_067_200i64..1_735_689_600,
        prop::collection::vec((0i64..200_000, 1i64..300_000), 0..5),
        any::<bool>(),
    )
        .prop_map(|(start, gaps, last_open)| {
            let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
            let mut clock = SlaClock::start(at(start));
            let mut now = start;
            let n = gaps.len();
            for (i, (run, pause)) in gaps.into_iter().enumerate() {
                now += run;
                clock.pause(at(now)).unwrap();
                if !(last_open && i + 1 == n) {
                    now += pause;
                    clock.resume(at(now)).unwrap();
                }
            }
            clock
        })
}

proptest! {
    #[test]
    fn elapsed_time_never_exceeds_wall_time(
        clock in clocks(), kind in kinds(), after in 0i64..2_000_000
    ) {
        let cal = BusinessCalendar::default();
        let now = clock.started_at() + TimeDelta::seconds(after);
        let elapsed = clock.elapsed(kind, &cal, now);
        prop_assert!(elapsed >= TimeDelta::zero());
        prop_assert!(elapsed <= now - clock.started_at());
    }

    #[test]
    fn at_the_due_instant_exactly_the_time_allowed_has_been_counted(
        clock in clocks(), kind in kinds(), minutes in 1i64..5_000
    ) {
        let cal = BusinessCalendar::default();
        let amount = TimeDelta::minutes(minutes);
        match clock.reaches(kind, amount, &cal) {
            Some(due) => prop_assert_eq!(clock.elapsed(kind, &cal, due), amount),
            None => prop_assert!(clock.is_paused()),
        }
    }
}
