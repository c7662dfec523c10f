use chrono::TimeDelta;

use super::*;
use crate::domain::{Category, Channel, Complaint, ComplaintDraft, NewComplaint, Severity};

fn at(minutes: i64) -> DateTime<Utc> {
    let start: DateTime<Utc> = "2026-06-15T04:00:00Z".parse().unwrap();
    start + TimeDelta::minutes(minutes)
}

fn stored() -> StoredComplaint {
    let values = NewComplaint {
        customer_id: "cust-1".into(),
        channel: Some(Channel::Hotline),
        category: Some(Category::Billing),
        severity: Some(Severity::Medium),
        summary: "多扣费".into(),
        description: String::new(),
        first_contact_owner: "E1001".into(),
    };
    let draft = ComplaintDraft::new(values, at(0)).unwrap();
    StoredComplaint {
        complaint: Complaint::open("C1".into(), draft, "GOLD".into(), None),
        clock: SlaClock::start(at(0)),
        pause_reasons: Vec::new(),
        schedule: Schedule::default(),
        update_time: at(0),
    }
}

fn effects(from: ComplaintState, clocks: ClockEffect) -> Effects {
    Effects {
        from,
        to: from,
        clocks,
        notify_customer: None,
        invite_to_survey: false,
        notify_handler: None,
    }
}

fn entry(text: &str) -> TimelineEntry {
    TimelineEntry {
        at: at(0),
        actor: "E1001".into(),
        kind: crate::domain::EntryKind::Note,
        text: text.into(),
    }
}

#[test]
fn a_pause_keeps_what_was_awaited_and_a_resume_ends_it() {
    let mut s = stored();
    let pause = effects(ComplaintState::InProgress, ClockEffect::Pause);
    carry_to_clock(
        &mut s,
        &pause,
        MoveName::WaitForCustomer,
        &entry("截图"),
        at(10),
    )
    .unwrap();
    assert!(s.clock.is_paused());
    assert_eq!(s.pause_reasons, ["截图"]);
    let resume = effects(ComplaintState::WaitingCustomer, ClockEffect::Resume);
    carry_to_clock(&mut s, &resume, MoveName::ResumeWork, &entry("-"), at(40)).unwrap();
    assert_eq!(s.clock.pauses(), [(at(10), Some(at(40)))]);
}

#[test]
fn the_response_is_the_acknowledgement_the_start_after_a_reopen_or_the_resolution() {
    let mut s = stored();
    let none = effects(ComplaintState::Open, ClockEffect::Unchanged);
    carry_to_clock(&mut s, &none, MoveName::Acknowledge, &entry("-"), at(5)).unwrap();
    assert_eq!(s.clock.responded_at(), Some(at(5)));

    let restart = effects(ComplaintState::Closed, ClockEffect::Restart);
    carry_to_clock(&mut s, &restart, MoveName::Reopen, &entry("-"), at(60)).unwrap();
    assert_eq!(
        (s.clock.started_at(), s.clock.responded_at()),
        (at(60), None)
    );
    let start = effects(ComplaintState::Reopened, ClockEffect::Unchanged);
    carry_to_clock(&mut s, &start, MoveName::StartWork, &entry("-"), at(70)).unwrap();
    assert_eq!(s.clock.responded_at(), Some(at(70)));

    let mut fresh = stored();
    let stop = effects(ComplaintState::Open, ClockEffect::Stop);
    carry_to_clock(&mut fresh, &stop, MoveName::Resolve, &entry("-"), at(20)).unwrap();
    assert_eq!(fresh.clock.responded_at(), Some(at(20)));
    assert_eq!(fresh.clock.resolved_at(), Some(at(20)));
}

#[test]
fn a_host_a_moment_behind_records_at_the_last_fact_instead_of_failing() {
    let mut s = stored();
    let pause = effects(ComplaintState::InProgress, ClockEffect::Pause);
    carry_to_clock(
        &mut s,
        &pause,
        MoveName::WaitForCustomer,
        &entry("x"),
        at(10),
    )
    .unwrap();
    let resume = effects(ComplaintState::WaitingCustomer, ClockEffect::Resume);
    carry_to_clock(&mut s, &resume, MoveName::ResumeWork, &entry("-"), at(9)).unwrap();
    assert_eq!(s.clock.pauses(), [(at(10), Some(at(10)))]);
}
