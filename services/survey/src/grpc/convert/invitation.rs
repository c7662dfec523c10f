//! Invitations: InviteToSurvey's request to a checked [`Invite`] (channel SMS when
//! unspecified), and an invitation as the store holds it ([`InvitationRecord`]) to the
//! contract's `Invitation` and to what the survey page is shown (`GetInvitationResponse`),
//! its state decided by the domain's one-time, 7-day link rule. The survey context's
//! conversions live here too: a response carries the same context as an invitation.

use chrono::{DateTime, Utc};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::survey::v1 as pb;

use super::codes::{channel_from_proto, code, invitation_state, or_default};
use super::scenario::scenario_to_proto;
use super::{given, timestamp};
use crate::domain::invitation::EXPIRY;
use crate::domain::text::{code as scenario_code_of, party_id};
use crate::domain::{Scenario, SurveyChannel, SurveyContext, usable};

/// A checked InviteToSurvey request.
#[derive(Debug, Clone, PartialEq)]
pub struct Invite {
    pub customer_id: String,
    pub scenario_code: String,
    pub context: SurveyContext,
    pub channel: SurveyChannel,
}

/// The request, every refused field named.
pub fn invite_from_proto(req: &pb::InviteToSurveyRequest) -> Result<Invite, Vec<Violation>> {
    let pb::InviteToSurveyRequest {
        customer_id,
        scenario_code,
        context,
        channel,
        // The idempotency key: the handler reads it before anything is converted.
        request_id: _,
    } = req;
    let mut refused = Vec::new();
    let customer_id = party_id(customer_id).map_err(|e| refused.push(e.at("customer_id")));
    let scenario_code =
        scenario_code_of(scenario_code).map_err(|e| refused.push(e.at("scenario_code")));
    let context = context_from_proto(context.as_ref()).map_err(|found| refused.extend(found));
    let channel = or_default(channel_from_proto(*channel), SurveyChannel::Sms, "channel")
        .map_err(|v| refused.push(v));
    match (customer_id, scenario_code, context, channel) {
        (Ok(customer_id), Ok(scenario_code), Ok(context), Ok(channel)) => Ok(Invite {
            customer_id,
            scenario_code,
            context,
            channel,
        }),
        _ => Err(refused),
    }
}

/// A survey context as given: empty ids are not given; the others are checked and named
/// `context.hall_id`, ...
pub fn context_from_proto(
    context: Option<&pb::SurveyContext>,
) -> Result<SurveyContext, Vec<Violation>> {
    let Some(pb::SurveyContext {
        complaint_id,
        hall_id,
        staff_id,
        event_id,
    }) = context
    else {
        return Ok(SurveyContext::default());
    };
    SurveyContext::new(
        given(complaint_id),
        given(hall_id),
        given(staff_id),
        given(event_id),
    )
}

pub fn context_to_proto(context: &SurveyContext) -> pb::SurveyContext {
    let SurveyContext {
        complaint_id,
        hall_id,
        staff_id,
        event_id,
    } = context;
    pb::SurveyContext {
        complaint_id: complaint_id.clone().unwrap_or_default(),
        hall_id: hall_id.clone().unwrap_or_default(),
        staff_id: staff_id.clone().unwrap_or_default(),
        event_id: event_id.clone().unwrap_or_default(),
    }
}

/// An invitation as the store holds it (never its token: only the token's hash is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationRecord {
    pub invitation_id: String,
    pub customer_id: String,
    pub scenario_code: String,
    pub scenario_version: u32,
    pub context: SurveyContext,
    pub channel: SurveyChannel,
    pub sent_at: DateTime<Utc>,
    /// When the invitation was answered, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

impl InvitationRecord {
    /// Where it stands `now`, by the domain's rule, and when its link stops working.
    fn state(&self, now: DateTime<Utc>) -> (pb::InvitationState, DateTime<Utc>) {
        let state = invitation_state(&usable(self.sent_at, self.used_at, now));
        (state, self.sent_at + EXPIRY)
    }
}

pub fn invitation_to_proto(record: &InvitationRecord, now: DateTime<Utc>) -> pb::Invitation {
    let (state, expire_time) = record.state(now);
    let InvitationRecord {
        invitation_id,
        customer_id,
        scenario_code,
        scenario_version,
        context,
        channel,
        sent_at,
        used_at: _,
    } = record;
    pb::Invitation {
        invitation_id: invitation_id.clone(),
        customer_id: customer_id.clone(),
        scenario_code: scenario_code.clone(),
        scenario_version: *scenario_version,
        context: Some(context_to_proto(context)),
        channel: code::<pb::SurveyChannel>(*channel),
        state: code::<pb::InvitationState>(state),
        create_time: Some(timestamp(*sent_at)),
        expire_time: Some(timestamp(expire_time)),
    }
}

/// What the survey page is shown for a token: the scenario at the version sent (last changed
/// at `scenario_updated`), the state and the expiry — nothing about the customer.
pub fn get_invitation_to_proto(
    record: &InvitationRecord,
    scenario: &Scenario,
    scenario_updated: DateTime<Utc>,
    now: DateTime<Utc>,
) -> pb::GetInvitationResponse {
    let (state, expire_time) = record.state(now);
    pb::GetInvitationResponse {
        scenario: Some(scenario_to_proto(scenario, scenario_updated)),
        state: code::<pb::InvitationState>(state),
        expire_time: Some(timestamp(expire_time)),
    }
}

/// The token of GetInvitation: opaque to the contract, so only its shape is checked, to keep
/// a lookup from ever carrying a megabyte of text.
pub fn token_from_proto(req: &pb::GetInvitationRequest) -> Result<String, Violation> {
    let pb::GetInvitationRequest { invitation_token } = req;
    token(invitation_token).map_err(|e| e.at("invitation_token"))
}

/// Longest invitation token accepted: a generous bound on a URL-safe encoded random token.
pub const MAX_TOKEN_CHARS: usize = 128;

/// A token: 1 to [`MAX_TOKEN_CHARS`] visible ASCII characters.
pub(super) fn token(text: &str) -> Result<String, Invalid> {
    let ok =
        (1..=MAX_TOKEN_CHARS).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| text.to_owned()).ok_or_else(|| {
        Invalid::new(format!(
            "must be 1-{MAX_TOKEN_CHARS} visible ASCII characters"
        ))
    })
}

#[cfg(test)]
#[path = "invitation_tests.rs"]
mod tests;
