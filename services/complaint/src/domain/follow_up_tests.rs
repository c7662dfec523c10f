use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn notices_come_every_interval_of_the_tier_and_none_for_others() {
    let intervals = ProgressIntervals::default();
    let opened = t("2024-06-05T02:00:00Z");
    let now = t("2024-06-05T03:00:00Z");
    let next = |tier| intervals.next_progress_notice(opened, tier, ComplaintState::InProgress, now);
    assert_eq!(next("DIAMOND"), Some(t("2024-06-06T02:00:00Z")));
    assert_eq!(next("PLATINUM"), Some(t("2024-06-07T02:00:00Z")));
    assert_eq!(next("GOLD"), Some(t("2024-06-08T02:00:00Z")));
    assert_eq!(next("SILVER"), None);
    assert_eq!(next("STANDARD"), None);
}

#[test]
fn an_overdue_notice_goes_now_never_in_the_past() {
    let intervals = ProgressIntervals::default();
    let last = t("2024-06-05T02:00:00Z");
    let now = t("2024-06-08T09:00:00Z");
    assert_eq!(
        intervals.next_progress_notice(last, "DIAMOND", ComplaintState::Reopened, now),
        Some(now)
    );
}

#[test]
fn no_notices_once_resolved_or_while_waiting_for_the_customer() {
    let intervals = ProgressIntervals::default();
    let last = t("2024-06-05T02:00:00Z");
    for state in ComplaintState::ALL {
        let next = intervals.next_progress_notice(last, "DIAMOND", *state, last);
        let silent = matches!(
            state,
            ComplaintState::Resolved | ComplaintState::Closed | ComplaintState::WaitingCustomer
        );
        assert_eq!(next.is_none(), silent, "{state:?}");
    }
}

#[test]
fn intervals_are_set_per_tier_and_checked() {
    let intervals = ProgressIntervals::none().with_tier("SILVER", 96).unwrap();
    assert_eq!(intervals.interval_for("SILVER"), Some(TimeDelta::hours(96)));
    assert_eq!(intervals.interval_for("DIAMOND"), None);
    let zero = ProgressIntervals::none().with_tier("GOLD", 0);
    assert_eq!(zero.unwrap_err().field, "per_tier.GOLD");
    let too_long = ProgressIntervals::none().with_tier("GOLD", MAX_INTERVAL_HOURS + 1);
    assert!(too_long.is_err());
    assert!(ProgressIntervals::none().with_tier("Gold", 24).is_err());
}

#[test]
fn a_follow_up_is_planned_ahead_with_a_note() {
    let now = t("2024-06-05T02:00:00Z");
    let at = t("2024-06-12T02:00:00Z");
    let f = FollowUp::new(at, "check the new card held for a week", true, now).unwrap();
    assert_eq!((f.at, f.notify_customer), (at, true));
    assert_eq!(
        FollowUp::new(now, "check", false, now).unwrap_err().field,
        "at"
    );
    assert_eq!(FollowUp::new(at, "", false, now).unwrap_err().field, "note");
}
