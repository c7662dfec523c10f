//! What a customer is scored from: the profile service's value summary as of the evaluated
//! period, in domain terms. It counts the 12 calendar months before the period: a month without
//! a bill is zero spend and not billed, months before the customer joined do not count.

use super::{Period, coded_enum};

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
}
