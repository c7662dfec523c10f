//! What a customer is scored from: the profile service's value summary, in domain terms.

use super::coded_enum;

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
    /// Months with billing data among the last 12.
    pub months_with_data: i32,
    pub tenure_months: i32,
    /// Own 3-month ARPU plus every family member's.
    pub household_arpu_fen: i64,
    pub referrals: i32,
    pub group_key_person: bool,
    pub status: LineStatus,
}
