//! InviteToSurvey and GetInvitation. An invitation is checked against the survey-fatigue rule
//! of the customer's tier (from tiering, before any transaction: no transaction waits on
//! another service), then in one transaction stored with the hash of a new one-time token and
//! its SURVEY_INVITATION reminder written to the outbox for the reminder service.
//!
//! Two invitations of one customer at once are taken one after the other (the store holds the
//! customer for the transaction), so the second meets the first under the fatigue rule.
//!
//! The token is returned once, by the call that made it: the answer a repeated request_id gets
//! is the invitation without it, since only the token's hash may be kept (the link reached the
//! customer in the message either way).

use tonic::{Request, Response};
use uuid::Uuid;
use vipcare_proto::survey::v1 as pb;
use vipcare_storage::idempotency::{Outcome, Start};

use super::convert::invitation::{
    InvitationRecord, get_invitation_to_proto, invitation_to_proto, invite_from_proto,
    token_from_proto,
};
use super::request::key;
use super::{Reply, SurveyApi};
use crate::domain::invitation::EXPIRY;
use crate::error::Error;
use crate::notices;
use crate::store::invitations::{self, StoredInvitation, new_token, token_hash};
use crate::store::{self, scenarios};

const INVITE: &str = "vipcare.survey.v1.SurveyService/InviteToSurvey";

pub async fn invite(
    api: &SurveyApi,
    r: Request<pb::InviteToSurveyRequest>,
) -> Reply<pb::InviteToSurveyResponse> {
    let key = key(r.metadata(), INVITE, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api.requests.start::<Error>(key.as_ref()).await? {
        Start::Replay(stored) => return Ok(Response::new(decode(&stored)?)),
        Start::Fresh(fresh) => fresh,
    };
    let invite = invite_from_proto(r.get_ref())?;
    let scenario = scenarios::latest(api.db.conn(), &invite.scenario_code).await?;
    let customer = api
        .directory
        .customer(&invite.customer_id)
        .await?
        .ok_or_else(|| Error::not_found("customer", &invite.customer_id))?;
    let policy = api.policy().await?.policy;
    let now = store::stored_time(api.clock.now());
    let token = new_token();
    let invitation = StoredInvitation {
        invitation_id: Uuid::now_v7().to_string(),
        customer_id: customer.customer_id.clone(),
        scenario_code: scenario.scenario.code().to_owned(),
        scenario_version: scenario.scenario.version(),
        context: invite.context,
        channel: invite.channel,
        create_time: now,
        expire_time: now + EXPIRY,
        answered: None,
    };
    let reminder = notices::invitation(
        &invitation.invitation_id,
        &invitation.customer_id,
        scenario.scenario.name(),
        &api.settings.link(&token),
        invitation.expire_time,
    );
    let outcome = fresh
        .run::<_, Error, _>(async |txn| {
            invitations::hold_customer(txn, &customer.customer_id).await?;
            let last = invitations::last_invited(txn, &customer.customer_id).await?;
            policy.fatigue().decide(last, &customer.tier, now)?;
            invitations::insert(txn, &invitation, &token_hash(&token)).await?;
            notices::enqueue_invitation(txn, &reminder).await?;
            let shown = pb::InviteToSurveyResponse {
                invitation: Some(invitation_to_proto(&record(&invitation), now)),
                invitation_token: String::new(),
            };
            let kept = prost::Message::encode_to_vec(&shown);
            Ok((shown, kept))
        })
        .await?;
    let answer = match outcome {
        Outcome::Done(mut answer) => {
            api.invitations.notify_one();
            tracing::info!(invitation_id = %invitation.invitation_id, "invitation sent");
            answer.invitation_token = token;
            answer
        }
        Outcome::Replayed(stored) => decode(&stored)?,
    };
    Ok(Response::new(answer))
}

pub async fn get(
    api: &SurveyApi,
    r: Request<pb::GetInvitationRequest>,
) -> Reply<pb::GetInvitationResponse> {
    let token = token_from_proto(r.get_ref())?;
    let invitation = invitations::by_token_hash(api.db.conn(), &token_hash(&token)).await?;
    let scenario = scenarios::get(
        api.db.conn(),
        &invitation.scenario_code,
        invitation.scenario_version,
    )
    .await?;
    Ok(Response::new(get_invitation_to_proto(
        &record(&invitation),
        &scenario.scenario,
        scenario.update_time,
        api.clock.now(),
    )))
}

/// An invitation as the contract's conversions take it.
fn record(i: &StoredInvitation) -> InvitationRecord {
    InvitationRecord {
        invitation_id: i.invitation_id.clone(),
        customer_id: i.customer_id.clone(),
        scenario_code: i.scenario_code.clone(),
        scenario_version: i.scenario_version,
        context: i.context.clone(),
        channel: i.channel,
        sent_at: i.create_time,
        used_at: i.answered.as_ref().map(|(at, _)| *at),
    }
}

/// A stored answer that no longer decodes is corrupt data, never the caller's fault.
fn decode(stored: &[u8]) -> Result<pb::InviteToSurveyResponse, Error> {
    prost::Message::decode(stored)
        .map_err(|e| Error::Internal(format!("stored invitation answer does not decode: {e}")))
}
