//! What a customer is scored from: the profile service's value summary as of the evaluated
//! period, in domain terms. It counts the 12 calendar months before the period: a month without
//! a bill is zero spend and not billed, months before the customer joined do not count. A run
//! keeps per customer what its decision was made from ([`Basis`]), so the decision can be
//! explained again later exactly as it was made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codes::{millis, optional_period, serde_by_code};
use super::{Override, PeakEnd, Period, Satisfaction, Standing, coded_enum};

coded_enum! {
    /// The line's standing with billing.
    LineStatus {
        Active = "ACTIVE",
        /// Suspended for arrears: no benefits, and a churn signal.
        Suspended = "SUSPENDED",
        Closed = "CLOSED",
        Unknown = "UNKNOWN",
    }
}

coded_enum! {
    /// How recent spend compares with the months before, as the profile judges it.
    SpendTrend {
        InsufficientData = "INSUFFICIENT_DATA",
        Rising = "RISING",
        Stable = "STABLE",
        Declining = "DECLINING",
        Unknown = "UNKNOWN",
    }
}

serde_by_code!(LineStatus, SpendTrend);

/// The profile service's value summary of a customer, as of a period. Money in fen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueSummary {
    pub customer_id: String,
    pub arpu_3m_fen: i64,
    pub arpu_6m_fen: i64,
    pub arpu_12m_fen: i64,
    /// Counted months with a bill.
    pub months_with_data: i32,
    pub tenure_months: i32,
    pub spend_trend: SpendTrend,
    /// Not-a-number is written as JSON null and read back as such.
    #[serde(deserialize_with = "number_or_null")]
    pub spend_change_percent: f64,
    /// Own 3-month ARPU plus every family member's.
    pub household_arpu_fen: i64,
    pub family_members: i32,
    pub referrals: i32,
    pub group_key_person: bool,
    pub status: LineStatus,
    /// The latest counted month with a bill.
    #[serde(with = "optional_period")]
    pub latest_period: Option<Period>,
    /// Average of the 3 months before the last 3: the baseline of the spend trend.
    pub previous_arpu_3m_fen: i64,
    pub plan_code: String,
    /// The period the summary is as of; `None` for one kept from before summaries said.
    #[serde(with = "optional_period")]
    pub period: Option<Period>,
    /// Months of the 12 calendar months before `period` that count: those from the month the
    /// customer joined in on.
    pub months_counted: i32,
}

fn number_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl ValueSummary {
    /// What the score and the churn risk are computed from, with the customer's satisfaction.
    pub fn inputs(&self, satisfaction: Satisfaction) -> ValueInputs {
        ValueInputs {
            customer_id: self.customer_id.clone(),
            arpu_3m_fen: self.arpu_3m_fen,
            arpu_6m_fen: self.arpu_6m_fen,
            previous_arpu_3m_fen: self.previous_arpu_3m_fen,
            months_with_data: self.months_with_data,
            // A summary stored by a run before summaries carried their period was scored over
            // 12 months: explaining it again must give what was decided.
            months_counted: match self.period {
                None => 12,
                Some(_) => self.months_counted,
            },
            as_of: self.period,
            tenure_months: self.tenure_months,
            household_arpu_fen: self.household_arpu_fen,
            referrals: self.referrals,
            group_key_person: self.group_key_person,
            status: self.status,
            satisfaction,
        }
    }
}

/// The inputs of one evaluation. Money in fen.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueInputs {
    pub customer_id: String,
    pub arpu_3m_fen: i64,
    pub arpu_6m_fen: i64,
    /// Average of the 3 months before the last 3: the baseline of the spend trend.
    pub previous_arpu_3m_fen: i64,
    /// Counted months with a bill.
    pub months_with_data: i32,
    /// Months of the 12 calendar months before `as_of` that count: those from the month the
    /// customer joined in on.
    pub months_counted: i32,
    /// The period the summary is as of; `None` for one kept from before summaries said (then
    /// counted over 12 months, as it was decided).
    pub as_of: Option<Period>,
    pub tenure_months: i32,
    /// Own 3-month ARPU plus every family member's.
    pub household_arpu_fen: i64,
    pub referrals: i32,
    pub group_key_person: bool,
    pub status: LineStatus,
    /// The latest peak-end score, as it counts at the evaluation's time.
    pub satisfaction: Satisfaction,
}

/// What one decision of a run was made from, besides the policy and the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    pub summary: ValueSummary,
    /// The standing the period was evaluated from.
    pub standing: Standing,
    /// The override in force at the time, if any.
    pub manual: Option<Override>,
    #[serde(with = "millis")]
    pub now: DateTime<Utc>,
    /// The customer's latest peak-end score as the survey service gave it to the run (judged
    /// against `now` when explained); none in bases kept before runs read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<PeakEnd>,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn summary() -> ValueSummary {
        ValueSummary {
            customer_id: "c1".into(),
            arpu_3m_fen: 15_000,
            arpu_6m_fen: 15_800,
            arpu_12m_fen: 14_000,
            months_with_data: 11,
            tenure_months: 40,
            spend_trend: SpendTrend::Stable,
            spend_change_percent: -2.5,
            household_arpu_fen: 30_000,
            family_members: 1,
            referrals: 2,
            group_key_person: false,
            status: LineStatus::Active,
            latest_period: Period::parse("2026-05").ok(),
            previous_arpu_3m_fen: 15_400,
            plan_code: "5G-199".into(),
            period: Period::parse("2026-06").ok(),
            months_counted: 9,
        }
    }

    #[test]
    fn a_summary_without_its_period_was_counted_over_twelve_months() {
        let none = Satisfaction::Uncounted(None);
        assert_eq!(summary().inputs(none).months_counted, 9);
        let old = ValueSummary {
            period: None,
            ..summary()
        };
        assert_eq!(old.inputs(none).months_counted, 12);
        assert_eq!(old.inputs(none).as_of, None);
    }

    #[test]
    fn a_basis_reads_back_as_stored() {
        let now: DateTime<Utc> = "2026-06-15T08:00:00Z".parse().unwrap();
        let basis = Basis {
            summary: summary(),
            standing: Standing {
                tier: "GOLD".into(),
                periods_below: 1,
            },
            manual: Some(Override {
                tier: "DIAMOND".into(),
                reason: "board member".into(),
                actor: "am-7".into(),
                expire_time: Some(now + chrono::Duration::days(30)),
                create_time: now,
            }),
            now,
            satisfaction: PeakEnd::of(1.5, now - chrono::Duration::days(3)),
        };
        let text = serde_json::to_string(&basis).unwrap();
        assert_eq!(serde_json::from_str::<Basis>(&text).unwrap(), basis);
    }

    #[test]
    fn a_basis_kept_before_runs_read_the_survey_has_no_satisfaction() {
        let now: DateTime<Utc> = "2026-06-15T08:00:00Z".parse().unwrap();
        let basis = Basis {
            summary: summary(),
            standing: Standing {
                tier: "GOLD".into(),
                periods_below: 0,
            },
            manual: None,
            now,
            satisfaction: None,
        };
        let text = serde_json::to_string(&basis).unwrap();
        assert!(!text.contains("satisfaction"), "{text}");
        assert_eq!(serde_json::from_str::<Basis>(&text).unwrap(), basis);
    }

    #[test]
    fn a_change_percent_that_is_not_a_number_survives_storage() {
        let odd = ValueSummary {
            spend_change_percent: f64::NAN,
            ..summary()
        };
        let text = serde_json::to_string(&odd).unwrap();
        let back: ValueSummary = serde_json::from_str(&text).unwrap();
        assert!(back.spend_change_percent.is_nan());
    }
}
