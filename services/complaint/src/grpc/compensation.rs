//! ProposeCompensation, ApproveCompensation and RejectCompensation: the ledger with four eyes.
//! A proposal is priced against the customer's tier when the complaint was opened (the limit
//! up to which it is approved at once); a decision is the domain's (never the proposer's own
//! approval), written only over an entry still PROPOSED, so of two deciders acting at once one
//! decides and the other is told it is decided.

use tonic::{Request, Response};
use vipcare_proto::complaint::v1 as pb;
use vipcare_storage::idempotency::Begun;

use super::convert::compensation::{
    DecisionAsked, approval_from_proto, compensation_to_proto, proposal_from_proto,
    rejection_from_proto,
};
use super::promises::{new_id, still_taken, taken_until_closed};
use super::request::key;
use super::{ComplaintApi, Reply};
use crate::domain::Compensation;
use crate::error::Error;
use crate::store::{compensations, complaints};

const PROPOSE: &str = "vipcare.complaint.v1.ComplaintService/ProposeCompensation";
const APPROVE: &str = "vipcare.complaint.v1.ComplaintService/ApproveCompensation";
const REJECT: &str = "vipcare.complaint.v1.ComplaintService/RejectCompensation";

/// How the state check names the call.
const PROPOSING: &str = "PROPOSE_COMPENSATION";

pub async fn propose(
    api: &ComplaintApi,
    r: Request<pb::ProposeCompensationRequest>,
) -> Reply<pb::ProposeCompensationResponse> {
    let key = key(r.metadata(), PROPOSE, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let asked = proposal_from_proto(r.into_inner())?;
    let now = api.clock.now();
    let id = asked.complaint_id.as_str();
    let proposed = fresh
        .finish::<_, Error, _>(async |txn| {
            let complaint = complaints::get(txn, id).await?.complaint;
            taken_until_closed(&complaint, PROPOSING)?;
            let entry = Compensation::propose(
                new_id(),
                asked.values.clone(),
                &complaint.tier_at_opening,
                &api.rules.limits,
                now,
            )?;
            compensations::propose(txn, id, &entry, asked.expected_version).await?;
            // The write holds the complaint's row: a close committed meanwhile shows now.
            still_taken(txn, id, PROPOSING).await?;
            let stored = compensations::get(txn, &entry.id).await?;
            Ok(pb::ProposeCompensationResponse {
                compensation_id: entry.id.clone(),
                compensation: Some(compensation_to_proto(&stored)),
            })
        })
        .await?;
    if let Some(entry) = &proposed.compensation {
        logged("compensation proposed", entry);
    }
    Ok(Response::new(proposed))
}

pub async fn approve(
    api: &ComplaintApi,
    r: Request<pb::ApproveCompensationRequest>,
) -> Reply<pb::ApproveCompensationResponse> {
    let key = key(r.metadata(), APPROVE, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let asked = approval_from_proto(r.into_inner())?;
    let decided = fresh
        .finish::<_, Error, _>(async |txn| {
            let entry = decide(api, txn, &asked, Verdict::Approve).await?;
            Ok(pb::ApproveCompensationResponse {
                compensation: Some(entry),
            })
        })
        .await?;
    if let Some(entry) = &decided.compensation {
        logged("compensation approved", entry);
    }
    Ok(Response::new(decided))
}

pub async fn reject(
    api: &ComplaintApi,
    r: Request<pb::RejectCompensationRequest>,
) -> Reply<pb::RejectCompensationResponse> {
    let key = key(r.metadata(), REJECT, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let asked = rejection_from_proto(r.into_inner())?;
    let decided = fresh
        .finish::<_, Error, _>(async |txn| {
            let entry = decide(api, txn, &asked, Verdict::Reject).await?;
            Ok(pb::RejectCompensationResponse {
                compensation: Some(entry),
            })
        })
        .await?;
    if let Some(entry) = &decided.compensation {
        logged("compensation rejected", entry);
    }
    Ok(Response::new(decided))
}

/// What a decider asks for.
#[derive(Debug, Clone, Copy)]
enum Verdict {
    Approve,
    Reject,
}

/// Reads the entry, lets the domain decide it and writes the decision over the entry as read.
async fn decide(
    api: &ComplaintApi,
    txn: &sea_orm::DatabaseTransaction,
    asked: &DecisionAsked,
    verdict: Verdict,
) -> Result<pb::Compensation, Error> {
    let now = api.clock.now();
    let mut entry = compensations::get(txn, &asked.compensation_id)
        .await?
        .compensation;
    match verdict {
        Verdict::Approve => entry.approve(&asked.by, now)?,
        Verdict::Reject => entry.reject(&asked.by, now)?,
    }
    let stored = compensations::decide(txn, &entry, asked.reason.as_deref()).await?;
    Ok(compensation_to_proto(&stored))
}

/// Money granted or refused is worth a line in the log, whoever asks later.
fn logged(what: &str, entry: &pb::Compensation) {
    tracing::info!(
        complaint_id = %entry.complaint_id,
        compensation_id = %entry.compensation_id,
        amount_fen = entry.amount_fen,
        state = entry.state,
        auto_approved = entry.auto_approved,
        "{what}"
    );
}
