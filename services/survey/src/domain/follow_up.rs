//! Closing the loop: a response that says the customer left unhappy — a low peak-end score, a
//! low score for how it ended, or a low likelihood to recommend — is a detraction, and someone
//! calls the customer back about the moment that went worst. The staff member the survey is
//! about owns that call first (they know what happened), else the customer's account manager.

use vipcare_domain::{Invalid, Violation};

use super::response::RatedMoment;
use super::score::JourneyScore;

/// At or below any of these, a response is a detraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    peak_end_at_most: f64,
    end_at_most: u8,
    nps_at_most: u8,
}

impl Default for Thresholds {
    /// A peak-end of 2.5 or less, an end scored 1 or 2, an NPS detractor (0-6).
    fn default() -> Thresholds {
        Thresholds {
            peak_end_at_most: 2.5,
            end_at_most: 2,
            nps_at_most: 6,
        }
    }
}

/// Why a response is a detraction.
#[derive(Debug, Clone, PartialEq)]
pub enum DetractionReason {
    PeakEndLow { peak_end: f64 },
    EndLow { end_moment: String, score: u8 },
    NpsLow { nps: u8 },
}

impl DetractionReason {
    pub fn code(&self) -> &'static str {
        match self {
            DetractionReason::PeakEndLow { .. } => "PEAK_END_LOW",
            DetractionReason::EndLow { .. } => "END_LOW",
            DetractionReason::NpsLow { .. } => "NPS_LOW",
        }
    }
}

/// A response that calls for a follow-up, and what it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Detraction {
    /// In the order peak-end, end, NPS.
    pub reasons: Vec<DetractionReason>,
    pub worst_moment: String,
    pub worst_moment_name: String,
    pub worst_score: u8,
    pub peak_end: Option<f64>,
    pub nps: Option<u8>,
}

impl Thresholds {
    /// `peak_end_at_most` 1 to 5, `end_at_most` 1 to 5, `nps_at_most` 0 to 10; violations name
    /// each.
    pub fn new(
        peak_end_at_most: f64,
        end_at_most: i32,
        nps_at_most: i32,
    ) -> Result<Thresholds, Vec<Violation>> {
        let mut found = Vec::new();
        if !(1.0..=5.0).contains(&peak_end_at_most) {
            found.push(Invalid::new("must be 1 to 5").at("peak_end_at_most"));
        }
        let end = u8::try_from(end_at_most)
            .ok()
            .filter(|e| (1..=5).contains(e));
        if end.is_none() {
            found.push(Invalid::new("must be 1 to 5").at("end_at_most"));
        }
        let nps = u8::try_from(nps_at_most).ok().filter(|n| *n <= 10);
        if nps.is_none() {
            found.push(Invalid::new("must be 0 to 10").at("nps_at_most"));
        }
        match (end, nps) {
            (Some(end_at_most), Some(nps_at_most)) if found.is_empty() => Ok(Thresholds {
                peak_end_at_most,
                end_at_most,
                nps_at_most,
            }),
            _ => Err(found),
        }
    }

    /// `Some` when the response's `score` or its `nps` answer is at or below a threshold.
    pub fn detraction(&self, score: &JourneyScore, nps: Option<u8>) -> Option<Detraction> {
        let peak_end = score.peak_end.as_ref().ok().map(|pe| pe.value);
        let mut reasons = Vec::new();
        if let Some(pe) = peak_end.filter(|pe| *pe <= self.peak_end_at_most) {
            reasons.push(DetractionReason::PeakEndLow { peak_end: pe });
        }
        if let Some(end) = score.end.as_ref().filter(|e| e.score <= self.end_at_most) {
            reasons.push(DetractionReason::EndLow {
                end_moment: end.moment.clone(),
                score: end.score,
            });
        }
        if let Some(n) = nps.filter(|n| *n <= self.nps_at_most) {
            reasons.push(DetractionReason::NpsLow { nps: n });
        }
        if reasons.is_empty() {
            return None;
        }
        let worst = worst_of(&score.rated);
        Some(Detraction {
            reasons,
            worst_moment: worst.code.clone(),
            worst_moment_name: worst.name.clone(),
            worst_score: worst.score,
            peak_end,
            nps,
        })
    }
}

/// The lowest-scored rated moment; ties go to the more important, then the earlier.
fn worst_of(rated: &[RatedMoment]) -> &RatedMoment {
    let mut worst = &rated[0];
    for m in &rated[1..] {
        let worse = worst
            .score
            .cmp(&m.score)
            .then(m.importance.total_cmp(&worst.importance));
        if worse.is_gt() {
            worst = m;
        }
    }
    worst
}

impl Detraction {
    /// The one-line summary of the follow-up, in Chinese for the staff who make the call,
    /// e.g. "回访：投诉处理 评分 1/5，峰终分 2.5".
    pub fn summary(&self) -> String {
        let mut line = format!(
            "回访：{} 评分 {}/5",
            self.worst_moment_name, self.worst_score
        );
        if let Some(pe) = self.peak_end {
            line.push_str(&format!("，峰终分 {pe:.1}"));
        }
        if let Some(nps) = self.nps {
            line.push_str(&format!("，推荐意愿 {nps}/10"));
        }
        line
    }
}

/// Who calls the customer back: the staff member the survey is about, else the customer's
/// account manager; `None` leaves it to the service's default queue.
pub fn follow_up_owner<'a>(
    context_staff: Option<&'a str>,
    account_manager: Option<&'a str>,
) -> Option<&'a str> {
    context_staff.or(account_manager)
}

#[cfg(test)]
#[path = "follow_up_tests.rs"]
mod tests;
