use chrono::{DateTime, Utc};

use super::*;
use crate::domain::{CompensationKind, CompensationLimits, CompensationState};

fn now() -> DateTime<Utc> {
    "2026-06-15T04:00:00Z".parse().unwrap()
}

fn fields(violations: Vec<Violation>) -> Vec<String> {
    violations.into_iter().map(|v| v.field).collect()
}

fn proposing(amount_fen: i64) -> pb::ProposeCompensationRequest {
    pb::ProposeCompensationRequest {
        complaint_id: "c-1".into(),
        kind: pb::CompensationKind::BillCredit as i32,
        amount_fen,
        reason: "多扣话费,致歉补偿".into(),
        proposed_by: "E1001".into(),
        request_id: String::new(),
        expected_version: 0,
    }
}

#[test]
fn a_proposal_carries_its_values() {
    let asked = proposal_from_proto(proposing(3_000)).unwrap();
    assert_eq!(asked.complaint_id, "c-1");
    assert_eq!(asked.expected_version, None);
    assert_eq!(
        asked.values,
        ProposedCompensation {
            kind: CompensationKind::BillCredit,
            amount_fen: 3_000,
            reason: "多扣话费,致歉补偿".into(),
            proposed_by: "E1001".into(),
        }
    );
}

#[test]
fn an_amount_over_the_maximum_or_not_positive_is_refused_on_amount_fen() {
    assert!(proposal_from_proto(proposing(MAX_AMOUNT_FEN)).is_ok());
    for refused in [MAX_AMOUNT_FEN + 1, 0, -5] {
        let found = proposal_from_proto(proposing(refused)).unwrap_err();
        assert_eq!(fields(found), ["amount_fen"], "{refused} fen");
    }
}

#[test]
fn every_refused_field_of_a_proposal_is_named() {
    let request = pb::ProposeCompensationRequest {
        complaint_id: "c-1".into(),
        kind: 0,
        amount_fen: 0,
        reason: String::new(),
        proposed_by: String::new(),
        request_id: String::new(),
        expected_version: -2,
    };
    assert_eq!(
        fields(proposal_from_proto(request).unwrap_err()),
        [
            "kind",
            "amount_fen",
            "reason",
            "proposed_by",
            "expected_version"
        ]
    );
    let unknown_kind = pb::ProposeCompensationRequest {
        kind: 99,
        ..proposing(100)
    };
    assert_eq!(
        fields(proposal_from_proto(unknown_kind).unwrap_err()),
        ["kind"]
    );
}

#[test]
fn decisions_name_who_decides() {
    let approval = approval_from_proto(pb::ApproveCompensationRequest {
        compensation_id: "k-1".into(),
        approved_by: "S200".into(),
        request_id: String::new(),
    })
    .unwrap();
    assert_eq!((approval.by.as_str(), approval.reason), ("S200", None));
    let refused = approval_from_proto(pb::ApproveCompensationRequest {
        compensation_id: String::new(),
        approved_by: String::new(),
        request_id: String::new(),
    })
    .unwrap_err();
    assert_eq!(fields(refused), ["compensation_id", "approved_by"]);

    let rejection = pb::RejectCompensationRequest {
        compensation_id: "k-1".into(),
        rejected_by: "E1001".into(),
        reason: String::new(),
        request_id: String::new(),
    };
    assert_eq!(
        rejection_from_proto(rejection.clone()).unwrap().reason,
        None
    );
    let with_reason = rejection_from_proto(pb::RejectCompensationRequest {
        reason: "金额算错,重新提".into(),
        ..rejection.clone()
    })
    .unwrap();
    assert_eq!(with_reason.reason.as_deref(), Some("金额算错,重新提"));
    let refused = rejection_from_proto(pb::RejectCompensationRequest {
        reason: "x".repeat(501),
        rejected_by: "E 1001".into(),
        ..rejection
    })
    .unwrap_err();
    assert_eq!(fields(refused), ["rejected_by", "reason"]);
}

#[test]
fn an_entry_shows_how_it_was_decided() {
    let limits = CompensationLimits::default();
    let values = |amount_fen| ProposedCompensation {
        kind: CompensationKind::Points,
        amount_fen,
        reason: "致歉积分".into(),
        proposed_by: "E1001".into(),
    };
    let automatic =
        Compensation::propose("k-1".into(), values(1_000), "GOLD", &limits, now()).unwrap();
    let shown = compensation_to_proto(&LedgerEntry {
        complaint_id: "c-1".into(),
        compensation: automatic,
        rejection_reason: None,
    });
    assert_eq!(shown.state, pb::CompensationState::Approved as i32);
    assert_eq!(shown.kind, pb::CompensationKind::Points as i32);
    assert!(shown.auto_approved);
    assert_eq!(shown.decided_by, "");
    assert_eq!(shown.decided_at, Some(timestamp(now())));
    assert_eq!(shown.complaint_id, "c-1");

    let mut rejected =
        Compensation::propose("k-2".into(), values(9_000), "GOLD", &limits, now()).unwrap();
    assert_eq!(rejected.state, CompensationState::Proposed);
    rejected.reject("S200", now()).unwrap();
    let shown = compensation_to_proto(&LedgerEntry {
        complaint_id: "c-1".into(),
        compensation: rejected,
        rejection_reason: Some("超出标准".into()),
    });
    assert_eq!(shown.state, pb::CompensationState::Rejected as i32);
    assert!(!shown.auto_approved);
    assert_eq!(shown.decided_by, "S200");
    assert_eq!(shown.rejection_reason, "超出标准");
    assert_eq!(shown.amount_fen, 9_000);
    assert_eq!(shown.proposed_at, Some(timestamp(now())));
}
