//! Response rows to stored responses and back. The rated moments (as scored: name, place,
//! importance, score), the attribute scores, the journey score's figures and the follow-up's
//! reasons are JSON: read and written whole, never queried. What is queried or rolled up (the
//! context, the day, NPS, mean, peak-end, the end score, the follow-up state) has columns.

mod follow_up;

use sea_orm::{QueryResult, Value};
use serde::{Deserialize, Serialize};

use super::error::{corrupt, unencodable};
use super::responses::{FollowUpState, StoredResponse};
use super::{StoreError, day_key, day_of, ms, time};
use crate::domain::{
    AttributeScore, Gap, JourneyScore, Mean, MomentFigure, NoPeakEnd, PeakEnd, RatedMoment,
    SurveyChannel, SurveyContext, Weighted,
};

/// The response columns, in the order [`response_values`] binds them; the id first.
pub(super) const RESPONSE_COLUMNS: [&str; RESPONSE_WIDTH] = [
    "response_id",
    "customer_id",
    "scenario_code",
    "scenario_version",
    "invitation_id",
    "complaint_id",
    "hall_id",
    "staff_id",
    "event_id",
    "channel",
    "tier",
    "submit_ms",
    "day",
    "moment_scores",
    "attribute_scores",
    "nps",
    "comment",
    "score",
    "mean",
    "peak_end",
    "end_score",
    "follow_up_state",
    "follow_up",
    "follow_up_complaint_id",
    "follow_up_refusal",
];
pub(super) const RESPONSE_WIDTH: usize = 25;

/// `SELECT <every response column> FROM responses`.
pub(super) fn select_responses() -> String {
    format!("SELECT {} FROM responses", RESPONSE_COLUMNS.join(", "))
}

#[derive(Serialize, Deserialize)]
struct RatedJson {
    code: String,
    name: String,
    position: usize,
    importance: f64,
    score: u8,
}

/// The journey score's figures besides its rated moments.
#[derive(Serialize, Deserialize)]
struct ScoreJson {
    mean: f64,
    weighted: f64,
    /// Per rated moment, in journey order.
    weights: Vec<f64>,
    peak: (String, u8),
    end: Option<(String, u8)>,
    peak_weight: f64,
    /// The end moment not rated, when there is no peak-end.
    no_peak_end: Option<String>,
    /// (baseline, gap) per rated moment, in journey order.
    gaps: Vec<(f64, f64)>,
}

fn json(what: &str, v: Result<String, serde_json::Error>) -> Result<String, StoreError> {
    v.map_err(|e| unencodable(what, e))
}

/// The row of `r`.
pub(super) fn response_values(r: &StoredResponse) -> Result<[Value; RESPONSE_WIDTH], StoreError> {
    let s = &r.score;
    let rated: Vec<RatedJson> = s
        .rated
        .iter()
        .map(|m| RatedJson {
            code: m.code.clone(),
            name: m.name.clone(),
            position: m.position,
            importance: m.importance,
            score: m.score,
        })
        .collect();
    let attributes: Vec<(&str, &str, u8)> = r
        .attribute_scores
        .iter()
        .map(|a| (a.moment.as_str(), a.attribute.as_str(), a.score))
        .collect();
    let (peak_weight, no_peak_end) = match &s.peak_end {
        Ok(pe) => (pe.peak_weight, None),
        Err(NoPeakEnd::EndMomentNotRated { end_moment }) => (0.0, Some(end_moment.clone())),
    };
    let score = ScoreJson {
        mean: s.mean.value,
        weighted: s.weighted.value,
        weights: s.weighted.weights.iter().map(|(_, w)| *w).collect(),
        peak: (s.peak.moment.clone(), s.peak.score),
        end: s.end.as_ref().map(|e| (e.moment.clone(), e.score)),
        peak_weight,
        no_peak_end,
        gaps: s.gaps.iter().map(|g| (g.baseline, g.gap)).collect(),
    };
    let state = r.follow_up.state.code();
    let (opened, refusal) = match &r.follow_up.state {
        FollowUpState::None | FollowUpState::Pending => (None, None),
        FollowUpState::Opened { complaint_id } => (Some(complaint_id.clone()), None),
        FollowUpState::Refused { reason } => (None, Some(reason.clone())),
    };
    let follow_up = follow_up::encode(&r.follow_up);
    let c = &r.context;
    Ok([
        r.response_id.clone().into(),
        r.customer_id.clone().into(),
        r.scenario_code.clone().into(),
        i64::from(r.scenario_version).into(),
        r.invitation_id.clone().into(),
        c.complaint_id.clone().into(),
        c.hall_id.clone().into(),
        c.staff_id.clone().into(),
        c.event_id.clone().into(),
        r.channel.code().into(),
        r.tier.clone().into(),
        ms(r.submit_time).into(),
        day_key(day_of(r.submit_time)).into(),
        json("moment scores", serde_json::to_string(&rated))?.into(),
        json("attribute scores", serde_json::to_string(&attributes))?.into(),
        r.nps.map(i64::from).into(),
        r.comment.clone().into(),
        json("journey score", serde_json::to_string(&score))?.into(),
        s.mean.value.into(),
        s.peak_end.as_ref().ok().map(|pe| pe.value).into(),
        s.end.as_ref().map(|e| i64::from(e.score)).into(),
        state.into(),
        json("follow-up", serde_json::to_string(&follow_up))?.into(),
        opened.into(),
        refusal.into(),
    ])
}

pub(super) fn decode<T: for<'de> Deserialize<'de>>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

/// The stored response of a row of [`select_responses`].
pub(super) fn response(row: &QueryResult) -> Result<StoredResponse, StoreError> {
    let id: String = row.try_get("", "response_id")?;
    let rated: Vec<RatedJson> = decode(
        "moment scores",
        &row.try_get::<String>("", "moment_scores")?,
    )?;
    let rated: Vec<RatedMoment> = rated
        .into_iter()
        .map(|m| RatedMoment {
            code: m.code,
            name: m.name,
            position: m.position,
            importance: m.importance,
            score: m.score,
        })
        .collect();
    let attributes: Vec<(String, String, u8)> = decode(
        "attribute scores",
        &row.try_get::<String>("", "attribute_scores")?,
    )?;
    let s: ScoreJson = decode("journey score", &row.try_get::<String>("", "score")?)?;
    if s.weights.len() != rated.len() || s.gaps.len() != rated.len() {
        return Err(corrupt("journey score", format!("of response {id}")));
    }
    let peak_end_value: Option<f64> = row.try_get("", "peak_end")?;
    let peak_end = match (&s.end, peak_end_value, s.no_peak_end) {
        (Some(end), Some(value), None) => Ok(PeakEnd {
            value,
            peak_moment: s.peak.0.clone(),
            end_moment: end.0.clone(),
            peak_weight: s.peak_weight,
        }),
        (None, None, Some(end_moment)) => Err(NoPeakEnd::EndMomentNotRated { end_moment }),
        _ => return Err(corrupt("peak-end", format!("of response {id}"))),
    };
    let figure = |(moment, score): (String, u8)| MomentFigure { moment, score };
    let score = JourneyScore {
        mean: Mean {
            value: s.mean,
            moments: rated.iter().map(|m| m.code.clone()).collect(),
        },
        weighted: Weighted {
            value: s.weighted,
            weights: rated
                .iter()
                .map(|m| m.code.clone())
                .zip(s.weights)
                .collect(),
        },
        peak: figure(s.peak),
        end: s.end.map(figure),
        peak_end,
        gaps: rated
            .iter()
            .zip(s.gaps)
            .map(|(m, (baseline, gap))| Gap {
                moment: m.code.clone(),
                score: m.score,
                baseline,
                gap,
            })
            .collect(),
        rated,
    };
    let nps: Option<i64> = row.try_get("", "nps")?;
    let nps = nps
        .map(|n| u8::try_from(n).map_err(|e| corrupt("nps", e)))
        .transpose()?;
    let channel: String = row.try_get("", "channel")?;
    let version: i64 = row.try_get("", "scenario_version")?;
    Ok(StoredResponse {
        customer_id: row.try_get("", "customer_id")?,
        scenario_code: row.try_get("", "scenario_code")?,
        scenario_version: u32::try_from(version).map_err(|e| corrupt("scenario version", e))?,
        invitation_id: row.try_get("", "invitation_id")?,
        context: SurveyContext {
            complaint_id: row.try_get("", "complaint_id")?,
            hall_id: row.try_get("", "hall_id")?,
            staff_id: row.try_get("", "staff_id")?,
            event_id: row.try_get("", "event_id")?,
        },
        channel: SurveyChannel::from_code(&channel)
            .ok_or_else(|| corrupt("response channel", &channel))?,
        tier: row.try_get("", "tier")?,
        submit_time: time(row.try_get("", "submit_ms")?),
        attribute_scores: attributes
            .into_iter()
            .map(|(moment, attribute, score)| AttributeScore {
                moment,
                attribute,
                score,
            })
            .collect(),
        nps,
        comment: row.try_get("", "comment")?,
        follow_up: follow_up::decode(row, &score, nps)?,
        score,
        response_id: id,
    })
}

/// Only what the roller counts of a rated moment.
#[derive(Deserialize)]
struct Scored {
    code: String,
    score: u8,
}

/// The (moment code, score) pairs of a `moment_scores` column.
pub(super) fn moment_scores(text: &str) -> Result<Vec<(String, u8)>, StoreError> {
    let scored: Vec<Scored> = decode("moment scores", text)?;
    Ok(scored.into_iter().map(|m| (m.code, m.score)).collect())
}
