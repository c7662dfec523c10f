//! A scenario's report over a period, from its merged [`Rollup`]: per moment how often it was
//! rated, how well, against what baseline, and where it falls on the importance–performance
//! grid; for the whole, NPS, CSAT and the mean peak-end score.
//!
//! The grid's crosshair is the classic one (Martilla–James): a moment is important when its
//! importance is above the scenario's mean importance (the study's rule), and performs high
//! when its mean is at least the mean of the report's moment means — the crosshair sits at the
//! centre of the moments actually rated, so the grid always separates better from worse in
//! this report, even when every moment does well. A moment nobody rated gets no quadrant.

use super::codes::Quadrant;
use super::rollup::Rollup;
use super::scenario::Scenario;

/// One moment of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentRow {
    pub moment: String,
    pub name: String,
    pub n: u64,
    /// `None` when not rated in the period.
    pub mean: Option<f64>,
    pub baseline: f64,
    /// mean − baseline.
    pub gap: Option<f64>,
    pub importance: f64,
    pub important: bool,
    pub quadrant: Option<Quadrant>,
}

/// A scenario's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub scenario: String,
    pub responses: u64,
    /// In journey order, every moment of the scenario.
    pub moments: Vec<MomentRow>,
    /// The performance line of the grid: the mean of the rated moments' means.
    pub performance_line: Option<f64>,
    pub importance_line: f64,
    /// −100 to 100; `None` without NPS answers.
    pub nps: Option<f64>,
    /// % of end-moment scores that are 4 or 5; `None` without any.
    pub csat: Option<f64>,
    pub peak_end_mean: Option<f64>,
}

impl Report {
    /// The report of `rollup`, the responses to `scenario` over a period (for one hall, staff
    /// member, tier or channel when the caller keyed its roll-ups so).
    pub fn build(scenario: &Scenario, rollup: &Rollup, baseline: &dyn Fn(&str) -> f64) -> Report {
        let tally = |code: &str| rollup.moments.get(code).copied().unwrap_or_default();
        let means: Vec<f64> = scenario
            .moments()
            .iter()
            .filter_map(|m| tally(&m.code).mean())
            .collect();
        let performance_line =
            (!means.is_empty()).then(|| means.iter().sum::<f64>() / means.len() as f64);
        let moments = scenario
            .moments()
            .iter()
            .map(|m| {
                let t = tally(&m.code);
                let mean = t.mean();
                let baseline = baseline(&m.code);
                let important = scenario.is_important(m);
                let quadrant = mean
                    .zip(performance_line)
                    .map(|(mean, line)| Quadrant::of(important, mean >= line));
                MomentRow {
                    moment: m.code.clone(),
                    name: m.name.clone(),
                    n: t.n,
                    mean,
                    baseline,
                    gap: mean.map(|mean| mean - baseline),
                    importance: m.importance,
                    important,
                    quadrant,
                }
            })
            .collect();
        Report {
            scenario: scenario.code().to_owned(),
            responses: rollup.responses,
            moments,
            performance_line,
            importance_line: scenario.mean_importance(),
            nps: rollup.nps.score(),
            csat: rollup.end.csat(),
            peak_end_mean: rollup.peak_end.mean(),
        }
    }

    pub fn row(&self, moment: &str) -> Option<&MomentRow> {
        self.moments.iter().find(|r| r.moment == moment)
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
