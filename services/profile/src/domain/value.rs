//! What a customer is worth, the input of tiering and churn warning: ARPU over the last 3, 6
//! and 12 months that have data, tenure, the spend trend and household ARPU. Months without
//! a record are skipped rather than counted as zero: a missing feed is not a customer who
//! stopped spending.

use chrono::{Datelike, NaiveDate};

use super::{CustomerId, CustomerStatus, Period};

/// Months of data a summary looks at.
pub const SUMMARY_MONTHS: usize = 12;

/// Direction of spend: the last 3 months with data against the 3 before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendTrend {
    /// Fewer than two months of data.
    InsufficientData,
    /// Up by more than 10%.
    Rising,
    Stable,
    /// Down by more than 10%.
    Declining,
}

/// Everything a summary is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryInput {
    pub customer_id: CustomerId,
    pub network_joined_on: Option<NaiveDate>,
    pub status: CustomerStatus,
    pub plan_code: String,
    pub group_key_person: bool,
    /// The newest month with data.
    pub latest_period: Option<Period>,
    /// Spend of the most recent months with data, newest first; at most 12 are used.
    pub recent_spend: Vec<i64>,
    /// The 3-month ARPU of each FAMILY relation.
    pub family_arpu_3m: Vec<i64>,
    /// REFERRAL relations from this customer.
    pub referrals: u32,
}

/// The value summary of one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSummary {
    pub customer_id: CustomerId,
    pub arpu_3m_fen: i64,
    pub arpu_6m_fen: i64,
    pub arpu_12m_fen: i64,
    pub months_with_data: u32,
    pub tenure_months: u32,
    pub spend_trend: SpendTrend,
    /// Recent against previous average, in percent, two decimals; 0 without a trend. From a
    /// zero baseline any spend counts as +100%.
    pub spend_change_percent: f64,
    /// The trend's baseline: the average of the k months before the last k (k = 3 when six
    /// months have data, fewer otherwise).
    pub previous_arpu_3m_fen: i64,
    pub household_arpu_fen: i64,
    pub family_members: u32,
    pub referrals: u32,
    pub group_key_person: bool,
    pub status: CustomerStatus,
    pub latest_period: Option<Period>,
    pub plan_code: String,
}

/// Computes the summary as of `today` (the operator's calendar).
pub fn summarize(input: SummaryInput, today: NaiveDate) -> ValueSummary {
    let n = input.recent_spend.len().min(SUMMARY_MONTHS);
    let spends = &input.recent_spend[..n];
    let arpu_3m_fen = arpu_3m(spends);
    let (spend_trend, spend_change_percent, previous_arpu_3m_fen) = trend(spends);
    let family: i64 = input.family_arpu_3m.iter().sum();
    ValueSummary {
        arpu_3m_fen,
        arpu_6m_fen: average(&spends[..n.min(6)]),
        arpu_12m_fen: average(spends),
        months_with_data: u32::try_from(n).unwrap_or(u32::MAX),
        tenure_months: input
            .network_joined_on
            .map_or(0, |joined| whole_months(joined, today)),
        spend_trend,
        spend_change_percent,
        previous_arpu_3m_fen,
        household_arpu_fen: arpu_3m_fen.saturating_add(family),
        family_members: u32::try_from(input.family_arpu_3m.len()).unwrap_or(u32::MAX),
        referrals: input.referrals,
        group_key_person: input.group_key_person,
        status: input.status,
        latest_period: input.latest_period,
        plan_code: input.plan_code,
        customer_id: input.customer_id,
    }
}

/// Average spend of the newest three months with data (newest first), 0 without data.
pub fn arpu_3m(newest_first: &[i64]) -> i64 {
    average(&newest_first[..newest_first.len().min(3)])
}

/// Rounded to the nearest fen; 0 for no months.
fn average(spends: &[i64]) -> i64 {
    if spends.is_empty() {
        return 0;
    }
    let n = spends.len() as i128;
    let sum: i128 = spends.iter().map(|s| i128::from(*s)).sum();
    i64::try_from((sum + n / 2).div_euclid(n)).unwrap_or(i64::MAX)
}

/// Trend, change in percent and baseline of newest-first spends.
fn trend(spends: &[i64]) -> (SpendTrend, f64, i64) {
    let k = (spends.len() / 2).min(3);
    if k == 0 {
        return (SpendTrend::InsufficientData, 0.0, 0);
    }
    let mean = |s: &[i64]| s.iter().map(|v| *v as f64).sum::<f64>() / s.len() as f64;
    let (recent, previous) = (mean(&spends[..k]), mean(&spends[k..2 * k]));
    let change = if previous > 0.0 {
        (recent - previous) / previous * 100.0
    } else if recent > 0.0 {
        100.0
    } else {
        0.0
    };
    let change = (change * 100.0).round() / 100.0;
    let trend = if change > 10.0 {
        SpendTrend::Rising
    } else if change < -10.0 {
        SpendTrend::Declining
    } else {
        SpendTrend::Stable
    };
    (trend, change, average(&spends[k..2 * k]))
}

/// Whole months from `from` to `to`; a month counts once its day of month is reached.
fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let months = if to.day() < from.day() {
        months - 1
    } else {
        months
    };
    u32::try_from(months).unwrap_or(0)
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
