use super::*;
use chrono::TimeDelta;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const FAR: &str = "2030-01-01T00:00:00Z";

fn ask(tier: &'static str, sent_today: u32, planned: &str, deadline: &str) -> CapQuery<'static> {
    CapQuery {
        tier,
        urgent: false,
        mandatory: false,
        sent_today,
        planned: t(planned),
        deadline: t(deadline),
    }
}

fn decide(cap: &DailyCap, q: CapQuery<'_>) -> CapDecision {
    cap.decide(&q, &QuietHours::default(), None)
}

#[test]
fn five_a_day_then_the_next_morning_after_quiet_hours() {
    let cap = DailyCap::default();
    // 10:00 Shanghai on 1 May.
    let planned = "2024-05-01T02:00:00Z";
    assert_eq!(decide(&cap, ask("", 4, planned, FAR)), CapDecision::Send);
    // The sixth waits for 08:00 on 2 May (00:00 UTC), not for midnight.
    assert_eq!(
        decide(&cap, ask("", 5, planned, FAR)),
        CapDecision::Defer {
            until: t("2024-05-02T00:00:00Z")
        }
    );
    assert_eq!(
        decide(&cap, ask("", 9, planned, FAR)),
        CapDecision::Defer {
            until: t("2024-05-02T00:00:00Z")
        }
    );
}

#[test]
fn tiers_may_set_their_own_cap() {
    let cap = DailyCap::default()
        .with_tier("DIAMOND", 3)
        .unwrap()
        .with_tier("GOLD", 8)
        .unwrap();
    assert_eq!(cap.limit_for("DIAMOND"), 3);
    assert_eq!(cap.limit_for("GOLD"), 8);
    assert_eq!(cap.limit_for("SILVER"), 5);
    assert_eq!(cap.limit_for(""), 5);
    let planned = "2024-05-01T02:00:00Z";
    assert!(matches!(
        decide(&cap, ask("DIAMOND", 3, planned, FAR)),
        CapDecision::Defer { .. }
    ));
    assert_eq!(
        decide(&cap, ask("GOLD", 7, planned, FAR)),
        CapDecision::Send
    );
}

#[test]
fn urgent_and_mandatory_reminders_are_never_capped() {
    let cap = DailyCap::default();
    let planned = "2024-05-01T02:00:00Z";
    let mut q = ask("", 50, planned, FAR);
    q.urgent = true;
    assert_eq!(decide(&cap, q), CapDecision::Send);
    q.urgent = false;
    q.mandatory = true;
    assert_eq!(decide(&cap, q), CapDecision::Send);
    assert!(is_capped(false, false));
    assert!(!is_capped(true, false) && !is_capped(false, true) && !is_capped(true, true));
}

#[test]
fn a_deferral_past_the_deadline_suppresses() {
    let cap = DailyCap::default();
    let planned = "2024-05-01T02:00:00Z";
    let next_morning = t("2024-05-02T00:00:00Z");
    // A deadline exactly at the next chance still allows it.
    assert_eq!(
        decide(&cap, ask("", 5, planned, "2024-05-02T00:00:00Z")),
        CapDecision::Defer {
            until: next_morning
        }
    );
    assert_eq!(
        decide(&cap, ask("", 5, planned, "2024-05-01T23:59:59Z")),
        CapDecision::Suppress {
            next_chance: Some(next_morning)
        }
    );
}

#[test]
fn the_day_is_the_customers_not_utcs() {
    let shanghai = chrono_tz::Asia::Shanghai;
    // 00:30 on 2 May in Shanghai is still 1 May in UTC.
    let (start, end) = calendar_day(t("2024-05-01T16:30:00Z"), shanghai).unwrap();
    assert_eq!(start, t("2024-05-01T16:00:00Z"));
    assert_eq!(end, t("2024-05-02T16:00:00Z"));
    let cap = DailyCap::default();
    // One minute before local midnight: over the cap, it waits for 08:00 on 2 May.
    assert_eq!(
        decide(&cap, ask("", 5, "2024-05-01T15:59:00Z", FAR)),
        CapDecision::Defer {
            until: t("2024-05-02T00:00:00Z")
        }
    );
    // At local midnight it is already 2 May: counted against 2 May, it waits for 3 May.
    assert_eq!(
        decide(&cap, ask("", 5, "2024-05-01T16:00:00Z", FAR)),
        CapDecision::Defer {
            until: t("2024-05-03T00:00:00Z")
        }
    );
}

#[test]
fn days_of_23_and_25_hours_and_a_skipped_midnight() {
    let ny = chrono_tz::America::New_York;
    let (s, e) = calendar_day(t("2024-03-10T15:00:00Z"), ny).unwrap();
    assert_eq!(
        (s, e - s),
        (t("2024-03-10T05:00:00Z"), TimeDelta::hours(23))
    );
    let (s, e) = calendar_day(t("2024-11-03T15:00:00Z"), ny).unwrap();
    assert_eq!(
        (s, e - s),
        (t("2024-11-03T04:00:00Z"), TimeDelta::hours(25))
    );
    // Chile springs forward at midnight: 8 September 2024 begins at 01:00 (-03), 04:00 UTC.
    let santiago = chrono_tz::America::Santiago;
    let (s, _) = calendar_day(t("2024-09-08T12:00:00Z"), santiago).unwrap();
    assert_eq!(s, t("2024-09-08T04:00:00Z"));
}

#[test]
fn the_day_and_the_morning_follow_the_customer_abroad() {
    let cap = DailyCap::default();
    let paris = chrono_tz::Europe::Paris;
    // 10:00 on 1 May in Paris (CEST): over the cap, next chance 08:00 on 2 May Paris time.
    let q = ask("", 5, "2024-05-01T08:00:00Z", FAR);
    assert_eq!(
        cap.decide(&q, &QuietHours::default(), Some(paris)),
        CapDecision::Defer {
            until: t("2024-05-02T06:00:00Z")
        }
    );
}

#[test]
fn bad_caps_name_the_field() {
    assert_eq!(DailyCap::new(0).unwrap_err().field, "default");
    assert_eq!(DailyCap::new(101).unwrap_err().field, "default");
    assert_eq!(DailyCap::new(7).map(|c| c.limit_for("GOLD")), Ok(7));
    let err = DailyCap::default().with_tier("gold", 3).unwrap_err();
    assert_eq!(err.field, "per_tier.gold");
    let err = DailyCap::default().with_tier("GOLD", 0).unwrap_err();
    assert_eq!(err.field, "per_tier.GOLD");
    assert!(DailyCap::default().with_tier("", 3).is_err());
}
