use vipcare_proto::complaint::v1::ComplaintState;
use vipcare_proto::gateway::v1::OpenComplaint;
use vipcare_proto::reminder::v1::ReminderState;
use vipcare_proto::survey::v1::Satisfaction;
use vipcare_proto::tiering::v1::{BenefitBalance, CustomerTier, RiskReason};

use super::*;

fn customer() -> Customer {
    Customer {
        customer_id: "c-1".into(),
        name: "张**".into(),
        ..Customer::default()
    }
}

fn note(id: usize) -> ServiceNote {
    ServiceNote {
        note_id: format!("n-{id}"),
        ..ServiceNote::default()
    }
}

fn gold() -> TierSection {
    TierSection {
        tier: CustomerTier {
            customer_id: "c-1".into(),
            tier: "GOLD".into(),
            display_name: "金卡".into(),
            ..CustomerTier::default()
        },
        benefits: vec![BenefitBalance {
            code: "airport_lounge".into(),
            quota: 2,
            remaining: 2,
            ..BenefitBalance::default()
        }],
    }
}

fn risk() -> ChurnRisk {
    ChurnRisk {
        score: 0.4,
        reasons: vec![RiskReason {
            code: "SPEND_DECLINE".into(),
            ..RiskReason::default()
        }],
        at_risk: false,
    }
}

fn upcoming(id: usize) -> UpcomingReminder {
    UpcomingReminder {
        reminder_id: format!("r-{id}"),
        state: ReminderState::Scheduled as i32,
        ..UpcomingReminder::default()
    }
}

fn two_open() -> OpenComplaints {
    OpenComplaints {
        count: 2,
        overdue: 1,
        latest: Some(OpenComplaint {
            complaint_id: "k-2".into(),
            state: ComplaintState::InProgress as i32,
            ..OpenComplaint::default()
        }),
    }
}

fn unhappy() -> Satisfaction {
    Satisfaction {
        customer_id: "c-1".into(),
        peak_end: Some(1.5),
        nps: Some(3),
        scenario_code: "PHONE_SMS".into(),
        ..Satisfaction::default()
    }
}

fn down(service: &'static str) -> GatewayError {
    GatewayError::Unavailable(service)
}

fn all_answered() -> Sections {
    Sections {
        customer: Ok(customer()),
        value: Ok(ValueSummary {
            arpu_3m_fen: 12_800,
            ..ValueSummary::default()
        }),
        recent_notes: Ok((0..7).map(note).collect()),
        tier: Ok(gold()),
        churn_risk: Ok(risk()),
        next_reminders: Ok((0..3).map(upcoming).collect()),
        complaints: Ok(two_open()),
        satisfaction: Ok(Some(unhappy())),
    }
}

#[test]
fn a_full_answer_makes_a_complete_view_with_at_most_five_notes() {
    let composed = assemble(all_answered(), SystemTime::UNIX_EPOCH).unwrap();
    assert!(composed.complete);
    let view = composed.view;
    assert_eq!(view.customer.unwrap().name, "张**");
    assert_eq!(view.value.unwrap().arpu_3m_fen, 12_800);
    let ids: Vec<_> = view
        .recent_notes
        .iter()
        .map(|n| n.note_id.as_str())
        .collect();
    assert_eq!(ids, ["n-0", "n-1", "n-2", "n-3", "n-4"]);
    assert_eq!(view.tier.unwrap().tier, "GOLD");
    assert_eq!(view.benefits[0].code, "airport_lounge");
    assert_eq!(view.churn_risk.unwrap().reasons[0].code, "SPEND_DECLINE");
    let next: Vec<_> = view
        .next_reminders
        .iter()
        .map(|r| r.reminder_id.as_str())
        .collect();
    assert_eq!(next, ["r-0", "r-1", "r-2"], "in the service's order");
    assert_eq!(view.complaints, Some(two_open()));
    assert_eq!(view.satisfaction, Some(unhappy()));
    assert!(view.unavailable_sections.is_empty());
    assert!(view.compose_time.is_some());
}

#[test]
fn failed_sections_are_named_and_the_view_is_not_complete() {
    let composed = assemble(
        Sections {
            value: Err(down("profile")),
            recent_notes: Err(down("profile")),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(!composed.complete);
    assert_eq!(
        composed.view.unavailable_sections,
        ["value", "recent_notes"]
    );
    assert!(composed.view.value.is_none());
    assert!(composed.view.customer.is_some());
    assert!(composed.view.tier.is_some());
}

#[test]
fn without_tiering_the_tier_benefits_and_risk_are_empty_and_named() {
    let composed = assemble(
        Sections {
            tier: Err(down("tiering")),
            churn_risk: Err(GatewayError::DeadlineExceeded("tiering")),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        !composed.complete,
        "a view without its tier is never cached"
    );
    let view = composed.view;
    assert_eq!(view.unavailable_sections, ["tier", "churn_risk"]);
    assert!(view.tier.is_none());
    assert!(view.benefits.is_empty());
    assert!(view.churn_risk.is_none());
    assert_eq!(view.value.unwrap().arpu_3m_fen, 12_800);
}

#[test]
fn without_the_reminder_service_the_next_reminders_are_empty_and_named() {
    let composed = assemble(
        Sections {
            next_reminders: Err(GatewayError::DeadlineExceeded("reminder")),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        !composed.complete,
        "a view without its reminders is never cached"
    );
    let view = composed.view;
    assert_eq!(view.unavailable_sections, ["next_reminders"]);
    assert!(view.next_reminders.is_empty());
    assert!(view.tier.is_some() && view.value.is_some());
}

#[test]
fn at_most_five_next_reminders_are_shown() {
    let composed = assemble(
        Sections {
            next_reminders: Ok((0..8).map(upcoming).collect()),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    let ids: Vec<_> = composed
        .view
        .next_reminders
        .iter()
        .map(|r| r.reminder_id.clone())
        .collect();
    assert_eq!(ids, ["r-0", "r-1", "r-2", "r-3", "r-4"]);
}

#[test]
fn without_the_customer_there_is_no_view() {
    let result = assemble(
        Sections {
            customer: Err(down("profile")),
            ..all_answered()
        },
        SystemTime::now(),
    );
    assert!(matches!(result, Err(GatewayError::Unavailable("profile"))));
}

#[test]
fn without_the_complaint_service_the_complaints_are_unset_and_named() {
    let composed = assemble(
        Sections {
            complaints: Err(GatewayError::DeadlineExceeded("complaint")),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        !composed.complete,
        "a view without its complaints is never cached"
    );
    let view = composed.view;
    assert_eq!(view.unavailable_sections, ["complaints"]);
    assert!(view.complaints.is_none());
    assert!(!view.next_reminders.is_empty() && view.tier.is_some());
}

#[test]
fn no_open_complaint_is_a_section_with_a_count_of_zero() {
    let composed = assemble(
        Sections {
            complaints: Ok(OpenComplaints::default()),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(composed.complete);
    let shown = composed.view.complaints.expect("the section, though empty");
    assert_eq!((shown.count, shown.overdue), (0, 0));
    assert!(shown.latest.is_none());
}

#[test]
fn a_customer_who_never_answered_a_survey_has_a_complete_view_without_satisfaction() {
    let composed = assemble(
        Sections {
            satisfaction: Ok(None),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        composed.complete,
        "nothing is missing: there is nothing to show"
    );
    assert!(composed.view.satisfaction.is_none());
    assert!(composed.view.unavailable_sections.is_empty());
}

#[test]
fn without_the_survey_service_the_satisfaction_is_unset_and_named() {
    let composed = assemble(
        Sections {
            satisfaction: Err(down("survey")),
            ..all_answered()
        },
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        !composed.complete,
        "a view without its satisfaction is never cached"
    );
    assert_eq!(composed.view.unavailable_sections, ["satisfaction"]);
    assert!(composed.view.satisfaction.is_none());
    assert!(composed.view.complaints.is_some());
}
