use super::*;
use crate::domain::codes::{Category, Channel, Severity};
use crate::domain::complaint::{ComplaintDraft, EntryKind, NewComplaint};
use ComplaintState::*;
use chrono::TimeDelta;

#[path = "lifecycle_proptests.rs"]
mod proptests;

const OWNER: &str = "staff-li";

fn t0() -> DateTime<Utc> {
    "2024-06-05T02:00:00Z".parse().unwrap()
}

fn opened() -> Complaint {
    let values = NewComplaint {
        customer_id: "c-1001".into(),
        channel: Some(Channel::Hall),
        category: Some(Category::Network),
        severity: Some(Severity::Medium),
        summary: "no signal at home since Monday".into(),
        description: String::new(),
        first_contact_owner: OWNER.into(),
    };
    let draft = ComplaintDraft::new(values, t0()).unwrap();
    Complaint::open("cp-1".into(), draft, "PLATINUM".into(), None)
}

fn resolve(gap: Option<RootCauseGap>, cannot_be_solved: Option<&str>) -> Move {
    Move::Resolve {
        resolution: "replaced the faulty base-station card".into(),
        root_cause_gap: gap,
        cannot_be_solved: cannot_be_solved.map(str::to_owned),
    }
}

/// A move of each name, with values that are fine.
fn sample(name: MoveName) -> Move {
    match name {
        MoveName::Acknowledge => Move::Acknowledge,
        MoveName::StartWork => Move::StartWork,
        MoveName::WaitForCustomer => Move::WaitForCustomer {
            reason: "need a time for the engineer to visit".into(),
        },
        MoveName::ResumeWork => Move::ResumeWork,
        MoveName::AddAction => Move::AddAction {
            kind: ActionKind::Call,
            text: "called back, signal tested together".into(),
        },
        MoveName::Transfer => Move::Transfer {
            to_handler: "staff-wang".into(),
            reason: "network specialist".into(),
        },
        MoveName::Resolve => resolve(Some(RootCauseGap::Delivery), None),
        MoveName::ConfirmResolution => Move::ConfirmResolution,
        MoveName::Close => Move::Close { automatic: false },
        MoveName::Reopen => Move::Reopen {
            reason: "signal gone again".into(),
        },
    }
}

/// A complaint brought to `state` by legal moves, an hour apart, starting at `t0`.
fn in_state(state: ComplaintState) -> Complaint {
    use MoveName as M;
    let path: &[MoveName] = match state {
        Open => &[],
        Acknowledged => &[M::Acknowledge],
        InProgress => &[M::Acknowledge, M::StartWork],
        WaitingCustomer => &[M::Acknowledge, M::StartWork, M::WaitForCustomer],
        Resolved => &[M::Acknowledge, M::StartWork, M::Resolve],
        Closed => &[
            M::Acknowledge,
            M::StartWork,
            M::Resolve,
            M::ConfirmResolution,
        ],
        Reopened => &[M::Acknowledge, M::StartWork, M::Resolve, M::Reopen],
    };
    let mut c = opened();
    for (i, name) in path.iter().enumerate() {
        let at = t0() + TimeDelta::hours(i as i64 + 1);
        apply(&mut c, sample(*name), OWNER, at).unwrap();
    }
    assert_eq!(c.state, state);
    c
}

fn after(c: &Complaint, delta: TimeDelta) -> DateTime<Utc> {
    c.timeline.last().unwrap().at + delta
}

#[test]
fn exactly_the_legal_moves_are_accepted_from_every_state() {
    let not_closed = [
        Open,
        Acknowledged,
        InProgress,
        WaitingCustomer,
        Resolved,
        Reopened,
    ];
    let unresolved = [Open, Acknowledged, InProgress, WaitingCustomer, Reopened];
    let legal: &[(MoveName, &[ComplaintState])] = &[
        (MoveName::Acknowledge, &[Open]),
        (MoveName::StartWork, &[Acknowledged, Reopened]),
        (MoveName::WaitForCustomer, &[InProgress]),
        (MoveName::ResumeWork, &[WaitingCustomer]),
        (MoveName::AddAction, &not_closed),
        (MoveName::Transfer, &unresolved),
        (MoveName::Resolve, &unresolved),
        (MoveName::ConfirmResolution, &[Resolved]),
        (MoveName::Close, &[Resolved]),
        (MoveName::Reopen, &[Resolved, Closed]),
    ];
    for &from in ComplaintState::ALL {
        for &name in MoveName::ALL {
            let (_, from_states) = legal.iter().find(|(n, _)| *n == name).unwrap();
            let mut c = in_state(from);
            let before = c.clone();
            let at = after(&c, TimeDelta::hours(1));
            let result = apply(&mut c, sample(name), OWNER, at);
            if from_states.contains(&from) {
                let effects = result.unwrap_or_else(|e| panic!("{name:?} from {from:?}: {e}"));
                let to = match name {
                    MoveName::Acknowledge => Acknowledged,
                    MoveName::StartWork | MoveName::ResumeWork => InProgress,
                    MoveName::WaitForCustomer => WaitingCustomer,
                    MoveName::AddAction | MoveName::Transfer => from,
                    MoveName::Resolve => Resolved,
                    MoveName::ConfirmResolution | MoveName::Close => Closed,
                    MoveName::Reopen => Reopened,
                };
                assert_eq!((effects.from, effects.to, c.state), (from, to, to));
                assert_eq!(c.version, before.version + 1);
                assert_eq!(c.timeline.len(), before.timeline.len() + 1);
                assert!(may(from, name));
            } else {
                let move_name = name;
                assert_eq!(
                    result,
                    Err(Refusal::Illegal(IllegalMove { from, move_name })),
                    "{name:?} from {from:?}"
                );
                assert_eq!(c, before, "{name:?} from {from:?} changed the complaint");
                assert!(!may(from, name));
            }
        }
    }
}

#[test]
fn an_illegal_move_says_what_was_asked_of_what() {
    let mut c = in_state(Closed);
    let err = apply(&mut c, Move::Acknowledge, OWNER, t0()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ACKNOWLEDGE is not allowed on a CLOSED complaint"
    );
}

#[test]
fn transfers_change_the_handler_never_the_owner() {
    let mut c = in_state(InProgress);
    let at = after(&c, TimeDelta::minutes(5));
    for to in ["staff-wang", "staff-zhao", OWNER, "staff-wang"] {
        let transfer = Move::Transfer {
            to_handler: to.into(),
            reason: "shift change".into(),
        };
        let effects = apply(&mut c, transfer, "staff-zhou", at).unwrap();
        assert_eq!(effects.notify_handler.as_deref(), Some(to));
        assert_eq!(c.handler, to);
        assert_eq!(c.first_contact_owner, OWNER);
    }
    let last = c.timeline.last().unwrap();
    assert_eq!(last.kind, EntryKind::Transferred);
    assert_eq!(last.text, "staff-li → staff-wang: shift change");
    assert_eq!(last.actor, "staff-zhou");
}

#[test]
fn a_transfer_to_the_current_handler_is_refused_naming_it() {
    let mut c = in_state(Acknowledged);
    let before = c.clone();
    let transfer = Move::Transfer {
        to_handler: OWNER.into(),
        reason: "again".into(),
    };
    let Err(Refusal::Invalid(v)) = apply(&mut c, transfer, OWNER, t0()) else {
        panic!("transfer to the same handler accepted");
    };
    assert_eq!(v.field, "to_handler");
    assert_eq!(c, before);
}

#[test]
fn a_reopen_within_30_days_raises_severity_counts_and_restarts_the_clocks() {
    let mut c = in_state(Closed);
    let resolved_at = c.resolution.as_ref().unwrap().resolved_at;
    let reopen = sample(MoveName::Reopen);
    let effects = apply(&mut c, reopen, "c-1001", resolved_at + REOPEN_WITHIN).unwrap();
    assert!(effects.restarts_clocks());
    assert_eq!(effects.notify_customer, Some(CustomerNotice::Reopened));
    assert_eq!(c.state, Reopened);
    assert_eq!(c.reopen_count, 1);
    assert_eq!(c.severity, Severity::High);
    assert_eq!(c.resolution, None);
    assert_eq!(
        c.timeline.last().unwrap().text,
        "signal gone again (severity MEDIUM → HIGH)"
    );
    // Resolved again and reopened again: one more step, and the window runs from the new
    // resolution.
    let later = resolved_at + TimeDelta::days(45);
    apply(&mut c, sample(MoveName::Resolve), OWNER, later).unwrap();
    apply(
        &mut c,
        sample(MoveName::Reopen),
        OWNER,
        later + TimeDelta::days(1),
    )
    .unwrap();
    assert_eq!((c.reopen_count, c.severity), (2, Severity::Critical));
}

#[test]
fn a_reopen_after_30_days_is_refused_and_changes_nothing() {
    for state in [Resolved, Closed] {
        let mut c = in_state(state);
        let resolved_at = c.resolution.as_ref().unwrap().resolved_at;
        let before = c.clone();
        let late = resolved_at + REOPEN_WITHIN + TimeDelta::seconds(1);
        let refused = apply(&mut c, sample(MoveName::Reopen), OWNER, late).unwrap_err();
        assert_eq!(
            refused,
            Refusal::TooLate {
                move_name: MoveName::Reopen,
                not_after: resolved_at + REOPEN_WITHIN
            }
        );
        assert_eq!(c, before);
    }
}

#[test]
fn the_automatic_close_waits_a_week_after_the_resolution_a_manual_one_does_not() {
    let mut c = in_state(Resolved);
    let resolved_at = c.resolution.as_ref().unwrap().resolved_at;
    let before = c.clone();
    let auto = Move::Close { automatic: true };
    let early = resolved_at + AUTO_CLOSE_AFTER - TimeDelta::seconds(1);
    assert_eq!(
        apply(&mut c, auto.clone(), "system", early),
        Err(Refusal::TooEarly {
            move_name: MoveName::Close,
            not_before: resolved_at + AUTO_CLOSE_AFTER
        })
    );
    assert_eq!(c, before);
    apply(&mut c, auto, "system", resolved_at + AUTO_CLOSE_AFTER).unwrap();
    assert_eq!(c.state, Closed);
    assert_eq!(c.timeline.last().unwrap().kind, EntryKind::AutoClosed);

    let mut c = in_state(Resolved);
    let manual = Move::Close { automatic: false };
    apply(&mut c, manual, OWNER, resolved_at + TimeDelta::minutes(1)).unwrap();
    assert_eq!(c.timeline.last().unwrap().kind, EntryKind::Closed);
}

#[test]
fn a_resolution_needs_its_text_its_gap_and_an_explanation_when_it_cannot_be_solved() {
    let cases = [
        (resolve(None, None), "root_cause_gap"),
        (
            resolve(Some(RootCauseGap::Standard), Some("")),
            "cannot_be_solved",
        ),
        (
            resolve(Some(RootCauseGap::Standard), Some(" \n ")),
            "cannot_be_solved",
        ),
        (
            Move::Resolve {
                resolution: "  ".into(),
                root_cause_gap: Some(RootCauseGap::Knowledge),
                cannot_be_solved: None,
            },
            "resolution",
        ),
    ];
    for (resolve, field) in cases {
        let mut c = in_state(InProgress);
        let before = c.clone();
        let Err(Refusal::Invalid(v)) = apply(&mut c, resolve, OWNER, t0()) else {
            panic!("resolution accepted without {field}");
        };
        assert_eq!(v.field, field);
        assert_eq!(c, before);
    }
}

#[test]
fn a_resolution_stops_the_clocks_tells_the_customer_and_invites_to_the_survey() {
    let mut c = in_state(WaitingCustomer);
    let at = after(&c, TimeDelta::hours(3));
    let explanation = "the area is scheduled for a new mast in Q3";
    let resolve = resolve(Some(RootCauseGap::Standard), Some(explanation));
    let effects = apply(&mut c, resolve, "staff-wang", at).unwrap();
    assert_eq!(effects.clocks, ClockEffect::Stop);
    assert_eq!(effects.notify_customer, Some(CustomerNotice::Result));
    assert!(effects.invite_to_survey);
    let r = c.resolution.as_ref().unwrap();
    assert_eq!(r.root_cause_gap, RootCauseGap::Standard);
    assert_eq!(r.cannot_be_solved.as_deref(), Some(explanation));
    assert_eq!((r.resolved_by.as_str(), r.resolved_at), ("staff-wang", at));
}

#[test]
fn a_first_contact_resolution_goes_straight_from_open() {
    let mut c = opened();
    apply(&mut c, sample(MoveName::Resolve), OWNER, t0()).unwrap();
    apply(&mut c, Move::ConfirmResolution, "c-1001", t0()).unwrap();
    assert_eq!(c.state, Closed);
    let kinds: Vec<_> = c.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EntryKind::Opened, EntryKind::Resolved, EntryKind::Confirmed]
    );
    assert_eq!(c.version, 3);
}

#[test]
fn waiting_for_the_customer_pauses_the_clocks_and_needs_a_reason() {
    let mut c = in_state(InProgress);
    let before = c.clone();
    let blank = Move::WaitForCustomer { reason: " ".into() };
    let Err(Refusal::Invalid(v)) = apply(&mut c, blank, OWNER, t0()) else {
        panic!("waiting without a reason accepted");
    };
    assert_eq!(v.field, "reason");
    assert_eq!(c, before);
    let effects = apply(&mut c, sample(MoveName::WaitForCustomer), OWNER, t0()).unwrap();
    assert_eq!(effects.clocks, ClockEffect::Pause);
    assert_eq!(
        effects.notify_customer,
        Some(CustomerNotice::WaitingForCustomer)
    );
    let effects = apply(&mut c, Move::ResumeWork, OWNER, t0()).unwrap();
    assert_eq!(effects.clocks, ClockEffect::Resume);
}

#[test]
fn actions_are_recorded_by_kind_without_moving_the_state() {
    let mut c = in_state(Resolved);
    for (kind, entry) in [
        (ActionKind::Call, EntryKind::Call),
        (ActionKind::Visit, EntryKind::Visit),
        (ActionKind::Note, EntryKind::Note),
    ] {
        let text = "checked the fix held\nsignal 4 bars".to_owned();
        let effects = apply(&mut c, Move::AddAction { kind, text }, OWNER, t0()).unwrap();
        assert_eq!(
            (effects.to, effects.clocks),
            (Resolved, ClockEffect::Unchanged)
        );
        assert_eq!(c.timeline.last().unwrap().kind, entry);
    }
    let empty = Move::AddAction {
        kind: ActionKind::Note,
        text: String::new(),
    };
    assert!(matches!(
        apply(&mut c, empty, OWNER, t0()),
        Err(Refusal::Invalid(v)) if v.field == "text"
    ));
}

#[test]
fn the_actor_is_required_and_recorded() {
    let mut c = opened();
    let before = c.clone();
    assert!(matches!(
        apply(&mut c, Move::Acknowledge, "", t0()),
        Err(Refusal::Invalid(v)) if v.field == "actor"
    ));
    assert_eq!(c, before);
    let at = t0() + TimeDelta::minutes(2);
    let effects = apply(&mut c, Move::Acknowledge, "staff-zhou", at).unwrap();
    assert_eq!(effects.notify_customer, Some(CustomerNotice::Acknowledged));
    let last = c.timeline.last().unwrap();
    assert_eq!((last.at, last.actor.as_str()), (at, "staff-zhou"));
}
