//! SubmitResponse. Who answers decides what is answered: a token answers the scenario version
//! its invitation was sent with, in the invitation's context (the customer, through the
//! survey page); a staff-assisted channel answers the latest version for a customer it names,
//! and only a caller holding `survey:write` may (the web's token-only client must bring a
//! token). The answers are checked whole (every refused one named, nothing stored), scored with
//! the policy's peak weight against the moments' baselines, and a detraction gets a follow-up
//! owner. Then one transaction holds the whole effect: the invitation marked answered (of two
//! submissions of one token exactly one does; the other is TOKEN_USED), the response and the
//! customer's latest satisfaction, the follow-up complaint in the outbox, the request_id's
//! answer. A repeated request_id gets the first score back and counts once.
//!
//! The calls arriving together are handled together ([`batch`]): a hall's pads and the survey
//! page send many at once, and each call alone paid about a dozen round trips to the database
//! and two look-ups in the profile and tiering; gathered, a batch pays them once.

mod batch;
mod prepare;
mod write;

use tonic::{Request, Response};
use vipcare_proto::survey::v1 as pb;
use vipcare_runtime::Caller;

use super::convert::response::submission_from_proto;
use super::request::key;
use super::{Reply, SurveyApi};

pub use batch::{Parts, Submissions};

const SUBMIT: &str = "vipcare.survey.v1.SurveyService/SubmitResponse";

/// The scope a staff-assisted response needs; a token is its own permission.
pub const WRITE_SCOPE: &str = "survey:write";

/// One SubmitResponse call, its request checked for shape (a repeat of a stored request has
/// the same shape, so checking first changes no repeat's answer).
pub async fn submit(
    api: &SurveyApi,
    r: Request<pb::SubmitResponseRequest>,
) -> Reply<pb::SubmitResponseResponse> {
    let key = key(r.metadata(), SUBMIT, &r.get_ref().request_id, r.get_ref())?;
    let caller = Caller::from_metadata(r.metadata());
    let call = batch::Call {
        key,
        may_write: caller.has_scope(WRITE_SCOPE),
        submission: submission_from_proto(r.get_ref())?,
    };
    let answer = api.submissions.submit(call).await?;
    Ok(Response::new(answer))
}
