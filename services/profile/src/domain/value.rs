//! What a customer is worth as of a period, the input of tiering and churn warning: ARPU over
//! the last 3, 6 and 12 months, tenure, the spend trend and household ARPU.
//!
//! The calendar rule: a summary as of period P is the customer as P began. It covers the 12
//! calendar months before P; P itself is not over and its bill not in yet, and counting it
//! would turn everyone's spend into a decline on the first of each month. Within those months
//! a month without a bill counts as zero spend and as not billed, so a customer who goes quiet
//! loses ARPU and loyalty and one whose bills stop shows a decline. Bills of P and later never
//! count and tenure runs to P's first day, so the summary as of an old period stays that
//! period's answer. Months before the one the customer joined the network in are not theirs:
//! they count neither as zero nor as not billed, so a newcomer is averaged over the months
//! they had — unless a bill shows the line was there earlier, since a bill is never dropped.

use chrono::{Datelike, NaiveDate};

use super::{CustomerId, CustomerStatus, Period};

/// Calendar months a summary covers.
pub const SUMMARY_MONTHS: u32 = 12;

/// Direction of spend: the last 3 counted months against the 3 before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendTrend {
    /// Fewer than two months counted.
    InsufficientData,
    /// Up by more than 10%.
    Rising,
    Stable,
    /// Down by more than 10%.
    Declining,
}

/// One month's bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bill {
    pub period: Period,
    pub spend_fen: i64,
}

/// Everything a summary is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryInput {
    pub customer_id: CustomerId,
    pub network_joined_on: Option<NaiveDate>,
    pub status: CustomerStatus,
    pub plan_code: String,
    pub group_key_person: bool,
    /// The customer's bills, in any order; those outside the summary's window are ignored.
    pub bills: Vec<Bill>,
    /// The 3-month ARPU, as of the same period, of each ACTIVE family member.
    pub family_arpu_3m: Vec<i64>,
    /// REFERRAL relations from this customer.
    pub referrals: u32,
}

/// The value summary of one customer as of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSummary {
    pub customer_id: CustomerId,
    /// The period it is as of: it covers the 12 months before.
    pub period: Period,
    pub arpu_3m_fen: i64,
    pub arpu_6m_fen: i64,
    pub arpu_12m_fen: i64,
    /// Counted months with a bill.
    pub months_with_data: u32,
    /// Months of the 12 that count (see [`MonthlySpend`]).
    pub months_counted: u32,
    pub tenure_months: u32,
    pub spend_trend: SpendTrend,
    /// Recent against previous average, in percent, two decimals; 0 without a trend. From a
    /// zero baseline any spend counts as +100%.
    pub spend_change_percent: f64,
    /// The trend's baseline: the average of the k months before the last k (k = 3 when six
    /// months are counted, fewer otherwise).
    pub previous_arpu_3m_fen: i64,
    pub household_arpu_fen: i64,
    pub family_members: u32,
    pub referrals: u32,
    pub group_key_person: bool,
    pub status: CustomerStatus,
    /// The newest counted month with a bill.
    pub latest_period: Option<Period>,
    pub plan_code: String,
}

/// One customer's spend by calendar month over the window of a summary as of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySpend {
    /// Spend of every counted month, newest first; 0 for a month without a bill.
    spend: Vec<i64>,
    billed: u32,
    latest_billed: Option<Period>,
}

impl MonthlySpend {
    /// The counted months run from the newest month of the window back to its first, or to
    /// the month the customer joined in if that is later (or to an earlier billed month).
    pub fn new(as_of: Period, joined: Option<NaiveDate>, bills: &[Bill]) -> MonthlySpend {
        let (first, last) = window(as_of);
        let earliest_bill = bills
            .iter()
            .map(|b| b.period)
            .filter(|p| (first..=last).contains(p))
            .min();
        let start = match (joined.map(Period::of), earliest_bill) {
            (None, _) => first,
            (Some(joined), Some(billed)) => joined.min(billed).max(first),
            (Some(joined), None) => joined.max(first),
        };
        let mut counted = MonthlySpend {
            spend: Vec::with_capacity(SUMMARY_MONTHS as usize),
            billed: 0,
            latest_billed: None,
        };
        let mut month = last;
        while month >= start {
            match bills.iter().find(|b| b.period == month) {
                Some(bill) => {
                    counted.spend.push(bill.spend_fen);
                    counted.billed += 1;
                    counted.latest_billed.get_or_insert(month);
                }
                None => counted.spend.push(0),
            }
            month = month.previous();
        }
        counted
    }

    /// Average spend of the newest three counted months, 0 when none is counted.
    pub fn arpu_3m(&self) -> i64 {
        self.arpu(3)
    }

    fn arpu(&self, months: usize) -> i64 {
        average(&self.spend[..self.spend.len().min(months)])
    }
}

/// The first and last month of the window of a summary as of `as_of`: the 12 months before it.
pub fn window(as_of: Period) -> (Period, Period) {
    let last = as_of.previous();
    let first = (1..SUMMARY_MONTHS).fold(last, |p, _| p.previous());
    (first, last)
}

/// Computes the summary as of `as_of`.
pub fn summarize(input: SummaryInput, as_of: Period) -> ValueSummary {
    let months = MonthlySpend::new(as_of, input.network_joined_on, &input.bills);
    let arpu_3m_fen = months.arpu_3m();
    let (spend_trend, spend_change_percent, previous_arpu_3m_fen) = trend(&months.spend);
    // Checked: amounts are bounded on the way in, but a sum must not wrap (or panic) on rows
    // stored before the bounds; it saturates instead.
    let family = input
        .family_arpu_3m
        .iter()
        .try_fold(0_i64, |sum, arpu| sum.checked_add(*arpu))
        .unwrap_or(i64::MAX);
    let first_day = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1);
    ValueSummary {
        period: as_of,
        arpu_3m_fen,
        arpu_6m_fen: months.arpu(6),
        arpu_12m_fen: months.arpu(SUMMARY_MONTHS as usize),
        months_with_data: months.billed,
        months_counted: u32::try_from(months.spend.len()).unwrap_or(u32::MAX),
        tenure_months: match (input.network_joined_on, first_day) {
            (Some(joined), Some(day)) => whole_months(joined, day),
            _ => 0,
        },
        spend_trend,
        spend_change_percent,
        previous_arpu_3m_fen,
        household_arpu_fen: arpu_3m_fen.saturating_add(family),
        family_members: u32::try_from(input.family_arpu_3m.len()).unwrap_or(u32::MAX),
        referrals: input.referrals,
        group_key_person: input.group_key_person,
        status: input.status,
        latest_period: months.latest_billed,
        plan_code: input.plan_code,
        customer_id: input.customer_id,
    }
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
