//! The journey score of one response (the peak-end rule, DOMAIN.md section 5): a customer
//! remembers an experience by its most intense moment, good or bad, and by its end, not by the
//! average. So beside the plain and the importance-weighted means it finds the peak and the
//! end and blends them, `peak_end = w·peak + (1−w)·end`; each figure names the moments behind
//! it, so a report or a follow-up can say *why*.

use vipcare_domain::Invalid;

use super::response::{RatedMoment, Response};

/// A rating's neutral middle: the peak is the score farthest from it.
pub const NEUTRAL: u8 = 3;

/// How much the peak counts against the end, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeakWeight(f64);

impl Default for PeakWeight {
    /// Peak and end count alike, as the rule is usually stated.
    fn default() -> PeakWeight {
        PeakWeight(0.5)
    }
}

impl PeakWeight {
    pub fn new(w: f64) -> Result<PeakWeight, Invalid> {
        if (0.0..=1.0).contains(&w) {
            Ok(PeakWeight(w))
        } else {
            Err(Invalid::new("must be 0 to 1"))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// The plain average of the rated moments.
#[derive(Debug, Clone, PartialEq)]
pub struct Mean {
    pub value: f64,
    pub moments: Vec<String>,
}

/// The importance-weighted average: each moment's weight is its importance over the sum of
/// the rated moments' importance, so the weights add up to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    pub value: f64,
    pub weights: Vec<(String, f64)>,
}

/// One moment's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentFigure {
    pub moment: String,
    pub score: u8,
}

/// The peak-end blend and the moments it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakEnd {
    pub value: f64,
    pub peak_moment: String,
    pub end_moment: String,
    pub peak_weight: f64,
}

/// Why a response has no peak-end score.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoPeakEnd {
    /// The customer did not rate how the experience ended, and an end is not guessed.
    #[error("the end moment {end_moment} is not rated")]
    EndMomentNotRated { end_moment: String },
}

/// A rated moment's score against its baseline: below 0 is worse than usual.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub moment: String,
    pub score: u8,
    pub baseline: f64,
    pub gap: f64,
}

/// Every figure of one response's journey.
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyScore {
    /// The rated moments, in journey order.
    pub rated: Vec<RatedMoment>,
    pub mean: Mean,
    pub weighted: Weighted,
    pub peak: MomentFigure,
    /// `None` when the end moment is not rated.
    pub end: Option<MomentFigure>,
    pub peak_end: Result<PeakEnd, NoPeakEnd>,
    /// One per rated moment, in journey order.
    pub gaps: Vec<Gap>,
}

impl JourneyScore {
    /// Scores a checked response; `baseline` gives a moment's usual score by its code (see
    /// [`super::baseline`]).
    pub fn of(response: &Response, baseline: &dyn Fn(&str) -> f64, w: PeakWeight) -> JourneyScore {
        let rated = response.rated().to_vec();
        let n = rated.len() as f64;
        let mean = Mean {
            value: rated.iter().map(|m| f64::from(m.score)).sum::<f64>() / n,
            moments: rated.iter().map(|m| m.code.clone()).collect(),
        };
        let total_importance: f64 = rated.iter().map(|m| m.importance).sum();
        let weights: Vec<(String, f64)> = rated
            .iter()
            .map(|m| (m.code.clone(), m.importance / total_importance))
            .collect();
        let weighted = Weighted {
            value: rated
                .iter()
                .map(|m| m.importance * f64::from(m.score))
                .sum::<f64>()
                / total_importance,
            weights,
        };
        let peak = figure(peak_of(&rated));
        let end = response.rated_moment(response.end_moment()).map(figure);
        let peak_end = match &end {
            Some(end) => Ok(PeakEnd {
                value: w.0 * f64::from(peak.score) + (1.0 - w.0) * f64::from(end.score),
                peak_moment: peak.moment.clone(),
                end_moment: end.moment.clone(),
                peak_weight: w.0,
            }),
            None => Err(NoPeakEnd::EndMomentNotRated {
                end_moment: response.end_moment().to_owned(),
            }),
        };
        let gaps = rated
            .iter()
            .map(|m| {
                let baseline = baseline(&m.code);
                Gap {
                    moment: m.code.clone(),
                    score: m.score,
                    baseline,
                    gap: f64::from(m.score) - baseline,
                }
            })
            .collect();
        JourneyScore {
            rated,
            mean,
            weighted,
            peak,
            end,
            peak_end,
            gaps,
        }
    }

    /// How far the remembered experience lies from the average one: below 0, the customer
    /// remembers it worse than it went on the whole.
    pub fn peak_end_minus_mean(&self) -> Result<f64, NoPeakEnd> {
        self.peak_end
            .as_ref()
            .map(|pe| pe.value - self.mean.value)
            .map_err(Clone::clone)
    }
}

fn figure(m: &RatedMoment) -> MomentFigure {
    MomentFigure {
        moment: m.code.clone(),
        score: m.score,
    }
}

/// The rated moment farthest from neutral, good or bad. Ties go to the more important moment
/// (the one the customer cares about is the one remembered), then to the lower score (a bad
/// moment weighs more than a good one), then to the earlier moment.
fn peak_of(rated: &[RatedMoment]) -> &RatedMoment {
    let intensity = |m: &RatedMoment| m.score.abs_diff(NEUTRAL);
    let mut peak = &rated[0];
    for m in &rated[1..] {
        let stronger = intensity(m)
            .cmp(&intensity(peak))
            .then(m.importance.total_cmp(&peak.importance))
            .then(peak.score.cmp(&m.score));
        if stronger.is_gt() {
            peak = m;
        }
    }
    peak
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
