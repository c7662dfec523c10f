//! The running counts of one row of the SLA report, and the row they make.

use std::collections::BTreeMap;

use chrono::TimeDelta;

use super::mean_and_p90;
use crate::domain::{CompensationKind, RootCauseGap};

/// How one complaint was handled, as its rows count it.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub resolved: bool,
    pub reopened: bool,
    pub gap: Option<RootCauseGap>,
    /// Per handling: (settled, on time).
    pub response: Vec<(bool, bool)>,
    pub resolution: Vec<(bool, bool)>,
    /// Business time to resolve of each resolved handling.
    pub resolve_times: Vec<TimeDelta>,
    pub promises: u64,
    pub promises_settled: u64,
    pub promises_kept: u64,
    /// Entries not rejected: (kind, approved, amount in fen).
    pub compensations: Vec<(CompensationKind, bool, i64)>,
}

/// Compensation of one kind: approved, and still proposed. Rejected entries are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompensationTotal {
    pub approved_count: i64,
    pub approved_fen: i64,
    pub proposed_count: i64,
    pub proposed_fen: i64,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub complaints: i64,
    /// RESOLVED or CLOSED now.
    pub resolved: i64,
    pub on_time_response_rate: f64,
    pub on_time_resolution_rate: f64,
    /// Over the resolved handlings, on the business calendar; `None` when none was resolved.
    pub business_time_to_resolve_mean: Option<TimeDelta>,
    pub business_time_to_resolve_p90: Option<TimeDelta>,
    pub reopen_rate: f64,
    pub promises: i64,
    pub promises_kept_rate: f64,
    /// In kind order; kinds with no entry left out.
    pub compensation: Vec<(CompensationKind, CompensationTotal)>,
    /// Resolved complaints per gap, in gap order; gaps with none left out.
    pub gaps: Vec<(RootCauseGap, i64)>,
}

#[derive(Debug, Default)]
pub(super) struct Tally {
    complaints: i64,
    resolved: i64,
    reopened: i64,
    response_settled: i64,
    response_on_time: i64,
    resolution_settled: i64,
    resolution_on_time: i64,
    resolve_times: Vec<TimeDelta>,
    promises: i64,
    promises_settled: i64,
    promises_kept: i64,
    compensation: BTreeMap<CompensationKind, CompensationTotal>,
    gaps: BTreeMap<RootCauseGap, i64>,
}

/// Counts of a report stay far below i64; saturating keeps a corrupt row from panicking.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn count_of(flags: &[(bool, bool)]) -> (i64, i64) {
    let settled = flags.iter().filter(|(settled, _)| *settled).count();
    let on_time = flags.iter().filter(|(_, on_time)| *on_time).count();
    (count(settled as u64), count(on_time as u64))
}

impl Tally {
    pub(super) fn add(&mut self, o: &Outcome) {
        self.complaints += 1;
        self.resolved += i64::from(o.resolved);
        self.reopened += i64::from(o.reopened);
        let (settled, on_time) = count_of(&o.response);
        self.response_settled += settled;
        self.response_on_time += on_time;
        let (settled, on_time) = count_of(&o.resolution);
        self.resolution_settled += settled;
        self.resolution_on_time += on_time;
        self.resolve_times.extend_from_slice(&o.resolve_times);
        self.promises += count(o.promises);
        self.promises_settled += count(o.promises_settled);
        self.promises_kept += count(o.promises_kept);
        for &(kind, approved, fen) in &o.compensations {
            let total = self.compensation.entry(kind).or_default();
            let (n, sum) = if approved {
                (&mut total.approved_count, &mut total.approved_fen)
            } else {
                (&mut total.proposed_count, &mut total.proposed_fen)
            };
            *n += 1;
            *sum = sum.saturating_add(fen);
        }
        if o.resolved
            && let Some(gap) = o.gap
        {
            *self.gaps.entry(gap).or_default() += 1;
        }
    }

    pub(super) fn row(mut self) -> ReportRow {
        let rate = |part: i64, whole: i64| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        let spread = mean_and_p90(&mut self.resolve_times);
        ReportRow {
            complaints: self.complaints,
            resolved: self.resolved,
            on_time_response_rate: rate(self.response_on_time, self.response_settled),
            on_time_resolution_rate: rate(self.resolution_on_time, self.resolution_settled),
            business_time_to_resolve_mean: spread.map(|(mean, _)| mean),
            business_time_to_resolve_p90: spread.map(|(_, p90)| p90),
            reopen_rate: rate(self.reopened, self.complaints),
            promises: self.promises,
            promises_kept_rate: rate(self.promises_kept, self.promises_settled),
            compensation: self.compensation.into_iter().collect(),
            gaps: self.gaps.into_iter().collect(),
        }
    }
}
