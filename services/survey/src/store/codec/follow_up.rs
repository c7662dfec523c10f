//! A response's follow-up as its row keeps it: the state and what it settled to in columns
//! (ListDetractors filters by state), the reasons, the worst moment and the owner as JSON.

use sea_orm::QueryResult;
use serde::{Deserialize, Serialize};

use crate::domain::codes::FollowUpState as FollowUpCode;
use crate::domain::{Detraction, DetractionReason, JourneyScore};
use crate::store::StoreError;
use crate::store::error::corrupt;
use crate::store::responses::{FollowUp, FollowUpState};

#[derive(Serialize, Deserialize, Default)]
pub(super) struct FollowUpJson {
    /// (code, figure, end moment) per reason: the figure is the peak-end, the end's score or
    /// the NPS as the code says.
    reasons: Vec<(String, f64, String)>,
    worst: Option<(String, String, u8)>,
    owner: Option<String>,
}

/// The JSON of `f`.
pub(super) fn encode(f: &FollowUp) -> FollowUpJson {
    let Some(d) = &f.detraction else {
        return FollowUpJson {
            owner: f.owner.clone(),
            ..FollowUpJson::default()
        };
    };
    let reasons = d
        .reasons
        .iter()
        .map(|r| match r {
            DetractionReason::PeakEndLow { peak_end } => {
                (r.code().into(), *peak_end, String::new())
            }
            DetractionReason::EndLow { end_moment, score } => {
                (r.code().into(), f64::from(*score), end_moment.clone())
            }
            DetractionReason::NpsLow { nps } => (r.code().into(), f64::from(*nps), String::new()),
        })
        .collect();
    FollowUpJson {
        reasons,
        worst: Some((
            d.worst_moment.clone(),
            d.worst_moment_name.clone(),
            d.worst_score,
        )),
        owner: f.owner.clone(),
    }
}

/// The follow-up of a response row whose `score` and `nps` are decoded.
pub(super) fn decode(
    row: &QueryResult,
    score: &JourneyScore,
    nps: Option<u8>,
) -> Result<FollowUp, StoreError> {
    let state: String = row.try_get("", "follow_up_state")?;
    let complaint_id: Option<String> = row.try_get("", "follow_up_complaint_id")?;
    let refusal: Option<String> = row.try_get("", "follow_up_refusal")?;
    let state = match FollowUpCode::from_code(&state) {
        Some(FollowUpCode::None) => FollowUpState::None,
        Some(FollowUpCode::Pending) => FollowUpState::Pending,
        Some(FollowUpCode::Opened) => FollowUpState::Opened {
            complaint_id: complaint_id.unwrap_or_default(),
        },
        Some(FollowUpCode::Refused) => FollowUpState::Refused {
            reason: refusal.unwrap_or_default(),
        },
        None => return Err(corrupt("follow-up state", state)),
    };
    let json: FollowUpJson = super::decode("follow-up", &row.try_get::<String>("", "follow_up")?)?;
    let reasons = json
        .reasons
        .into_iter()
        .map(|(code, figure, end_moment)| match code.as_str() {
            "PEAK_END_LOW" => Ok(DetractionReason::PeakEndLow { peak_end: figure }),
            "END_LOW" => Ok(DetractionReason::EndLow {
                end_moment,
                score: figure as u8,
            }),
            "NPS_LOW" => Ok(DetractionReason::NpsLow { nps: figure as u8 }),
            other => Err(corrupt("detraction reason", other)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let detraction = json.worst.map(
        |(worst_moment, worst_moment_name, worst_score)| Detraction {
            reasons,
            worst_moment,
            worst_moment_name,
            worst_score,
            peak_end: score.peak_end.as_ref().ok().map(|pe| pe.value),
            nps,
        },
    );
    Ok(FollowUp {
        state,
        detraction,
        owner: json.owner,
    })
}
