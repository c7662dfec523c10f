//! A checked answer as it is stored, one way for every path that stores one: SubmitResponse
//! (answered now, scored against the moments' baselines) and the history import (answers
//! given before they reached this service — a migration from another survey tool, the demo's
//! 90 days — scored as the first answers are, against the starting baseline). The score, the
//! detraction and its follow-up owner (the staff member the survey is about, else the account
//! manager, else the survey desk) are decided here, and the follow-up complaint is written to
//! the outbox in the same transaction as the response, so an unhappy customer is never
//! forgotten, whichever way their answer came in.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use crate::domain::{
    JourneyScore, Response, SurveyChannel, SurveyContext, SurveyPolicy, Tally, follow_up_owner,
};
use crate::notices;
use crate::store::{self, FollowUp, FollowUpState, StoreError, StoredResponse, import};
use vipcare_proto::complaint::v1::OpenComplaintRequest;

/// Who answered, where and when: everything stored with an answer but the answer itself.
#[derive(Debug, Clone)]
pub struct Answered<'a> {
    pub customer_id: &'a str,
    /// The customer's tier when answering.
    pub tier: &'a str,
    /// Who owns a follow-up when the context names no staff member.
    pub account_manager: Option<&'a str>,
    pub context: SurveyContext,
    pub channel: SurveyChannel,
    /// The invitation answered; `None` for a staff-assisted answer.
    pub invitation_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// `response` as stored: scored under `policy` with `baseline` (a moment's usual score by its
/// code), its follow-up PENDING with an owner when it is a detraction, `desk` the owner of last
/// resort.
pub fn stored(
    response: &Response,
    who: Answered<'_>,
    policy: &SurveyPolicy,
    baseline: &dyn Fn(&str) -> f64,
    desk: &str,
) -> StoredResponse {
    let score = JourneyScore::of(response, baseline, policy.peak_weight());
    let detraction = policy.follow_up().detraction(&score, response.nps());
    let owner = detraction.as_ref().map(|_| {
        follow_up_owner(who.context.staff_id.as_deref(), who.account_manager)
            .unwrap_or(desk)
            .to_owned()
    });
    StoredResponse {
        response_id: Uuid::now_v7().to_string(),
        customer_id: who.customer_id.to_owned(),
        scenario_code: response.scenario_code().to_owned(),
        scenario_version: response.scenario_version(),
        invitation_id: who.invitation_id,
        context: who.context,
        channel: who.channel,
        tier: who.tier.to_owned(),
        submit_time: store::stored_time(who.at),
        attribute_scores: response.attribute_scores().to_vec(),
        nps: response.nps(),
        comment: response.comment().to_owned(),
        score,
        follow_up: FollowUp::of(detraction, owner),
    }
}

/// An answer given before it reached this service, as stored: scored against the starting
/// baseline, as the first answers are (the baselines of its day are not known here).
pub fn from_history(
    response: &Response,
    who: Answered<'_>,
    policy: &SurveyPolicy,
    desk: &str,
) -> StoredResponse {
    let starting = policy.baseline(Tally::default());
    stored(response, who, policy, &|_| starting, desk)
}

/// Writes `stored` in `txn` (the caller's transaction) with the follow-up complaints of its
/// detractions in the outbox: a few statements however many responses. Returns how many
/// responses were written.
pub async fn insert_many<C: ConnectionTrait>(
    txn: &C,
    stored: &[StoredResponse],
) -> Result<u64, StoreError> {
    let written = import::insert_in(txn, stored).await?;
    let follow_ups: Vec<_> = stored.iter().filter_map(follow_up).collect();
    notices::enqueue_follow_ups(txn, &follow_ups).await?;
    Ok(written)
}

/// Imports `history` in one transaction with the follow-ups of its detractions in the outbox
/// (the relay then opens them as it opens any), all or nothing. Returns how many were written.
pub async fn import_history<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    history: &[StoredResponse],
) -> Result<u64, StoreError> {
    let txn = conn.begin().await?;
    let result = insert_many(&txn, history).await;
    store::settle(txn, result).await
}

/// The follow-up complaint `stored` asks for: only one still to open (an import may bring
/// ones settled elsewhere).
fn follow_up(stored: &StoredResponse) -> Option<OpenComplaintRequest> {
    if stored.follow_up.state != FollowUpState::Pending {
        return None;
    }
    let (Some(detraction), Some(owner)) = (&stored.follow_up.detraction, &stored.follow_up.owner)
    else {
        return None;
    };
    Some(notices::follow_up(
        &stored.response_id,
        &stored.customer_id,
        stored.channel,
        detraction,
        &stored.comment,
        owner,
    ))
}
