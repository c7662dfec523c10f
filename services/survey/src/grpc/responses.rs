//! GetResponse, ListResponses, GetSatisfaction and BatchGetSatisfaction: responses read back
//! with the score they were given and where their follow-up stands now, and each customer's
//! latest satisfaction (what the customer view and the tiering run read).

use tonic::{Request, Response};
use vipcare_domain::{Invalid, page_size};
use vipcare_proto::survey::v1 as pb;

use super::convert::codes::code;
use super::convert::invitation::context_to_proto;
use super::convert::score::{FollowUpRecord, ScoreRecord, score_to_proto};
use super::convert::{optional_time, timestamp};
use super::{Reply, SurveyApi};
use crate::domain::PeakWeight;
use crate::domain::text::party_id;
use crate::store::listing::{self, ResponseFilter};
use crate::store::satisfaction::{self, MAX_BATCH, Satisfaction};
use crate::store::{FollowUp, FollowUpState, StoredResponse, responses};

pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 500;

pub async fn get(
    api: &SurveyApi,
    r: Request<pb::GetResponseRequest>,
) -> Reply<pb::GetResponseResponse> {
    let pb::GetResponseRequest { response_id } = r.into_inner();
    if response_id.is_empty() {
        return Err(Invalid::new("required").at("response_id").into());
    }
    let stored = responses::get(api.db.conn(), &response_id).await?;
    let weight = api.policy().await?.policy.peak_weight();
    Ok(Response::new(pb::GetResponseResponse {
        response: Some(response_to_proto(&stored, weight)),
    }))
}

pub async fn list(
    api: &SurveyApi,
    r: Request<pb::ListResponsesRequest>,
) -> Reply<pb::ListResponsesResponse> {
    let pb::ListResponsesRequest {
        customer_id,
        scenario_code,
        hall_id,
        staff_id,
        start_time,
        end_time,
        page_size: requested,
        page_token,
    } = r.into_inner();
    let size = page_size(requested, DEFAULT_PAGE, MAX_PAGE).map_err(|e| e.at("page_size"))?;
    let filter = ResponseFilter {
        customer_id: given(customer_id),
        scenario_code: given(scenario_code),
        hall_id: given(hall_id),
        staff_id: given(staff_id),
        from: optional_time(start_time.as_ref(), "start_time")?,
        before: optional_time(end_time.as_ref(), "end_time")?,
    };
    let page = listing::list(api.db.conn(), &filter, &page_token, size).await?;
    let weight = api.policy().await?.policy.peak_weight();
    Ok(Response::new(pb::ListResponsesResponse {
        responses: page
            .responses
            .iter()
            .map(|s| response_to_proto(s, weight))
            .collect(),
        next_page_token: page.next_page_token,
    }))
}

pub async fn satisfaction(
    api: &SurveyApi,
    r: Request<pb::GetSatisfactionRequest>,
) -> Reply<pb::GetSatisfactionResponse> {
    let pb::GetSatisfactionRequest { customer_id } = r.into_inner();
    let customer_id = party_id(&customer_id).map_err(|e| e.at("customer_id"))?;
    let found = satisfaction::get(api.db.conn(), &customer_id).await?;
    Ok(Response::new(pb::GetSatisfactionResponse {
        satisfaction: Some(satisfaction_to_proto(&found)),
    }))
}

pub async fn batch_satisfaction(
    api: &SurveyApi,
    r: Request<pb::BatchGetSatisfactionRequest>,
) -> Reply<pb::BatchGetSatisfactionResponse> {
    let pb::BatchGetSatisfactionRequest { customer_ids } = r.into_inner();
    if customer_ids.is_empty() || customer_ids.len() > MAX_BATCH {
        let reason = format!("give 1 to {MAX_BATCH} customer ids");
        return Err(Invalid::new(reason).at("customer_ids").into());
    }
    let mut ids: Vec<&str> = customer_ids.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    let found = satisfaction::get_many(api.db.conn(), &ids).await?;
    Ok(Response::new(pb::BatchGetSatisfactionResponse {
        satisfactions: found.iter().map(satisfaction_to_proto).collect(),
    }))
}

/// A stored response's journey score as SubmitResponse answered it, its follow-up as it stands
/// now. `weight` is shown for a response without a peak-end (whose own weight is not kept).
pub fn score_answer(stored: &StoredResponse, weight: PeakWeight) -> pb::JourneyScore {
    let record = ScoreRecord {
        response_id: stored.response_id.clone(),
        customer_id: stored.customer_id.clone(),
        scenario_code: stored.scenario_code.clone(),
        scenario_version: stored.scenario_version,
        nps: stored.nps,
        peak_weight: weight,
        follow_up: follow_up_record(&stored.follow_up),
        submit_time: stored.submit_time,
    };
    score_to_proto(&stored.score, &record)
}

fn follow_up_record(f: &FollowUp) -> FollowUpRecord {
    let mut record = FollowUpRecord::of(f.detraction.as_ref(), f.owner.as_deref());
    record.state = f.state.kind();
    match &f.state {
        FollowUpState::Opened { complaint_id } => record.complaint_id = Some(complaint_id.clone()),
        FollowUpState::Refused { reason } => record.refusal = Some(reason.clone()),
        FollowUpState::None | FollowUpState::Pending => {}
    }
    record
}

pub fn response_to_proto(s: &StoredResponse, weight: PeakWeight) -> pb::SurveyResponse {
    pb::SurveyResponse {
        response_id: s.response_id.clone(),
        customer_id: s.customer_id.clone(),
        scenario_code: s.scenario_code.clone(),
        scenario_version: s.scenario_version,
        context: Some(context_to_proto(&s.context)),
        channel: code::<pb::SurveyChannel>(s.channel),
        invitation_id: s.invitation_id.clone().unwrap_or_default(),
        moment_scores: s
            .score
            .rated
            .iter()
            .map(|m| pb::MomentScore {
                moment_code: m.code.clone(),
                score: i32::from(m.score),
            })
            .collect(),
        attribute_scores: s
            .attribute_scores
            .iter()
            .map(|a| pb::AttributeScore {
                moment_code: a.moment.clone(),
                attribute_code: a.attribute.clone(),
                score: i32::from(a.score),
            })
            .collect(),
        nps: s.nps.map(i32::from),
        comment: s.comment.clone(),
        tier: s.tier.clone(),
        score: Some(score_answer(s, weight)),
    }
}

/// A detractor as ListDetractors shows it.
pub fn detractor_to_proto(s: &StoredResponse, weight: PeakWeight) -> pb::Detractor {
    let score = score_answer(s, weight);
    pb::Detractor {
        response_id: s.response_id.clone(),
        customer_id: s.customer_id.clone(),
        scenario_code: s.scenario_code.clone(),
        context: Some(context_to_proto(&s.context)),
        peak_end: score.peak_end,
        nps: s.nps.map(i32::from),
        follow_up: score.follow_up,
        submit_time: Some(timestamp(s.submit_time)),
    }
}

fn satisfaction_to_proto(s: &Satisfaction) -> pb::Satisfaction {
    pb::Satisfaction {
        customer_id: s.customer_id.clone(),
        peak_end: s.peak_end.map(|(value, _)| value),
        nps: s.nps.map(|(nps, _)| i32::from(nps)),
        scenario_code: s.scenario_code.clone(),
        response_id: s.response_id.clone(),
        submit_time: Some(timestamp(s.submit_time)),
        peak_end_time: s.peak_end.map(|(_, given)| timestamp(given)),
    }
}

/// Empty means "not given" for the contract's optional strings.
fn given(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}
