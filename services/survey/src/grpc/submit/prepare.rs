//! What a batch's calls need before anything is written, read once for the batch: the policy
//! in force, the latest version of each scenario answered by staff, the invitation (and its
//! scenario version) of each token, and who each customer is (one look-up in the profile and
//! tiering for all of them). Then each call on its own, in the order a lone call was checked:
//! who answers (a token still usable; `survey:write` for a named customer), the answers against
//! the scenario, the customer known; scored against the moments' baselines, with its
//! follow-up's owner when it is a detraction. A call refused at any step is answered with its
//! refusal and nothing of it is written; the others go on.

use std::collections::HashMap;

use futures::future::join_all;

use chrono::{DateTime, Utc};
use vipcare_proto::survey::v1 as pb;
use vipcare_storage::idempotency::RequestKey;

use super::WRITE_SCOPE;
use super::batch::{Call, Parts};
use crate::answers::{self, Answered};
use crate::domain::{SurveyContext, SurveyPolicy, usable};
use crate::error::Error;
use crate::grpc::convert::response::Respondent;
use crate::grpc::responses::score_answer;
use crate::store::invitations::{self, token_hash};
use crate::store::{StoredResponse, scenarios};
use crate::upstream::Customer;

/// A call ready to be written: its key, its response as stored, and its answer.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub key: Option<RequestKey>,
    pub stored: StoredResponse,
    pub answer: pb::SubmitResponseResponse,
}

/// Who answered which scenario version, in what context.
#[derive(Debug, Clone)]
struct Answering {
    customer_id: String,
    scenario: scenarios::StoredScenario,
    context: SurveyContext,
    invitation_id: Option<String>,
}

/// What a batch's calls need, read side by side.
pub struct Reads {
    policy: Result<SurveyPolicy, Error>,
    /// The latest version of each scenario a staff-assisted call answers.
    latest: HashMap<String, Result<scenarios::StoredScenario, Error>>,
    /// Who answers each token's call, by the call's index.
    tokens: HashMap<usize, Result<Answering, Error>>,
    customers: Result<HashMap<String, Customer>, Error>,
}

/// Reads what the `todo` calls (by index into `calls`) need: the policy, the scenarios, the
/// invitations and the customers at once; the customers of tokens, whose ids only the
/// invitations tell, in a second look-up when there are any.
pub async fn read(parts: &Parts, calls: &[Call], todo: &[usize], now: DateTime<Utc>) -> Reads {
    let conn = parts.db.conn();
    let mut codes = Vec::new();
    let mut staffed = Vec::new();
    let mut tokens = Vec::new();
    for &i in todo {
        match &calls[i].submission.respondent {
            Respondent::Token(token) => tokens.push((i, token.as_str())),
            Respondent::Staffed {
                customer_id,
                scenario_code,
                ..
            } => {
                codes.push(scenario_code.as_str());
                staffed.push(customer_id.as_str());
            }
        }
    }
    codes.sort_unstable();
    codes.dedup();
    staffed.sort_unstable();
    staffed.dedup();
    let policy = async {
        crate::store::policy::get(conn, &parts.starting)
            .await
            .map(|stored| stored.policy)
            .map_err(Error::from)
    };
    let latest = join_all(codes.iter().map(|code| async move {
        let read = scenarios::latest(conn, code).await.map_err(Error::from);
        ((*code).to_owned(), read)
    }));
    let invited = join_all(
        tokens
            .iter()
            .map(|&(i, token)| async move { (i, by_token(parts, token, now).await) }),
    );
    let customers = async {
        if staffed.is_empty() {
            return Ok(HashMap::new());
        }
        parts
            .directory
            .customers(&staffed)
            .await
            .map_err(Error::from)
    };
    let (policy, latest, invited, mut customers) = tokio::join!(policy, latest, invited, customers);
    let tokens: HashMap<usize, Result<Answering, Error>> = invited.into_iter().collect();
    if let Ok(known) = &mut customers {
        let mut missing: Vec<&str> = tokens
            .values()
            .flatten()
            .map(|a| a.customer_id.as_str())
            .filter(|id| !known.contains_key(*id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            match parts.directory.customers(&missing).await {
                Ok(found) => known.extend(found),
                Err(err) => customers = Err(err.into()),
            }
        }
    }
    Reads {
        policy,
        latest: latest.into_iter().collect(),
        tokens,
        customers,
    }
}

/// Each of the `todo` calls (by index into `calls`) prepared with what was `read`, or refused.
pub async fn all(
    parts: &Parts,
    calls: &[Call],
    todo: &[usize],
    read: Reads,
    now: DateTime<Utc>,
) -> Vec<(usize, Result<Prepared, Error>)> {
    let Reads {
        policy,
        latest,
        mut tokens,
        customers,
    } = read;
    let mut prepared = Vec::with_capacity(todo.len());
    for &i in todo {
        let call = &calls[i];
        let answering = who_answers(call, tokens.remove(&i), &latest);
        let one = match (answering, &policy, &customers) {
            (Ok(answering), Ok(policy), Ok(customers)) => {
                one(parts, call, answering, customers, policy, now).await
            }
            (Err(err), _, _) => Err(err),
            (_, Err(err), _) | (_, _, Err(err)) => Err(err.clone()),
        };
        prepared.push((i, one));
    }
    prepared
}

/// Who answers a call, which scenario version and in what context, from the batch's reads;
/// a token that can no longer be answered was refused when its invitation was read.
fn who_answers(
    call: &Call,
    invited: Option<Result<Answering, Error>>,
    latest: &HashMap<String, Result<scenarios::StoredScenario, Error>>,
) -> Result<Answering, Error> {
    match &call.submission.respondent {
        Respondent::Token(_) => invited
            .unwrap_or_else(|| Err(Error::Internal("a token's invitation was not read".into()))),
        Respondent::Staffed {
            customer_id,
            scenario_code,
            context,
        } => {
            if !call.may_write {
                return Err(Error::PermissionDenied(format!(
                    "answering without an invitation_token needs the {WRITE_SCOPE} scope"
                )));
            }
            let scenario = latest
                .get(scenario_code)
                .cloned()
                .unwrap_or_else(|| Err(Error::not_found("scenario", scenario_code)))?;
            Ok(Answering {
                customer_id: customer_id.clone(),
                scenario,
                context: context.clone(),
                invitation_id: None,
            })
        }
    }
}

/// The invitation of `token`, still answerable, with the scenario version it was sent with.
async fn by_token(parts: &Parts, token: &str, now: DateTime<Utc>) -> Result<Answering, Error> {
    let conn = parts.db.conn();
    let invitation = invitations::by_token_hash(conn, &token_hash(token)).await?;
    let used_at = invitation.answered.as_ref().map(|(at, _)| *at);
    usable(invitation.create_time, used_at, now)?;
    let scenario =
        scenarios::get(conn, &invitation.scenario_code, invitation.scenario_version).await?;
    Ok(Answering {
        customer_id: invitation.customer_id,
        scenario,
        context: invitation.context,
        invitation_id: Some(invitation.invitation_id),
    })
}

/// One call checked, scored and stored-to-be.
async fn one(
    parts: &Parts,
    call: &Call,
    answering: Answering,
    customers: &HashMap<String, Customer>,
    policy: &SurveyPolicy,
    now: DateTime<Utc>,
) -> Result<Prepared, Error> {
    let submission = &call.submission;
    let response = crate::domain::Response::new(
        &answering.scenario.scenario,
        &submission.moment_scores,
        &submission.attribute_scores,
        submission.nps,
        &submission.comment,
    )?;
    let customer = customers
        .get(&answering.customer_id)
        .ok_or_else(|| Error::not_found("customer", &answering.customer_id))?;
    let windows = parts
        .baselines
        .windows(
            parts.db.conn(),
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
        policy,
        &baseline,
        &parts.settings.follow_up_desk,
    );
    let answer = pb::SubmitResponseResponse {
        score: Some(score_answer(&stored, policy.peak_weight())),
    };
    Ok(Prepared {
        key: call.key.clone(),
        stored,
        answer,
    })
}
