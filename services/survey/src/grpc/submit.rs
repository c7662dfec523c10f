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

use tonic::{Request, Response};
use vipcare_proto::survey::v1 as pb;
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::Begun;

use super::convert::response::{Respondent, submission_from_proto};
use super::request::key;
use super::responses::score_answer;
use super::{Reply, SurveyApi};
use crate::answers::{self, Answered};
use crate::domain::{SurveyContext, TokenRefusal, usable};
use crate::error::Error;
use crate::store::invitations::{self, token_hash};
use crate::store::{self, scenarios};

const SUBMIT: &str = "vipcare.survey.v1.SurveyService/SubmitResponse";

/// The scope a staff-assisted response needs; a token is its own permission.
pub const WRITE_SCOPE: &str = "survey:write";

/// Who answered which scenario version, in what context.
struct Answering {
    customer_id: String,
    scenario: scenarios::StoredScenario,
    context: SurveyContext,
    invitation_id: Option<String>,
}

pub async fn submit(
    api: &SurveyApi,
    r: Request<pb::SubmitResponseRequest>,
) -> Reply<pb::SubmitResponseResponse> {
    let key = key(r.metadata(), SUBMIT, &r.get_ref().request_id, r.get_ref())?;
    let caller = Caller::from_metadata(r.metadata());
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let submission = submission_from_proto(r.get_ref())?;
    let now = store::stored_time(api.clock.now());
    let answering = answering(api, &submission.respondent, &caller, now).await?;
    let response = crate::domain::Response::new(
        &answering.scenario.scenario,
        &submission.moment_scores,
        &submission.attribute_scores,
        submission.nps,
        &submission.comment,
    )?;
    let customer = api
        .directory
        .customer(&answering.customer_id)
        .await?
        .ok_or_else(|| Error::not_found("customer", &answering.customer_id))?;
    let policy = api.policy().await?.policy;
    let windows = api
        .baselines
        .windows(
            api.db.conn(),
            response.scenario_code(),
            policy.window_days(),
            now,
        )
        .await?;
    let baseline = |m: &str| policy.baseline(windows.get(m).copied().unwrap_or_default());
    let who = Answered {
        customer_id: &customer.customer_id,
        tier: &customer.tier,
        account_manager: customer.account_manager.as_deref(),
        context: answering.context,
        channel: submission.channel,
        invitation_id: answering.invitation_id,
        at: now,
    };
    let stored = answers::stored(
        &response,
        who,
        &policy,
        &baseline,
        &api.settings.follow_up_desk,
    );
    let answer = fresh
        .finish::<_, Error, _>(async |txn| {
            if let Some(invitation) = &stored.invitation_id {
                let marked =
                    invitations::mark_answered(txn, invitation, &stored.response_id, now).await?;
                if !marked {
                    // Another submission of the token committed first.
                    return Err(TokenRefusal::Used { at: now }.into());
                }
            }
            answers::insert(txn, &stored).await?;
            Ok(pb::SubmitResponseResponse {
                score: Some(score_answer(&stored, policy.peak_weight())),
            })
        })
        .await?;
    if stored.follow_up.detraction.is_some() {
        api.follow_ups.notify_one();
    }
    tracing::info!(response_id = %stored.response_id, "response recorded");
    Ok(Response::new(answer))
}

/// Who answers, which scenario version and in what context; a token that can no longer be
/// answered is refused here, before anything is scored.
async fn answering(
    api: &SurveyApi,
    respondent: &Respondent,
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Answering, Error> {
    match respondent {
        Respondent::Token(token) => {
            let invitation = invitations::by_token_hash(api.db.conn(), &token_hash(token)).await?;
            let used_at = invitation.answered.as_ref().map(|(at, _)| *at);
            usable(invitation.create_time, used_at, now)?;
            let scenario = scenarios::get(
                api.db.conn(),
                &invitation.scenario_code,
                invitation.scenario_version,
            )
            .await?;
            Ok(Answering {
                customer_id: invitation.customer_id,
                scenario,
                context: invitation.context,
                invitation_id: Some(invitation.invitation_id),
            })
        }
        Respondent::Staffed {
            customer_id,
            scenario_code,
            context,
        } => {
            if !caller.has_scope(WRITE_SCOPE) {
                return Err(Error::PermissionDenied(format!(
                    "answering without an invitation_token needs the {WRITE_SCOPE} scope"
                )));
            }
            Ok(Answering {
                customer_id: customer_id.clone(),
                scenario: scenarios::latest(api.db.conn(), scenario_code).await?,
                context: context.clone(),
                invitation_id: None,
            })
        }
    }
}
