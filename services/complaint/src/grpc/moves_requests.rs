//! The move requests to the domain's `Move`, every field destructured and checked, every
//! refused one named as the contract spells it (so a handler fixes them all at once).
//!
//! The checks are the domain's own (`domain::text`, the same limits): the domain checks again
//! when it makes the move, but it stops at the first refusal, and the contract names them all.
//! Contract and domain words differ in one place: the contract's `explanation` (set only when
//! the complaint cannot be solved) is the domain's `cannot_be_solved`.

use vipcare_domain::{Invalid, Violation};
use vipcare_proto::complaint::v1 as pb;

use crate::domain::text::{
    MAX_NOTE_CHARS, MAX_REASON_CHARS, party_id, required_line, required_multiline,
};
use crate::domain::{Move, MoveName};
use crate::grpc::convert::codes::{action_from_proto, gap_from_proto, required};
use crate::handling::Asked;

/// A move request: its request_id and what it asks.
pub(super) type Call = (String, Asked);

/// The violations found so far.
#[derive(Default)]
struct Found(Vec<Violation>);

impl Found {
    fn check<T>(&mut self, field: &str, checked: Result<T, Invalid>) -> Option<T> {
        checked.map_err(|e| self.0.push(e.at(field))).ok()
    }

    fn violation<T>(&mut self, checked: Result<T, Violation>) -> Option<T> {
        checked.map_err(|v| self.0.push(v)).ok()
    }

    /// What was asked: `the_move` when nothing was refused.
    fn asked(
        mut self,
        complaint_id: &str,
        expected_version: i64,
        actor: &str,
        name: MoveName,
        the_move: Option<Move>,
    ) -> Asked {
        self.check("actor", party_id(actor));
        let expected_version = u64::try_from(expected_version).unwrap_or_else(|_| {
            self.0
                .push(Invalid::new("must not be negative").at("expected_version"));
            0
        });
        let the_move = match the_move {
            Some(the_move) if self.0.is_empty() => Ok(the_move),
            _ => Err(self.0),
        };
        Asked {
            complaint_id: complaint_id.to_owned(),
            expected_version,
            actor: actor.to_owned(),
            name,
            the_move,
        }
    }
}

pub(super) fn acknowledge(r: &pb::AcknowledgeComplaintRequest) -> Call {
    let pb::AcknowledgeComplaintRequest {
        complaint_id,
        actor,
        request_id,
        expected_version,
    } = r;
    let asked = Found::default().asked(
        complaint_id,
        *expected_version,
        actor,
        MoveName::Acknowledge,
        Some(Move::Acknowledge),
    );
    (request_id.clone(), asked)
}

pub(super) fn start_work(r: &pb::StartWorkRequest) -> Call {
    let pb::StartWorkRequest {
        complaint_id,
        actor,
        request_id,
        expected_version,
    } = r;
    let the_move = Some(Move::StartWork);
    let asked = Found::default().asked(
        complaint_id,
        *expected_version,
        actor,
        MoveName::StartWork,
        the_move,
    );
    (request_id.clone(), asked)
}

pub(super) fn wait_for_customer(r: &pb::WaitForCustomerRequest) -> Call {
    let pb::WaitForCustomerRequest {
        complaint_id,
        actor,
        reason,
        request_id,
        expected_version,
    } = r;
    let mut found = Found::default();
    let reason = found.check("reason", required_line(reason, MAX_REASON_CHARS));
    let the_move = reason.map(|reason| Move::WaitForCustomer { reason });
    let name = MoveName::WaitForCustomer;
    let asked = found.asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

pub(super) fn resume_work(r: &pb::ResumeWorkRequest) -> Call {
    let pb::ResumeWorkRequest {
        complaint_id,
        actor,
        request_id,
        expected_version,
    } = r;
    let the_move = Some(Move::ResumeWork);
    let asked = Found::default().asked(
        complaint_id,
        *expected_version,
        actor,
        MoveName::ResumeWork,
        the_move,
    );
    (request_id.clone(), asked)
}

pub(super) fn add_action(r: &pb::AddActionRequest) -> Call {
    let pb::AddActionRequest {
        complaint_id,
        actor,
        kind,
        text,
        request_id,
        expected_version,
    } = r;
    let mut found = Found::default();
    let kind = found.violation(required(action_from_proto(*kind), "kind"));
    let text = found.check("text", required_multiline(text, MAX_NOTE_CHARS));
    let the_move = kind
        .zip(text)
        .map(|(kind, text)| Move::AddAction { kind, text });
    let name = MoveName::AddAction;
    let asked = found.asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

pub(super) fn transfer(r: &pb::TransferComplaintRequest) -> Call {
    let pb::TransferComplaintRequest {
        complaint_id,
        actor,
        to_handler,
        reason,
        request_id,
        expected_version,
    } = r;
    let mut found = Found::default();
    let to_handler = found.check("to_handler", party_id(to_handler));
    let reason = found.check("reason", required_line(reason, MAX_REASON_CHARS));
    let the_move = to_handler
        .zip(reason)
        .map(|(to_handler, reason)| Move::Transfer { to_handler, reason });
    let name = MoveName::Transfer;
    let asked = found.asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

pub(super) fn resolve(r: &pb::ResolveComplaintRequest) -> Call {
    let pb::ResolveComplaintRequest {
        complaint_id,
        actor,
        resolution,
        root_cause_gap,
        explanation,
        request_id,
        expected_version,
    } = r;
    let mut found = Found::default();
    let resolution = found.check("resolution", required_multiline(resolution, MAX_NOTE_CHARS));
    let gap = found.violation(required(gap_from_proto(*root_cause_gap), "root_cause_gap"));
    // An explanation is given only for what cannot be solved: its presence says so.
    let cannot_be_solved = if explanation.is_empty() {
        Some(None)
    } else {
        let checked = required_multiline(explanation, MAX_NOTE_CHARS);
        found.check("explanation", checked).map(Some)
    };
    let the_move = match (resolution, gap, cannot_be_solved) {
        (Some(resolution), Some(gap), Some(cannot_be_solved)) => Some(Move::Resolve {
            resolution,
            root_cause_gap: Some(gap),
            cannot_be_solved,
        }),
        _ => None,
    };
    let name = MoveName::Resolve;
    let asked = found.asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

pub(super) fn confirm_resolution(r: &pb::ConfirmResolutionRequest) -> Call {
    let pb::ConfirmResolutionRequest {
        complaint_id,
        actor,
        request_id,
        expected_version,
    } = r;
    let the_move = Some(Move::ConfirmResolution);
    let name = MoveName::ConfirmResolution;
    let asked = Found::default().asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

pub(super) fn close(r: &pb::CloseComplaintRequest) -> Call {
    let pb::CloseComplaintRequest {
        complaint_id,
        actor,
        request_id,
        expected_version,
    } = r;
    // Staff close by hand; the automatic close is the service's own (see `sweep`).
    let the_move = Some(Move::Close { automatic: false });
    let name = MoveName::Close;
    let asked = Found::default().asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

pub(super) fn reopen(r: &pb::ReopenComplaintRequest) -> Call {
    let pb::ReopenComplaintRequest {
        complaint_id,
        actor,
        reason,
        request_id,
        expected_version,
    } = r;
    let mut found = Found::default();
    let reason = found.check("reason", required_line(reason, MAX_REASON_CHARS));
    let the_move = reason.map(|reason| Move::Reopen { reason });
    let name = MoveName::Reopen;
    let asked = found.asked(complaint_id, *expected_version, actor, name, the_move);
    (request_id.clone(), asked)
}

/// The domain names the explanation `cannot_be_solved`; the contract, `explanation`.
pub(super) fn contract_field(mut violation: Violation) -> Violation {
    if violation.field == "cannot_be_solved" {
        violation.field = "explanation".to_owned();
    }
    violation
}
