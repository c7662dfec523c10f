use super::*;
use chrono::Days;
use proptest::prelude::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

fn shanghai(holidays: &[&str], make_up_days: &[&str]) -> BusinessCalendar {
    BusinessCalendar::new(CalendarDraft {
        holidays: holidays.iter().map(|s| d(s)).collect(),
        make_up_days: make_up_days.iter().map(|s| d(s)).collect(),
        ..CalendarDraft::default()
    })
    .unwrap()
}

fn berlin(working_hours: [Option<WorkingHours>; 7]) -> BusinessCalendar {
    BusinessCalendar::new(CalendarDraft {
        time_zone: "Europe/Berlin".to_owned(),
        working_hours,
        ..CalendarDraft::default()
    })
    .unwrap()
}

fn office_week() -> [Option<WorkingHours>; 7] {
    CalendarDraft::default().working_hours
}

fn only_sunday(start_minute: u32, end_minute: u32) -> [Option<WorkingHours>; 7] {
    let mut week = [None; 7];
    week[6] = Some(WorkingHours {
        start_minute,
        end_minute,
    });
    week
}

// Shanghai is UTC+8 all year: 17:00 local is 09:00Z, 10:00 local is 02:00Z.

#[test]
fn two_hours_from_friday_five_pm_are_due_monday_ten_am() {
    let cal = BusinessCalendar::default();
    let friday = t("2024-03-15T09:00:00Z");
    assert_eq!(
        cal.add_business_time(friday, hours(2)),
        Some(t("2024-03-18T02:00:00Z"))
    );
    assert_eq!(
        cal.business_time_between(friday, t("2024-03-18T02:00:00Z")),
        hours(2)
    );
}

#[test]
fn a_holiday_monday_moves_the_due_time_to_tuesday() {
    let cal = shanghai(&["2024-03-18"], &[]);
    assert_eq!(
        cal.add_business_time(t("2024-03-15T09:00:00Z"), hours(2)),
        Some(t("2024-03-19T02:00:00Z"))
    );
}

#[test]
fn a_make_up_saturday_is_worked() {
    // 2024 Labour Day: May 1–5 off, Saturday May 11 worked in exchange.
    let cal = shanghai(
        &["2024-05-01", "2024-05-02", "2024-05-03"],
        &["2024-04-28", "2024-05-11"],
    );
    assert_eq!(
        cal.add_business_time(t("2024-05-10T09:00:00Z"), hours(2)),
        Some(t("2024-05-11T02:00:00Z"))
    );
    // Opened Tuesday April 30 at 17:00: one hour that day, the holiday week off, the
    // rest on Monday May 6.
    assert_eq!(
        cal.add_business_time(t("2024-04-30T09:00:00Z"), hours(2)),
        Some(t("2024-05-06T02:00:00Z"))
    );
    // A make-up Sunday counts its full office day.
    assert_eq!(
        cal.business_time_between(t("2024-04-27T16:00:00Z"), t("2024-04-28T16:00:00Z")),
        hours(9)
    );
}

#[test]
fn time_ending_at_closing_is_due_at_closing_not_the_next_opening() {
    let cal = BusinessCalendar::default();
    assert_eq!(
        cal.add_business_time(t("2024-03-15T09:00:00Z"), hours(1)),
        Some(t("2024-03-15T10:00:00Z"))
    );
}

#[test]
fn counting_from_outside_hours_begins_at_the_next_opening() {
    let cal = BusinessCalendar::default();
    // Saturday noon, then Monday 09:00 + 1 h.
    assert_eq!(
        cal.add_business_time(t("2024-03-16T04:00:00Z"), hours(1)),
        Some(t("2024-03-18T02:00:00Z"))
    );
    // Monday 07:00 local.
    assert_eq!(
        cal.add_business_time(t("2024-03-17T23:00:00Z"), TimeDelta::minutes(30)),
        Some(t("2024-03-18T01:30:00Z"))
    );
    // Nothing to add is the start itself, even at night.
    let night = t("2024-03-16T16:00:00Z");
    assert_eq!(cal.add_business_time(night, TimeDelta::zero()), Some(night));
}

#[test]
fn a_week_holds_five_office_days_and_backwards_spans_hold_nothing() {
    let cal = BusinessCalendar::default();
    let monday = t("2024-03-18T00:00:00Z");
    let next_monday = t("2024-03-25T00:00:00Z");
    assert_eq!(cal.business_time_between(monday, next_monday), hours(45));
    assert_eq!(
        cal.business_time_between(next_monday, monday),
        TimeDelta::zero()
    );
    assert_eq!(
        cal.add_business_time(monday, hours(45)),
        Some(t("2024-03-22T10:00:00Z"))
    );
}

#[test]
fn berlin_office_hours_follow_daylight_saving_time() {
    let cal = berlin(office_week());
    // Friday 17:00 CET is 16:00Z; Monday 10:00 CEST, after the spring change, is 08:00Z.
    assert_eq!(
        cal.add_business_time(t("2024-03-29T16:00:00Z"), hours(2)),
        Some(t("2024-04-01T08:00:00Z"))
    );
    // Friday 17:00 CEST is 15:00Z; Monday 10:00 CET, after the autumn change, is 09:00Z.
    assert_eq!(
        cal.add_business_time(t("2024-10-25T15:00:00Z"), hours(2)),
        Some(t("2024-10-28T09:00:00Z"))
    );
}

#[test]
fn a_worked_day_with_a_clock_change_is_an_hour_shorter_or_longer() {
    let cal = berlin(only_sunday(0, 24 * 60));
    let week = |from: &str, to: &str| cal.business_time_between(t(from), t(to));
    assert_eq!(
        week("2024-03-25T00:00:00Z", "2024-04-01T00:00:00Z"),
        hours(23)
    );
    assert_eq!(
        week("2024-10-21T00:00:00Z", "2024-10-28T00:00:00Z"),
        hours(25)
    );
    assert_eq!(
        week("2024-06-03T00:00:00Z", "2024-06-10T00:00:00Z"),
        hours(24)
    );
}

#[test]
fn hours_opening_in_the_skipped_hour_open_when_the_clock_jumps() {
    // 02:00–04:00 on the spring-forward Sunday: 02:00 never shows, the day opens at 03:00
    // CEST (01:00Z) and closes at 04:00 CEST (02:00Z).
    let cal = berlin(only_sunday(2 * 60, 4 * 60));
    assert_eq!(
        cal.open_on(d("2024-03-31")),
        Some((t("2024-03-31T01:00:00Z"), t("2024-03-31T02:00:00Z")))
    );
    assert_eq!(
        cal.add_business_time(t("2024-03-30T12:00:00Z"), TimeDelta::minutes(30)),
        Some(t("2024-03-31T01:30:00Z"))
    );
}

#[test]
fn a_calendar_whose_working_days_are_all_holidays_gives_up_at_the_horizon() {
    // Only Mondays are worked, and every Monday for eleven years is a holiday.
    let mut week = [None; 7];
    week[0] = Some(WorkingHours::OFFICE);
    let first = d("2024-01-01");
    let holidays = (0..11 * 53)
        .map(|w| first.checked_add_days(Days::new(7 * w)).unwrap())
        .collect();
    let cal = BusinessCalendar::new(CalendarDraft {
        working_hours: week,
        holidays,
        ..CalendarDraft::default()
    })
    .unwrap();
    let start = t("2024-01-01T00:00:00Z");
    assert_eq!(cal.add_business_time(start, hours(1)), None);
    assert_eq!(
        cal.business_time_between(start, t("2040-01-01T00:00:00Z")),
        TimeDelta::zero()
    );
}

#[test]
fn refused_calendars_name_the_field() {
    let refused = |draft: CalendarDraft| BusinessCalendar::new(draft).unwrap_err().field;
    let mut week = office_week();
    week[2] = Some(WorkingHours {
        start_minute: 600,
        end_minute: 540,
    });
    assert_eq!(
        refused(CalendarDraft {
            working_hours: week,
            ..CalendarDraft::default()
        }),
        "calendar.working_hours[2].end"
    );
    week[2] = Some(WorkingHours {
        start_minute: 1441,
        end_minute: 1500,
    });
    assert_eq!(
        refused(CalendarDraft {
            working_hours: week,
            ..CalendarDraft::default()
        }),
        "calendar.working_hours[2].start"
    );
    assert_eq!(
        refused(CalendarDraft {
            working_hours: [None; 7],
            make_up_days: vec![d("2024-05-11")],
            ..CalendarDraft::default()
        }),
        "calendar.working_hours"
    );
    assert_eq!(
        refused(CalendarDraft {
            time_zone: "Mars/Olympus".to_owned(),
            ..CalendarDraft::default()
        }),
        "calendar.time_zone"
    );
    assert_eq!(
        refused(CalendarDraft {
            make_up_hours: WorkingHours {
                start_minute: 540,
                end_minute: 1441,
            },
            ..CalendarDraft::default()
        }),
        "calendar.make_up_hours.end"
    );
    assert_eq!(
        refused(CalendarDraft {
            holidays: vec![d("2024-05-11")],
            make_up_days: vec![d("2024-04-28"), d("2024-05-11")],
            ..CalendarDraft::default()
        }),
        "calendar.make_up_days[1]"
    );
    // A whole day, midnight to midnight, is allowed.
    week[2] = Some(WorkingHours {
        start_minute: 0,
        end_minute: 1440,
    });
    assert!(
        BusinessCalendar::new(CalendarDraft {
            working_hours: week,
            ..CalendarDraft::default()
        })
        .is_ok()
    );
}

#[test]
fn the_default_calendar_is_the_checked_default_draft() {
    assert_eq!(
        BusinessCalendar::new(CalendarDraft::default()),
        Ok(BusinessCalendar::default())
    );
}

/// Every day worked in `zone` between two minutes of the day.
fn every_day(zone: &str, start_minute: u32, end_minute: u32) -> BusinessCalendar {
    let hours = Some(WorkingHours {
        start_minute,
        end_minute,
    });
    BusinessCalendar::new(CalendarDraft {
        time_zone: zone.to_owned(),
        working_hours: [hours; 7],
        ..CalendarDraft::default()
    })
    .unwrap()
}

fn calendars() -> impl Strategy<Value = BusinessCalendar> {
    prop_oneof![
        // Santiago changes its clocks at midnight; Lord Howe by half an hour.
        Just(every_day("America/Santiago", 0, 24 * 60)),
        Just(every_day("Australia/Lord_Howe", 60, 23 * 60)),
        Just(shanghai(
            &["2024-05-01", "2024-05-02", "2024-10-01"],
            &["2024-04-28", "2024-05-11"]
        )),
        Just(berlin(office_week())),
        Just(berlin(only_sunday(2 * 60, 4 * 60))),
    ]
}

// 2024-01-01 to 2025-12-31, around both clock changes, at second precision.
fn instants() -> impl Strategy<Value = DateTime<Utc>> {
    (1_704_067_200i64..1_767_139_200).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn spans() -> impl Strategy<Value = TimeDelta> {
    (0i64..200 * 3600).prop_map(TimeDelta::seconds)
}

proptest! {
    #[test]
    fn a_walk_places_each_day_where_the_exact_conversion_does(
        cal in calendars(), start in instants()
    ) {
        let first = start.with_timezone(&cal.zone()).date_naive();
        for (date, open) in walk::DayWalk::from(&cal, first).take(60) {
            let exact = cal.open_on(date).map(|(o, c)| (o.timestamp(), c.timestamp()));
            prop_assert_eq!(open, exact, "{}", date);
        }
    }

    #[test]
    fn adding_then_counting_gives_back_the_time_added(
        cal in calendars(), start in instants(), span in spans()
    ) {
        let due = cal.add_business_time(start, span).unwrap();
        prop_assert!(due >= start);
        prop_assert_eq!(cal.business_time_between(start, due), span);
    }

    #[test]
    fn more_time_is_never_due_earlier(
        cal in calendars(), start in instants(), a in spans(), b in spans()
    ) {
        let (short, long) = (a.min(b), a.max(b));
        prop_assert!(cal.add_business_time(start, short) <= cal.add_business_time(start, long));
    }

    #[test]
    fn working_time_adds_up_and_never_exceeds_wall_time(
        cal in calendars(), a in instants(), b in instants(), c in instants()
    ) {
        let mut v = [a, b, c];
        v.sort();
        let [a, b, c] = v;
        let whole = cal.business_time_between(a, c);
        prop_assert_eq!(whole, cal.business_time_between(a, b) + cal.business_time_between(b, c));
        prop_assert!(whole <= c - a);
    }
}

#[test]
fn a_calendar_checks_back_from_its_draft_unchanged() {
    let calendar = shanghai(&["2026-10-01", "2026-05-01"], &["2026-09-27"]);
    let draft = calendar.to_draft();
    assert_eq!(draft.time_zone, "Asia/Shanghai");
    assert_eq!(draft.holidays, [d("2026-05-01"), d("2026-10-01")]);
    assert_eq!(BusinessCalendar::new(draft), Ok(calendar));
}
