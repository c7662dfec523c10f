//! A response's journey score as the contract shows it (SubmitResponse, GetResponse): each
//! figure with the moments behind it — the mean with its moments, the weighted mean with each
//! moment's importance, peak and end with their names, the peak-end blend or why there is
//! none, how far it lies from the mean, the gaps in scenario order — and its follow-up.
//!
//! What the score does not carry (ids, the weight it was scored under, the follow-up's
//! progress, when it came) is a [`ScoreRecord`] the store keeps and the handler fills.

use chrono::{DateTime, Utc};
use vipcare_proto::survey::v1 as pb;

use super::codes::{code, detraction_reason_from_code};
use super::timestamp;
use crate::domain::codes::FollowUpState;
use crate::domain::{Detraction, Gap, JourneyScore, Mean, MomentFigure, PeakWeight, Weighted};
use crate::domain::{PeakEnd, RatedMoment};

/// What is kept beside a response's score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    pub response_id: String,
    pub customer_id: String,
    pub scenario_code: String,
    pub scenario_version: u32,
    pub nps: Option<u8>,
    /// The weight the response was scored under: shown even when there is no peak-end.
    pub peak_weight: PeakWeight,
    pub follow_up: FollowUpRecord,
    pub submit_time: DateTime<Utc>,
}

/// Where a response's follow-up stands.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRecord {
    pub state: FollowUpState,
    /// As `DetractionReason::code` writes them, in the domain's order.
    pub reasons: Vec<String>,
    /// The code of the lowest-scored moment, the follow-up's reason.
    pub worst_moment: Option<String>,
    pub owner: Option<String>,
    pub complaint_id: Option<String>,
    /// Why the complaint service refused it.
    pub refusal: Option<String>,
}

impl FollowUpRecord {
    /// A fresh response's: PENDING with the detraction's reasons and worst moment, owned by
    /// `owner` (see `crate::domain::follow_up_owner`), or NONE without a detraction.
    pub fn of(detraction: Option<&Detraction>, owner: Option<&str>) -> FollowUpRecord {
        let Some(d) = detraction else {
            return FollowUpRecord {
                state: FollowUpState::None,
                reasons: Vec::new(),
                worst_moment: None,
                owner: None,
                complaint_id: None,
                refusal: None,
            };
        };
        FollowUpRecord {
            state: FollowUpState::Pending,
            reasons: d.reasons.iter().map(|r| r.code().to_owned()).collect(),
            worst_moment: Some(d.worst_moment.clone()),
            owner: owner.map(str::to_owned),
            complaint_id: None,
            refusal: None,
        }
    }
}

pub fn score_to_proto(score: &JourneyScore, record: &ScoreRecord) -> pb::JourneyScore {
    let JourneyScore {
        rated,
        mean,
        weighted,
        peak,
        end,
        peak_end,
        gaps,
    } = score;
    let ScoreRecord {
        response_id,
        customer_id,
        scenario_code,
        scenario_version,
        nps,
        peak_weight,
        follow_up,
        submit_time,
    } = record;
    let Mean { value, moments } = mean;
    let (blend, no_peak_end_reason, peak_weight) = match peak_end {
        Ok(PeakEnd {
            value,
            peak_moment: _,
            end_moment: _,
            peak_weight,
        }) => (Some(*value), String::new(), *peak_weight),
        Err(no) => (None, no.to_string(), peak_weight.get()),
    };
    pb::JourneyScore {
        response_id: response_id.clone(),
        customer_id: customer_id.clone(),
        scenario_code: scenario_code.clone(),
        scenario_version: *scenario_version,
        mean: Some(pb::Average {
            value: *value,
            moment_codes: moments.clone(),
        }),
        weighted: Some(weighted_to_proto(weighted, rated)),
        peak: Some(figure_to_proto(peak, rated)),
        end: end.as_ref().map(|end| figure_to_proto(end, rated)),
        peak_end: blend,
        no_peak_end_reason,
        peak_weight,
        peak_end_minus_mean: score.peak_end_minus_mean().ok(),
        gaps: gaps.iter().map(gap_to_proto).collect(),
        nps: nps.map(i32::from),
        follow_up: Some(follow_up_to_proto(follow_up, rated)),
        submit_time: Some(timestamp(*submit_time)),
    }
}

/// The contract shows each moment's importance, the weight before it is divided by the
/// rated moments' total (the domain's fractions add up to 1; importances are what an
/// operator recognises from the scenario).
fn weighted_to_proto(weighted: &Weighted, rated: &[RatedMoment]) -> pb::WeightedAverage {
    let Weighted { value, weights } = weighted;
    pb::WeightedAverage {
        value: *value,
        weights: weights
            .iter()
            .map(|(moment, _fraction)| pb::MomentWeight {
                moment_code: moment.clone(),
                importance: rated_moment(rated, moment).map_or(0.0, |m| m.importance),
            })
            .collect(),
    }
}

fn figure_to_proto(figure: &MomentFigure, rated: &[RatedMoment]) -> pb::MomentFigure {
    let MomentFigure { moment, score } = figure;
    pb::MomentFigure {
        moment_code: moment.clone(),
        name: rated_moment(rated, moment).map_or_else(String::new, |m| m.name.clone()),
        score: i32::from(*score),
    }
}

fn gap_to_proto(gap: &Gap) -> pb::MomentGap {
    let Gap {
        moment,
        score,
        baseline,
        gap,
    } = gap;
    pb::MomentGap {
        moment_code: moment.clone(),
        score: i32::from(*score),
        baseline: *baseline,
        gap: *gap,
    }
}

/// The worst moment's name and score are those it was rated with in this response.
fn follow_up_to_proto(follow_up: &FollowUpRecord, rated: &[RatedMoment]) -> pb::FollowUp {
    let FollowUpRecord {
        state,
        reasons,
        worst_moment,
        owner,
        complaint_id,
        refusal,
    } = follow_up;
    pb::FollowUp {
        state: code::<pb::FollowUpState>(*state),
        reasons: reasons
            .iter()
            .map(|r| code::<pb::DetractionReason>(detraction_reason_from_code(r)))
            .collect(),
        worst_moment: worst_moment.as_ref().map(|worst| {
            let score = rated_moment(rated, worst).map_or(0, |m| m.score);
            let figure = MomentFigure {
                moment: worst.clone(),
                score,
            };
            figure_to_proto(&figure, rated)
        }),
        owner: owner.clone().unwrap_or_default(),
        complaint_id: complaint_id.clone().unwrap_or_default(),
        refusal: refusal.clone().unwrap_or_default(),
    }
}

fn rated_moment<'a>(rated: &'a [RatedMoment], code: &str) -> Option<&'a RatedMoment> {
    rated.iter().find(|m| m.code == code)
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
