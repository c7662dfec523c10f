use super::*;
use chrono::TimeDelta;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn quiet(start: (u32, u32), end: (u32, u32), zone: &str) -> QuietHours {
    QuietHours::new(hm(start.0, start.1), hm(end.0, end.1), zone).unwrap()
}

const FAR: &str = "2030-01-01T00:00:00Z";

fn defer(until: &str) -> QuietDecision {
    QuietDecision::Defer { until: t(until) }
}

#[test]
fn the_default_night_in_shanghai_waits_until_eight() {
    let q = QuietHours::default();
    // 23:30 Shanghai is 15:30 UTC; 08:00 Shanghai is 00:00 UTC.
    let d = q.decide(t("2024-05-01T15:30:00Z"), t(FAR), false, None);
    assert_eq!(d, defer("2024-05-02T00:00:00Z"));
    let d = q.decide(t("2024-05-01T23:59:00Z"), t(FAR), false, None);
    assert_eq!(d, defer("2024-05-02T00:00:00Z"));
}

#[test]
fn the_window_includes_its_start_and_excludes_its_end() {
    let q = QuietHours::default();
    let send = |at: &str| q.decide(t(at), t(FAR), false, None);
    assert_eq!(
        send("2024-05-01T13:59:59Z"),
        QuietDecision::Send,
        "21:59:59"
    );
    assert_eq!(
        send("2024-05-01T14:00:00Z"),
        defer("2024-05-02T00:00:00Z"),
        "22:00"
    );
    assert_eq!(send("2024-05-01T00:00:00Z"), QuietDecision::Send, "08:00");
    assert_eq!(
        send("2024-04-30T23:59:59Z"),
        defer("2024-05-01T00:00:00Z"),
        "07:59:59"
    );
    assert_eq!(
        send("2024-04-30T16:00:00Z"),
        defer("2024-05-01T00:00:00Z"),
        "midnight"
    );
}

#[test]
fn a_deadline_exactly_at_the_end_of_quiet_hours_still_allows_the_send() {
    let q = QuietHours::default();
    let planned = t("2024-05-01T15:30:00Z");
    let end = t("2024-05-02T00:00:00Z");
    assert_eq!(
        q.decide(planned, end, false, None),
        QuietDecision::Defer { until: end }
    );
    let a_second_earlier = end - TimeDelta::seconds(1);
    assert_eq!(
        q.decide(planned, a_second_earlier, false, None),
        QuietDecision::Expire {
            quiet_until: Some(end)
        }
    );
}

#[test]
fn urgent_reminders_ignore_quiet_hours_but_never_their_deadline() {
    let q = QuietHours::default();
    let night = t("2024-05-01T16:00:00Z");
    assert_eq!(q.decide(night, night, true, None), QuietDecision::Send);
    let expired = QuietDecision::Expire { quiet_until: None };
    let late = night + TimeDelta::seconds(1);
    assert_eq!(q.decide(late, night, true, None), expired);
    // Past its deadline at noon too, quiet hours or not.
    let noon = t("2024-05-01T04:00:00Z");
    assert_eq!(
        q.decide(noon, noon - TimeDelta::minutes(1), false, None),
        expired
    );
}

#[test]
fn daytime_quiet_hours_do_not_wrap() {
    let q = quiet((12, 0), (14, 0), "Europe/London");
    // London is UTC+1 in summer.
    assert_eq!(
        q.decide(t("2024-06-10T11:30:00Z"), t(FAR), false, None),
        defer("2024-06-10T13:00:00Z")
    );
    assert_eq!(
        q.decide(t("2024-06-10T13:00:00Z"), t(FAR), false, None),
        QuietDecision::Send
    );
    assert_eq!(
        q.decide(t("2024-06-10T22:00:00Z"), t(FAR), false, None),
        QuietDecision::Send
    );
}

#[test]
fn quiet_hours_follow_the_customer_abroad() {
    let q = QuietHours::default();
    let paris = time_zone("Europe/Paris").unwrap();
    // Noon in Shanghai is 06:00 in Paris (CEST): the roaming customer is asleep.
    let noon_shanghai = t("2024-05-01T04:00:00Z");
    assert_eq!(
        q.decide(noon_shanghai, t(FAR), false, None),
        QuietDecision::Send
    );
    assert_eq!(
        q.decide(noon_shanghai, t(FAR), false, Some(paris)),
        defer("2024-05-01T06:00:00Z")
    );
    // 23:30 in Shanghai is 17:30 in Paris: fine to send abroad.
    let late_shanghai = t("2024-05-01T15:30:00Z");
    assert_eq!(
        q.decide(late_shanghai, t(FAR), false, Some(paris)),
        QuietDecision::Send
    );
    assert_eq!(q.zone(None), chrono_tz::Asia::Shanghai);
}

#[test]
fn new_york_nights_shorten_and_lengthen_with_daylight_saving() {
    let q = quiet((22, 0), (8, 0), "America/New_York");
    // An ordinary winter night: 08:00 EST is 13:00 UTC.
    assert_eq!(
        q.decide(t("2024-03-08T04:00:00Z"), t(FAR), false, None),
        defer("2024-03-08T13:00:00Z")
    );
    // 2024-03-10 02:00 EST jumps to 03:00 EDT: 08:00 that morning is 12:00 UTC.
    assert_eq!(
        q.decide(t("2024-03-10T04:00:00Z"), t(FAR), false, None),
        defer("2024-03-10T12:00:00Z")
    );
    assert_eq!(
        q.decide(t("2024-03-10T07:30:00Z"), t(FAR), false, None),
        defer("2024-03-10T12:00:00Z"),
        "03:30 EDT, just after the jump"
    );
    // 2024-11-03 02:00 EDT falls back to 01:00 EST: 08:00 that morning is 13:00 UTC.
    assert_eq!(
        q.decide(t("2024-11-03T03:00:00Z"), t(FAR), false, None),
        defer("2024-11-03T13:00:00Z")
    );
    assert_eq!(
        q.decide(t("2024-11-03T13:00:00Z"), t(FAR), false, None),
        QuietDecision::Send
    );
    assert_eq!(
        q.decide(t("2024-11-03T12:59:00Z"), t(FAR), false, None),
        defer("2024-11-03T13:00:00Z")
    );
}

#[test]
fn an_end_the_clock_skips_is_reached_when_the_clock_jumps() {
    // 02:30 does not exist in New York on 2024-03-10: quiet ends at the jump, 03:00 EDT.
    let q = quiet((22, 0), (2, 30), "America/New_York");
    assert_eq!(
        q.decide(t("2024-03-10T06:00:00Z"), t(FAR), false, None),
        defer("2024-03-10T07:00:00Z")
    );
    assert!(!q.contains(t("2024-03-10T07:00:00Z"), None));
    // A start the clock skips: 03:00 EDT is already inside 02:30-06:00.
    let q = quiet((2, 30), (6, 0), "America/New_York");
    assert_eq!(
        q.decide(t("2024-03-10T06:59:59Z"), t(FAR), false, None),
        QuietDecision::Send
    );
    assert_eq!(
        q.decide(t("2024-03-10T07:00:00Z"), t(FAR), false, None),
        defer("2024-03-10T10:00:00Z")
    );
}

#[test]
fn an_end_the_clock_repeats_is_read_on_the_wall_each_time() {
    // 01:00-02:00 happens twice in New York on 2024-11-03 (EDT, then EST).
    let q = quiet((22, 0), (1, 30), "America/New_York");
    assert_eq!(
        q.decide(t("2024-11-03T05:10:00Z"), t(FAR), false, None),
        defer("2024-11-03T05:30:00Z"),
        "01:10 EDT ends at 01:30 EDT"
    );
    assert_eq!(
        q.decide(t("2024-11-03T05:45:00Z"), t(FAR), false, None),
        QuietDecision::Send
    );
    assert_eq!(
        q.decide(t("2024-11-03T06:10:00Z"), t(FAR), false, None),
        defer("2024-11-03T06:30:00Z"),
        "01:10 EST, the wall clock is back in quiet hours"
    );
}

#[test]
fn bad_quiet_hours_name_the_field() {
    let err = QuietHours::new(hm(22, 0), hm(8, 0), "Mars/Olympus").unwrap_err();
    assert_eq!(err.field, "time_zone");
    let err = QuietHours::new(hm(8, 0), hm(8, 0), "Asia/Shanghai").unwrap_err();
    assert_eq!(err.field, "end");
    assert!(time_zone("").is_err());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn a_deferral_ends_at_the_first_awake_moment(
            minute in 0i64..(366 * 24 * 60),
            start in (0u32..24, 0u32..60),
            end in (0u32..24, 0u32..60),
            zone in prop::sample::select(vec!["America/New_York", "Asia/Shanghai", "Australia/Lord_Howe", "Europe/London"]),
        ) {
            prop_assume!(start != end);
            let q = quiet(start, end, zone);
            let planned = t("2024-01-01T00:00:00Z") + TimeDelta::minutes(minute);
            match q.decide(planned, t(FAR), false, None) {
                QuietDecision::Send => prop_assert!(!q.contains(planned, None)),
                QuietDecision::Defer { until } => {
                    prop_assert!(until > planned);
                    prop_assert!(!q.contains(until, None));
                    prop_assert!(q.contains(until - TimeDelta::seconds(1), None));
                    prop_assert!(until - planned <= TimeDelta::hours(25));
                }
                QuietDecision::Expire { .. } => prop_assert!(false, "far deadline expired"),
            }
        }
    }
}
