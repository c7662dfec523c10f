use chrono::TimeDelta;

use super::*;
use crate::domain::complaint::{ComplaintDraft, NewComplaint};
use crate::domain::lifecycle::{Move, apply};
use crate::domain::{CompensationKind, Resolution};

/// Monday 2026-03-02 09:00 in Shanghai: a working day starts.
fn monday_nine() -> DateTime<Utc> {
    "2026-03-02T01:00:00Z".parse().unwrap()
}

fn h(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

fn m(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// A clock from its facts, relative to `start`.
fn clock(
    start: DateTime<Utc>,
    pauses: &[(TimeDelta, TimeDelta)],
    responded: Option<TimeDelta>,
    resolved: Option<TimeDelta>,
) -> SlaClock {
    SlaClock::from_facts(
        start,
        pauses
            .iter()
            .map(|(from, until)| (start + *from, Some(start + *until)))
            .collect(),
        responded.map(|d| start + d),
        resolved.map(|d| start + d),
    )
    .unwrap()
}

/// A DIAMOND complaint (HIGH: respond 30 min, resolve 24 h, around the clock) on the hotline.
fn diamond(clocks: Vec<SlaClock>) -> ReportedComplaint {
    let resolved = clocks.last().is_some_and(SlaClock::is_resolved);
    ReportedComplaint {
        channel: Channel::Hotline,
        category: Category::Billing,
        tier: "DIAMOND".into(),
        owner: "E1001".into(),
        resolved,
        gap: resolved.then_some(RootCauseGap::Delivery),
        reopened: clocks.len() > 1,
        handlings: clocks
            .into_iter()
            .map(|clock| Handling {
                clock,
                severity: Severity::High,
            })
            .collect(),
        promises: Vec::new(),
        compensations: Vec::new(),
    }
}

fn report(complaints: &[ReportedComplaint], now: DateTime<Utc>, by: Option<Grouping>) -> SlaReport {
    let (policy, calendar) = (SlaPolicy::default(), BusinessCalendar::default());
    let mut builder = ReportBuilder::new(&policy, &calendar, now, by);
    for c in complaints {
        builder.add(c);
    }
    builder.finish()
}

#[test]
fn nothing_to_measure_is_zero_and_no_groups() {
    let r = report(&[], monday_nine(), Some(Grouping::Channel));
    assert_eq!(r.total.complaints, 0);
    assert_eq!(r.total.on_time_response_rate, 0.0);
    assert_eq!(r.total.on_time_resolution_rate, 0.0);
    assert_eq!(r.total.reopen_rate, 0.0);
    assert_eq!(r.total.promises_kept_rate, 0.0);
    assert_eq!(r.total.business_time_to_resolve_mean, None);
    assert!(r.total.compensation.is_empty() && r.total.gaps.is_empty());
    assert!(r.groups.is_empty());
}

#[test]
fn only_settled_goals_count_toward_the_rates() {
    let now = monday_nine() + h(72);
    let two_days_ago = now - h(48);
    let complaints = [
        // Responded in 10 min, resolved in 5 h: both on time.
        diamond(vec![clock(two_days_ago, &[], Some(m(10)), Some(h(5)))]),
        // Responded after an hour, resolved after 30 h: both late.
        diamond(vec![clock(two_days_ago, &[], Some(h(1)), Some(h(30)))]),
        // Ten minutes old: nothing settled yet.
        diamond(vec![clock(now - m(10), &[], None, None)]),
        // Two hours old and never answered: the response is settled, late; the resolution
        // is not due yet.
        diamond(vec![clock(now - h(2), &[], None, None)]),
    ];
    let r = report(&complaints, now, None);
    assert_eq!(r.total.complaints, 4);
    assert_eq!(r.total.resolved, 2);
    assert!((r.total.on_time_response_rate - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(r.total.on_time_resolution_rate, 0.5);
}

#[test]
fn met_at_the_due_instant_is_on_time_and_unmet_then_is_late() {
    let start = monday_nine();
    let on_the_dot = diamond(vec![clock(start, &[], Some(m(30)), Some(h(24)))]);
    let r = report(&[on_the_dot], start + h(30), None);
    assert_eq!(r.total.on_time_response_rate, 1.0);
    assert_eq!(r.total.on_time_resolution_rate, 1.0);

    let quick = diamond(vec![clock(start, &[], Some(m(5)), Some(h(1)))]);
    let waiting = diamond(vec![clock(start, &[], Some(m(5)), None)]);
    let both = [quick, waiting];
    let r = report(&both, start + h(24), None);
    assert_eq!(
        r.total.on_time_resolution_rate, 0.5,
        "due and unmet: settled, late"
    );
    let r = report(&both, start + h(24) - m(1), None);
    assert_eq!(
        r.total.on_time_resolution_rate, 1.0,
        "not due yet: not settled"
    );
    assert_eq!(r.total.on_time_response_rate, 1.0);
}

#[test]
fn paused_time_is_not_held_against_a_handling() {
    let start = monday_nine();
    // 20 h of work, a 10 h wait for the customer, resolved at 30 h: 20 h counted, on time.
    let waited = diamond(vec![clock(
        start,
        &[(h(5), h(15))],
        Some(m(5)),
        Some(h(30)),
    )]);
    let r = report(&[waited], start + h(40), None);
    assert_eq!(r.total.on_time_resolution_rate, 1.0);
}

#[test]
fn time_to_resolve_is_business_time_without_pauses() {
    let start = monday_nine();
    // 09:00-13:00 with an hour's pause: 3 h.
    let morning = diamond(vec![clock(start, &[(h(1), h(2))], Some(m(5)), Some(h(4)))]);
    // Monday 17:00 to Tuesday 10:00: an hour each side of the night, 2 h.
    let overnight = diamond(vec![clock(start + h(8), &[], Some(m(5)), Some(h(17)))]);
    let open = diamond(vec![clock(start, &[], None, None)]);
    let r = report(&[morning, overnight, open], start + h(48), None);
    assert_eq!(r.total.business_time_to_resolve_mean, Some(m(150)));
    assert_eq!(r.total.business_time_to_resolve_p90, Some(h(3)));
}

#[test]
fn mean_and_p90_by_nearest_rank() {
    let mut ten: Vec<TimeDelta> = (1..=10).rev().map(h).collect();
    assert_eq!(mean_and_p90(&mut ten), Some((m(330), h(9))));
    assert_eq!(mean_and_p90(&mut [h(7)]), Some((h(7), h(7))));
    let mut eleven: Vec<TimeDelta> = (1..=11).map(h).collect();
    assert_eq!(mean_and_p90(&mut eleven).map(|(_, p90)| p90), Some(h(10)));
    assert_eq!(mean_and_p90(&mut []), None);
}

fn opened(severity: Severity, at: DateTime<Utc>) -> Complaint {
    let values = NewComplaint {
        customer_id: "c-1".into(),
        channel: Some(Channel::Hall),
        category: Some(Category::Network),
        severity: Some(severity),
        summary: "no signal at home".into(),
        description: String::new(),
        first_contact_owner: "E1001".into(),
    };
    let draft = ComplaintDraft::new(values, at).unwrap();
    Complaint::open("cp-1".into(), draft, "DIAMOND".into(), None)
}

fn resolve() -> Move {
    Move::Resolve {
        resolution: "replaced the card".into(),
        root_cause_gap: Some(RootCauseGap::Delivery),
        cannot_be_solved: None,
    }
}

#[test]
fn earlier_handlings_are_read_back_from_the_lifecycles_own_timeline() {
    let t0 = monday_nine();
    let mut c = opened(Severity::High, t0);
    let steps = [
        (Move::Acknowledge, m(10)),
        (Move::StartWork, m(20)),
        (
            Move::WaitForCustomer {
                reason: "a photo of the bill".into(),
            },
            h(1),
        ),
        (Move::ResumeWork, h(3)),
        (resolve(), h(10)),
        (
            Move::Reopen {
                reason: "charged again".into(),
            },
            h(12),
        ),
        (Move::StartWork, h(13)),
    ];
    for (the_move, after) in steps {
        apply(&mut c, the_move, "E1001", t0 + after).unwrap();
    }
    assert_eq!(c.severity, Severity::Critical);
    let reopen_text = &c.timeline[6].text;
    assert_eq!(severity_before_reopen(reopen_text), Some(Severity::High));

    let mut current = SlaClock::start(t0 + h(12));
    current.respond(t0 + h(13)).unwrap();
    let found = handlings(&current, c.severity, &c.timeline);
    let first = clock(t0, &[(h(1), h(3))], Some(m(10)), Some(h(10)));
    assert_eq!(
        found,
        [
            Handling {
                clock: first,
                severity: Severity::High
            },
            Handling {
                clock: current,
                severity: Severity::Critical
            },
        ]
    );
}

#[test]
fn a_reopened_complaint_is_handled_twice_each_time_at_its_own_severity() {
    let t0 = monday_nine();
    // Resolved at 10 h: on time for HIGH (24 h), late had it been CRITICAL (8 h).
    let mut c = opened(Severity::High, t0);
    for (the_move, after) in [
        (Move::Acknowledge, m(10)),
        (resolve(), h(10)),
        (
            Move::Reopen {
                reason: "charged again".into(),
            },
            h(12),
        ),
    ] {
        apply(&mut c, the_move, "E1001", t0 + after).unwrap();
    }
    let current = SlaClock::start(t0 + h(12));
    let reported = ReportedComplaint::new(&c, &current, &c.timeline, Vec::new(), Vec::new());
    assert!(reported.reopened && !reported.resolved);
    assert_eq!(
        reported.gap, None,
        "the resolution was cleared by the reopen"
    );
    // Two hours into the new clock, unanswered: CRITICAL's 15 minutes to respond are gone.
    let r = report(&[reported], t0 + h(14), None);
    assert_eq!(r.total.complaints, 1);
    assert_eq!(r.total.resolved, 0);
    assert_eq!(r.total.reopen_rate, 1.0);
    assert_eq!(r.total.on_time_response_rate, 0.5);
    assert_eq!(r.total.on_time_resolution_rate, 1.0);
    assert_eq!(r.total.business_time_to_resolve_mean, Some(h(9)));
}

#[test]
fn a_complaint_never_reopened_is_one_handling_on_its_stored_clock() {
    let t0 = monday_nine();
    let c = opened(Severity::Low, t0);
    let stored = clock(t0, &[], Some(m(1)), None);
    let found = handlings(&stored, Severity::Low, &c.timeline);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].clock, stored);
    assert_eq!(severity_before_reopen("plain text, no rise"), None);
}

fn promise(due: DateTime<Utc>, fulfilled: Option<DateTime<Utc>>) -> Promise {
    Promise {
        id: "p".into(),
        text: "call back".into(),
        due_at: due,
        made_by: "E1001".into(),
        made_at: due - h(5),
        fulfilled_at: fulfilled,
    }
}

#[test]
fn promises_kept_is_a_share_of_the_settled_ones() {
    let now = monday_nine() + h(10);
    let mut c = diamond(vec![clock(monday_nine(), &[], None, None)]);
    c.promises = vec![
        promise(now - h(2), Some(now - h(3))), // kept on time
        promise(now - h(2), Some(now - h(1))), // kept late
        promise(now - h(1), None),             // broken
        promise(now + h(1), None),             // not due yet
        promise(now, None),                    // due this instant: not yet broken
    ];
    let r = report(&[c], now, None);
    assert_eq!(r.total.promises, 5);
    assert!((r.total.promises_kept_rate - 1.0 / 3.0).abs() < 1e-9);
}

fn entry(kind: CompensationKind, fen: i64, state: CompensationState) -> Compensation {
    Compensation {
        id: "k".into(),
        kind,
        amount_fen: fen,
        reason: "double charge".into(),
        proposed_by: "E1001".into(),
        proposed_at: monday_nine(),
        state,
        decided_by: None,
        decided_at: None,
    }
}

#[test]
fn compensation_totals_per_kind_in_kind_order_rejected_left_out() {
    use CompensationKind::*;
    use CompensationState::*;
    let mut a = diamond(vec![clock(monday_nine(), &[], None, None)]);
    a.compensations = vec![
        entry(Voucher, 1_000, Approved),
        entry(BillCredit, 2_000, Approved),
        entry(Points, 100, Rejected),
        entry(BillCredit, 500, Proposed),
    ];
    let mut b = a.clone();
    b.compensations = vec![entry(BillCredit, 3_000, Approved)];
    let r = report(&[a, b], monday_nine() + h(1), None);
    let total = |approved_count, approved_fen, proposed_count, proposed_fen| CompensationTotal {
        approved_count,
        approved_fen,
        proposed_count,
        proposed_fen,
    };
    assert_eq!(
        r.total.compensation,
        [
            (BillCredit, total(2, 5_000, 1, 500)),
            (Voucher, total(1, 1_000, 0, 0))
        ]
    );
}

#[test]
fn gaps_count_resolved_complaints_in_gap_order() {
    let start = monday_nine();
    let resolved = |gap| ReportedComplaint {
        gap: Some(gap),
        ..diamond(vec![clock(start, &[], Some(m(1)), Some(h(1)))])
    };
    let complaints = [
        resolved(RootCauseGap::Delivery),
        resolved(RootCauseGap::Knowledge),
        resolved(RootCauseGap::Delivery),
        diamond(vec![clock(start, &[], None, None)]),
    ];
    let r = report(&complaints, start + h(2), None);
    assert_eq!(
        r.total.gaps,
        [(RootCauseGap::Knowledge, 1), (RootCauseGap::Delivery, 2)]
    );
}

#[test]
fn groups_hold_only_their_complaints_in_group_order() {
    let start = monday_nine();
    let base = diamond(vec![clock(start, &[], Some(m(1)), Some(h(1)))]);
    let with = |channel, tier: &str, owner: &str| ReportedComplaint {
        channel,
        tier: tier.into(),
        owner: owner.into(),
        ..base.clone()
    };
    let complaints = [
        with(Channel::Web, "GOLD", "E2"),
        with(Channel::Hall, "DIAMOND", "E1"),
        with(Channel::Web, "STANDARD", "E1"),
    ];
    let now = start + h(2);
    let by_channel = report(&complaints, now, Some(Grouping::Channel));
    let keys: Vec<_> = by_channel
        .groups
        .iter()
        .map(|(k, r)| (k.clone(), r.complaints))
        .collect();
    assert_eq!(
        keys,
        [
            (GroupKey::Channel(Channel::Hall), 1),
            (GroupKey::Channel(Channel::Web), 2)
        ]
    );
    assert_eq!(by_channel.total.complaints, 3);
    let by_tier = report(&complaints, now, Some(Grouping::Tier));
    let tiers: Vec<_> = by_tier.groups.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        tiers,
        ["DIAMOND", "GOLD", "STANDARD"].map(|t| GroupKey::Tier(t.into()))
    );
    let by_owner = report(&complaints, now, Some(Grouping::Owner));
    let owners: Vec<_> = by_owner
        .groups
        .iter()
        .map(|(k, r)| (k.clone(), r.complaints))
        .collect();
    assert_eq!(
        owners,
        [
            (GroupKey::Owner("E1".into()), 2),
            (GroupKey::Owner("E2".into()), 1)
        ]
    );
    assert!(report(&complaints, now, None).groups.is_empty());
}

#[test]
fn each_handling_is_held_to_its_tiers_targets() {
    let start = monday_nine();
    // Resolved in 35 working hours on the business clock: within STANDARD HIGH's 36 h,
    // beyond DIAMOND HIGH's 24 h around the clock.
    let slow = clock(start, &[], Some(m(1)), Some(h(24 * 3 + 8)));
    let standard = ReportedComplaint {
        tier: "STANDARD".into(),
        ..diamond(vec![slow.clone()])
    };
    let unknown_tier = ReportedComplaint {
        tier: "BRONZE".into(),
        ..diamond(vec![slow.clone()])
    };
    let now = start + h(100);
    assert_eq!(
        report(&[standard], now, None).total.on_time_resolution_rate,
        1.0
    );
    assert_eq!(
        report(&[unknown_tier], now, None)
            .total
            .on_time_resolution_rate,
        1.0,
        "a tier without targets is held to the default tier's"
    );
    assert_eq!(
        report(&[diamond(vec![slow])], now, None)
            .total
            .on_time_resolution_rate,
        0.0
    );
}

#[test]
fn a_complaint_shows_its_gap_only_while_resolved() {
    let t0 = monday_nine();
    let mut c = opened(Severity::Medium, t0);
    c.state = ComplaintState::Closed;
    c.resolution = Some(Resolution {
        text: "refunded".into(),
        root_cause_gap: RootCauseGap::Communication,
        cannot_be_solved: None,
        resolved_by: "E1001".into(),
        resolved_at: t0 + h(1),
    });
    let stored = clock(t0, &[], Some(h(1)), Some(h(1)));
    let r = ReportedComplaint::new(&c, &stored, &[], Vec::new(), Vec::new());
    assert!(r.resolved && !r.reopened);
    assert_eq!(r.gap, Some(RootCauseGap::Communication));
    assert_eq!((r.tier.as_str(), r.owner.as_str()), ("DIAMOND", "E1001"));
}

#[test]
fn a_resolution_that_comes_first_is_the_response() {
    let start = monday_nine();
    // Solved on the spot at first contact, in 20 minutes: no acknowledgement recorded.
    let on_the_spot = diamond(vec![clock(start, &[], None, Some(m(20)))]);
    let r = report(&[on_the_spot], start + h(5), None);
    assert_eq!(r.total.on_time_response_rate, 1.0);
    assert_eq!(r.total.on_time_resolution_rate, 1.0);
    // Resolved after two hours unanswered: the response came late, with the resolution.
    let late = diamond(vec![clock(start, &[], None, Some(h(2)))]);
    let r = report(&[late], start + h(5), None);
    assert_eq!(r.total.on_time_response_rate, 0.0);
    assert_eq!(r.total.on_time_resolution_rate, 1.0);
}
