//! SubmitResponse: who is answering ([`Respondent`]: the invitation's token, or a customer,
//! scenario and context for a staff-assisted channel — exactly one of the two), how
//! (the channel: WEB with a token, HALL without, when unspecified), and the answers as
//! [`crate::domain::Response::new`] takes them. The answers are checked there, against the
//! scenario version answered, under the contract's own paths (`moment_scores[2].score`).

use vipcare_domain::{Invalid, Violation};
use vipcare_proto::survey::v1 as pb;

use super::codes::{channel_from_proto, or_default};
use super::invitation::{context_from_proto, token};
use crate::domain::text::{code as scenario_code_of, party_id};
use crate::domain::{SurveyChannel, SurveyContext};

/// Who is answering.
#[derive(Debug, Clone, PartialEq)]
pub enum Respondent {
    /// The customer, through the invitation's link: its context is the invitation's.
    Token(String),
    /// A staff-assisted channel (a pad at the hall, the hotline, the account manager).
    Staffed {
        customer_id: String,
        scenario_code: String,
        context: SurveyContext,
    },
}

/// A checked SubmitResponse request; its answers go to `Response::new` as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub respondent: Respondent,
    pub channel: SurveyChannel,
    /// (moment code, score).
    pub moment_scores: Vec<(String, i32)>,
    /// (moment code, attribute code, score).
    pub attribute_scores: Vec<(String, String, i32)>,
    pub nps: Option<i32>,
    pub comment: String,
}

/// The request, every refused field named.
pub fn submission_from_proto(
    req: &pb::SubmitResponseRequest,
) -> Result<Submission, Vec<Violation>> {
    let pb::SubmitResponseRequest {
        invitation_token,
        customer_id,
        scenario_code,
        context,
        moment_scores,
        attribute_scores,
        nps,
        comment,
        // The idempotency key: the handler reads it before anything is converted.
        request_id: _,
        channel,
    } = req;
    let mut refused = Vec::new();
    let respondent = respondent(
        invitation_token,
        customer_id,
        scenario_code,
        context.as_ref(),
    )
    .map_err(|found| refused.extend(found));
    let default = match respondent {
        Ok(Respondent::Token(_)) => SurveyChannel::Web,
        _ => SurveyChannel::Hall,
    };
    let channel =
        or_default(channel_from_proto(*channel), default, "channel").map_err(|v| refused.push(v));
    match (respondent, channel) {
        (Ok(respondent), Ok(channel)) => Ok(Submission {
            respondent,
            channel,
            moment_scores: moment_scores
                .iter()
                .map(|pb::MomentScore { moment_code, score }| (moment_code.clone(), *score))
                .collect(),
            attribute_scores: attribute_scores
                .iter()
                .map(|a| {
                    let pb::AttributeScore {
                        moment_code,
                        attribute_code,
                        score,
                    } = a;
                    (moment_code.clone(), attribute_code.clone(), *score)
                })
                .collect(),
            nps: *nps,
            comment: comment.clone(),
        }),
        _ => Err(refused),
    }
}

/// Exactly one way of answering: the token alone, or customer and scenario (and context).
fn respondent(
    invitation_token: &str,
    customer_id: &str,
    scenario_code: &str,
    context: Option<&pb::SurveyContext>,
) -> Result<Respondent, Vec<Violation>> {
    let mut refused = Vec::new();
    if !invitation_token.is_empty() {
        let alone = "must be left out with invitation_token";
        for (value, field) in [
            (customer_id, "customer_id"),
            (scenario_code, "scenario_code"),
        ] {
            if !value.is_empty() {
                refused.push(Invalid::new(alone).at(field));
            }
        }
        // An empty context message is no context: some clients always send one.
        if context.is_some_and(|c| *c != pb::SurveyContext::default()) {
            let reason = "comes from the invitation: leave it out with invitation_token";
            refused.push(Invalid::new(reason).at("context"));
        }
        let token = token(invitation_token).map_err(|e| refused.push(e.at("invitation_token")));
        return match token {
            Ok(token) if refused.is_empty() => Ok(Respondent::Token(token)),
            _ => Err(refused),
        };
    }
    if customer_id.is_empty() && scenario_code.is_empty() {
        let reason = "give invitation_token, or customer_id and scenario_code";
        return Err(vec![Invalid::new(reason).at("invitation_token")]);
    }
    let without = "required without invitation_token";
    let mut check = |value: &str, field: &str, rule: fn(&str) -> Result<String, Invalid>| {
        if value.is_empty() {
            refused.push(Invalid::new(without).at(field));
            return None;
        }
        rule(value).map_err(|e| refused.push(e.at(field))).ok()
    };
    let customer_id = check(customer_id, "customer_id", party_id);
    let scenario_code = check(scenario_code, "scenario_code", scenario_code_of);
    let context = context_from_proto(context).map_err(|found| refused.extend(found));
    match (customer_id, scenario_code, context) {
        (Some(customer_id), Some(scenario_code), Ok(context)) if refused.is_empty() => {
            Ok(Respondent::Staffed {
                customer_id,
                scenario_code,
                context,
            })
        }
        _ => Err(refused),
    }
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
