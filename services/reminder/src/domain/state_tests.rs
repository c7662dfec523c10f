use super::*;
use ReminderState::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn codes_are_stable_and_round_trip() {
    let codes: Vec<_> = ReminderState::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        codes,
        [
            "SCHEDULED",
            "DEFERRED",
            "DISPATCHING",
            "SENT",
            "DELIVERED",
            "EXPIRED",
            "CANCELLED",
            "SUPERSEDED",
            "SUPPRESSED",
            "FAILED"
        ]
    );
    for s in ReminderState::ALL {
        assert_eq!(ReminderState::from_code(s.code()), Some(*s));
    }
    for r in Reason::ALL {
        assert_eq!(Reason::from_code(r.code()), Some(*r));
    }
}

#[test]
fn ends_are_final_and_only_waiting_reminders_may_be_cancelled() {
    let ends: Vec<_> = ReminderState::ALL.iter().filter(|s| s.is_end()).collect();
    assert_eq!(
        ends,
        [
            &Delivered,
            &Expired,
            &Cancelled,
            &Superseded,
            &Suppressed,
            &Failed
        ]
    );
    for end in ends {
        assert!(end.next_states().is_empty());
        assert!(!end.may_cancel());
    }
    let cancellable: Vec<_> = ReminderState::ALL
        .iter()
        .filter(|s| s.may_cancel())
        .collect();
    assert_eq!(cancellable, [&Scheduled, &Deferred]);
    for s in [Scheduled, Deferred] {
        assert!(s.may_move_to(Cancelled) && s.may_move_to(Superseded));
    }
}

#[test]
fn every_reason_leads_somewhere_reachable() {
    for r in Reason::ALL {
        let reachable = ReminderState::ALL
            .iter()
            .any(|from| from.next_states().iter().any(|to| r.leads_to(*to)));
        assert!(
            reachable || *r == Reason::Created,
            "{} leads nowhere",
            r.code()
        );
    }
}

#[test]
fn the_happy_path_is_recorded_with_times_and_reasons() {
    let mut history = vec![created(t("2024-05-01T09:00:00Z"), Some("account opened"))];
    let steps = [
        (Deferred, "2024-05-01T14:00:00Z", Reason::QuietHours),
        (Dispatching, "2024-05-02T00:00:05Z", Reason::Due),
        (Sent, "2024-05-02T00:00:06Z", Reason::ProviderAccepted),
        (Delivered, "2024-05-02T00:00:09Z", Reason::DeliveryReceipt),
    ];
    for (to, at, reason) in steps {
        let from = history.last().unwrap().to;
        history.push(move_to(from, to, t(at), reason, None).unwrap());
    }
    assert_eq!(history[0].from, None);
    assert_eq!(history[0].detail.as_deref(), Some("account opened"));
    assert_eq!(history[2].from, Some(Deferred));
    assert_eq!(history[4].to, Delivered);
    assert_eq!(history[4].at, t("2024-05-02T00:00:09Z"));
}

#[test]
fn retries_and_fallbacks_go_back_to_waiting() {
    let at = t("2024-05-02T00:10:00Z");
    for reason in [Reason::Retry, Reason::NextChannel] {
        assert!(move_to(Sent, Scheduled, at, reason, Some("sms → app_push")).is_ok());
    }
    assert!(
        move_to(
            Dispatching,
            Scheduled,
            at,
            Reason::ProviderUnavailable,
            None
        )
        .is_ok()
    );
    assert!(move_to(Dispatching, Dispatching, at, Reason::LeaseTakenOver, None).is_ok());
    assert!(move_to(Deferred, Deferred, at, Reason::DailyCap, None).is_ok());
    assert!(move_to(Sent, Failed, at, Reason::AllChannelsFailed, None).is_ok());
    assert!(move_to(Sent, Failed, at, Reason::DeadlinePassed, None).is_ok());
    // A late receipt for an earlier attempt while the retry waits.
    assert!(move_to(Scheduled, Delivered, at, Reason::DeliveryReceipt, None).is_ok());
}

#[test]
fn illegal_moves_are_refused_with_what_was_asked() {
    let at = t("2024-05-02T00:10:00Z");
    let err = move_to(Sent, Cancelled, at, Reason::CancelRequested, None).unwrap_err();
    assert_eq!(
        err,
        IllegalMove {
            from: Sent,
            to: Cancelled,
            reason: Reason::CancelRequested
        }
    );
    assert_eq!(
        err.to_string(),
        "a SENT reminder cannot become CANCELLED (CANCEL_REQUESTED)"
    );
    // Out of an end, into the wrong state for the reason, or skipping the send.
    assert!(move_to(Delivered, Scheduled, at, Reason::Retry, None).is_err());
    assert!(move_to(Expired, Dispatching, at, Reason::Due, None).is_err());
    assert!(move_to(Scheduled, Expired, at, Reason::OptedOut, None).is_err());
    assert!(move_to(Scheduled, Sent, at, Reason::ProviderAccepted, None).is_err());
    assert!(move_to(Dispatching, Cancelled, at, Reason::CancelRequested, None).is_err());
    assert!(move_to(Scheduled, Scheduled, at, Reason::Created, None).is_err());
    assert!(move_to(Scheduled, Expired, at, Reason::QuietHoursPastDeadline, None).is_ok());
    assert!(move_to(Scheduled, Failed, at, Reason::DeadlinePassed, None).is_err());
}

#[test]
fn details_are_clipped_and_cleaned() {
    let at = t("2024-05-02T00:10:00Z");
    let long = format!("provider said:\n{}\u{202E}", "x".repeat(600));
    let change = move_to(Sent, Scheduled, at, Reason::Retry, Some(&long)).unwrap();
    let detail = change.detail.unwrap();
    assert_eq!(detail.chars().count(), DETAIL_MAX_CHARS);
    assert!(detail.starts_with("provider said: x"));
    assert!(!detail.contains('\u{202E}'));
}
