//! Responses as submitted, each with the journey score it was given and its follow-up. A
//! response is one row, written in the caller's transaction with the customer's latest
//! satisfaction, so SubmitResponse's whole effect (its `request_id` record, the invitation
//! marked answered, the response, the satisfaction, the follow-up's outbox row) commits
//! together or not at all. The roll-ups are not touched here: the roller folds new rows in.
//! The same transaction records the customer's cached view as stale (its satisfaction section
//! changes); the request flow bumps it after the commit, a replay after a crash.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use vipcare_cache::tags;
use vipcare_storage::invalidation;

use super::codec::{RESPONSE_COLUMNS, response, response_values, select_responses};
use super::{StoreError, ms, rollup, satisfaction, statement};
use crate::domain::codes::FollowUpState as FollowUpCode;
use crate::domain::{AttributeScore, Detraction, JourneyScore, SurveyChannel, SurveyContext};

/// Where the follow-up of a response stands, with what it settled to. Its code (and the row's
/// `follow_up_state` column) is the domain's [`FollowUpCode`]: one mapping of states to codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpState {
    /// Not a detraction: nobody calls back.
    None,
    /// A detraction, on its way to the complaint service through the outbox.
    Pending,
    /// The follow-up complaint is open.
    Opened { complaint_id: String },
    /// The complaint service refused it (e.g. the customer was erased).
    Refused { reason: String },
}

impl FollowUpState {
    /// The state without what it settled to.
    pub fn kind(&self) -> FollowUpCode {
        match self {
            FollowUpState::None => FollowUpCode::None,
            FollowUpState::Pending => FollowUpCode::Pending,
            FollowUpState::Opened { .. } => FollowUpCode::Opened,
            FollowUpState::Refused { .. } => FollowUpCode::Refused,
        }
    }

    /// The stored code: the domain's.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }
}

/// A response's follow-up: why, about which moment, and who owns the call.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub state: FollowUpState,
    /// `None` when the response is not a detraction.
    pub detraction: Option<Detraction>,
    /// The staff member of the context, else the account manager; `None`: the default queue.
    pub owner: Option<String>,
}

impl FollowUp {
    /// PENDING for a detraction, NONE otherwise.
    pub fn of(detraction: Option<Detraction>, owner: Option<String>) -> FollowUp {
        let state = match detraction {
            Some(_) => FollowUpState::Pending,
            None => FollowUpState::None,
        };
        FollowUp {
            state,
            detraction,
            owner,
        }
    }
}

/// A response as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub response_id: String,
    pub customer_id: String,
    pub scenario_code: String,
    pub scenario_version: u32,
    /// `None` for a staff-assisted response.
    pub invitation_id: Option<String>,
    pub context: SurveyContext,
    pub channel: SurveyChannel,
    /// The customer's tier when answering.
    pub tier: String,
    pub submit_time: DateTime<Utc>,
    pub attribute_scores: Vec<AttributeScore>,
    pub nps: Option<u8>,
    pub comment: String,
    /// As returned; its rated moments are the response's moment scores, in journey order.
    pub score: JourneyScore,
    pub follow_up: FollowUp,
}

/// Stores a new response and updates the customer's latest satisfaction, inside `txn` (the
/// caller's transaction: it commits them with the rest of the submission).
pub async fn insert<C: ConnectionTrait>(txn: &C, r: &StoredResponse) -> Result<(), StoreError> {
    let marks: Vec<String> = (1..=RESPONSE_COLUMNS.len())
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "INSERT INTO responses ({}) VALUES ({})",
        RESPONSE_COLUMNS.join(", "),
        marks.join(", ")
    );
    txn.execute_raw(statement(txn, &sql, response_values(r)?))
        .await?;
    rollup::queue(txn, &[(&r.response_id, ms(r.submit_time))]).await?;
    satisfaction::record_many(txn, &[r]).await?;
    invalidation::record(txn, &[tags::customer(&r.customer_id)]).await?;
    Ok(())
}

/// Whether any response is stored (a history import is loaded once).
pub async fn any<C: ConnectionTrait>(conn: &C) -> Result<bool, StoreError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT 1 AS one FROM responses LIMIT 1",
            [],
        ))
        .await?;
    Ok(row.is_some())
}

/// The response, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &str) -> Result<StoredResponse, StoreError> {
    let sql = format!("{} WHERE response_id = $1", select_responses());
    let row = conn
        .query_one_raw(statement(conn, &sql, [id.into()]))
        .await?;
    row.as_ref()
        .map(response)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("response", id))
}

/// Records what the complaint service did with a PENDING follow-up: OPENED with its complaint,
/// or REFUSED with the reason. Only a pending one moves (the relay may deliver twice); whether
/// this call moved it.
pub async fn set_follow_up<C: ConnectionTrait>(
    conn: &C,
    response_id: &str,
    outcome: &FollowUpState,
) -> Result<bool, StoreError> {
    let (complaint_id, refusal) = match outcome {
        FollowUpState::Opened { complaint_id } => (Some(complaint_id.clone()), None),
        FollowUpState::Refused { reason } => (None, Some(reason.clone())),
        FollowUpState::None | FollowUpState::Pending => {
            return Err(StoreError::Internal(format!(
                "a follow-up is settled OPENED or REFUSED, not {}",
                outcome.code()
            )));
        }
    };
    let done = conn
        .execute_raw(statement(
            conn,
            "UPDATE responses SET follow_up_state = $2, follow_up_complaint_id = $3, \
             follow_up_refusal = $4 WHERE response_id = $1 AND follow_up_state = $5",
            [
                response_id.into(),
                outcome.code().into(),
                complaint_id.into(),
                refusal.into(),
                FollowUpCode::Pending.code().into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}
