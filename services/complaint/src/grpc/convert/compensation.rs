//! The compensation ledger between the contract and the domain: proposals, approvals and
//! rejections checked field by field before anything is read, and ledger entries shown as the
//! contract's `Compensation`.

use vipcare_domain::{Invalid, Violation};
use vipcare_proto::complaint::v1 as pb;

use super::codes::{code, compensation_kind_from_proto, required};
use super::fields::{Refusals, expected_version, id, line};
use super::{maybe_timestamp, timestamp};
use crate::domain::compensation::MAX_AMOUNT_FEN;
use crate::domain::{Compensation, ProposedCompensation};
use crate::store::compensations::LedgerEntry;

/// A checked ProposeCompensation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalAsked {
    pub complaint_id: String,
    pub expected_version: Option<u64>,
    pub values: ProposedCompensation,
}

pub fn proposal_from_proto(
    request: pb::ProposeCompensationRequest,
) -> Result<ProposalAsked, Vec<Violation>> {
    let pb::ProposeCompensationRequest {
        complaint_id,
        kind,
        amount_fen,
        reason,
        proposed_by,
        request_id: _,
        expected_version: version,
    } = request;
    let mut refused = Refusals::default();
    let complaint_id = refused.check(id(&complaint_id, "complaint_id"));
    let kind = refused.check(required(compensation_kind_from_proto(kind), "kind"));
    let amount_fen = refused.check(amount(amount_fen));
    let reason = refused.check(line(&reason, "reason"));
    let proposed_by = refused.check(id(&proposed_by, "proposed_by"));
    let version = refused.check(expected_version(version));
    match (complaint_id, kind, amount_fen, reason, proposed_by, version) {
        (
            Some(complaint_id),
            Some(kind),
            Some(amount_fen),
            Some(reason),
            Some(proposed_by),
            Some(expected_version),
        ) => Ok(ProposalAsked {
            complaint_id,
            expected_version,
            values: ProposedCompensation {
                kind,
                amount_fen,
                reason,
                proposed_by,
            },
        }),
        _ => Err(refused.into_vec()),
    }
}

/// 1 fen to the ledger's maximum: beyond it a gesture has become a settlement.
fn amount(fen: i64) -> Result<i64, Violation> {
    if (1..=MAX_AMOUNT_FEN).contains(&fen) {
        Ok(fen)
    } else {
        let refused = Invalid::new(format!(
            "must be 1 to {MAX_AMOUNT_FEN} fen; more is a settlement for the claims process"
        ));
        Err(refused.at("amount_fen"))
    }
}

/// A checked ApproveCompensation or RejectCompensation: the entry, who decides, and for a
/// rejection why (`None` when not given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionAsked {
    pub compensation_id: String,
    pub by: String,
    pub reason: Option<String>,
}

pub fn approval_from_proto(
    request: pb::ApproveCompensationRequest,
) -> Result<DecisionAsked, Vec<Violation>> {
    let pb::ApproveCompensationRequest {
        compensation_id,
        approved_by,
        request_id: _,
    } = request;
    decision(&compensation_id, id(&approved_by, "approved_by"), Ok(None))
}

pub fn rejection_from_proto(
    request: pb::RejectCompensationRequest,
) -> Result<DecisionAsked, Vec<Violation>> {
    let pb::RejectCompensationRequest {
        compensation_id,
        rejected_by,
        reason,
        request_id: _,
    } = request;
    let reason = if reason.is_empty() {
        Ok(None)
    } else {
        line(&reason, "reason").map(Some)
    };
    decision(&compensation_id, id(&rejected_by, "rejected_by"), reason)
}

fn decision(
    compensation_id: &str,
    by: Result<String, Violation>,
    reason: Result<Option<String>, Violation>,
) -> Result<DecisionAsked, Vec<Violation>> {
    let mut refused = Refusals::default();
    let compensation_id = refused.check(id(compensation_id, "compensation_id"));
    let by = refused.check(by);
    let reason = refused.check(reason);
    match (compensation_id, by, reason) {
        (Some(compensation_id), Some(by), Some(reason)) => Ok(DecisionAsked {
            compensation_id,
            by,
            reason,
        }),
        _ => Err(refused.into_vec()),
    }
}

/// A ledger entry as the contract shows it.
pub fn compensation_to_proto(entry: &LedgerEntry) -> pb::Compensation {
    let LedgerEntry {
        complaint_id,
        compensation,
        rejection_reason,
    } = entry;
    let Compensation {
        id,
        kind,
        amount_fen,
        reason,
        proposed_by,
        proposed_at,
        state,
        decided_by,
        decided_at,
    } = compensation;
    pb::Compensation {
        compensation_id: id.clone(),
        complaint_id: complaint_id.clone(),
        kind: code::<pb::CompensationKind>(*kind),
        amount_fen: *amount_fen,
        reason: reason.clone(),
        proposed_by: proposed_by.clone(),
        proposed_at: Some(timestamp(*proposed_at)),
        state: code::<pb::CompensationState>(*state),
        decided_by: decided_by.clone().unwrap_or_default(),
        decided_at: maybe_timestamp(*decided_at),
        auto_approved: compensation.is_auto_approved(),
        rejection_reason: rejection_reason.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
#[path = "compensation_tests.rs"]
mod tests;
