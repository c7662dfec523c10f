//! Business events and the reminders they cause: one kind of event per key touchpoint (account
//! opened, plan changed, VAS subscribed, rebate, promotion expiring, sensitive query, roaming,
//! data usage, balance, arrears). An event is checked here, every refused field named relative
//! to the event (`plan_changed.plan_name`); [`effects`] turns a checked event into the reminders
//! it calls for, given what the service remembers of the customer ([`Memory`]: the balance's side
//! of its threshold, where the customer roams, the data thresholds already told this cycle).
//! Everything is plain values and times passed in: no clock, no transport, no storage.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use vipcare_domain::coded_enum;

#[path = "events_check.rs"]
mod check;
#[path = "events_memory.rs"]
mod memory;
#[path = "events_plan.rs"]
mod plan;
#[path = "events_words.rs"]
mod words;

pub use memory::{
    Abroad, BalanceSeen, HOME_COUNTRY, Memory, ROAMING_HOLDS, RoamingSeen, UsageTold,
};
pub use plan::{Effects, Planned, codes, effects};

/// Longest name (plan, service, promotion, brand, client), in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest plain-words text (a tariff, what a promotion costs after, a rule), in characters.
pub const MAX_WORDS_CHARS: usize = 300;
/// How far ahead of the receiver's clock an event may claim to have happened.
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);
/// Longest lead of a promotion-expiry reminder, and most of them per event.
pub const MAX_REMIND_BEFORE: TimeDelta = TimeDelta::days(90);
pub const MAX_REMINDERS_BEFORE: usize = 5;
/// Longest free trial a VAS may carry, in hours (90 days).
pub const MAX_TRIAL_HOURS: i32 = 2_160;

/// A business event, converted from the contract but not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event_id: String,
    pub customer_id: String,
    pub occurred_at: DateTime<Utc>,
    pub kind: EventKind,
}

/// What happened: one kind per touchpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    AccountOpened(AccountOpened),
    PlanChanged(PlanChanged),
    VasSubscribed(VasSubscribed),
    RebateChanged(RebateChanged),
    PromotionExpiring(PromotionExpiring),
    SensitiveQuery(SensitiveQuery),
    RoamingAttached(RoamingAttached),
    DataUsage(DataUsage),
    BalanceChanged(BalanceChanged),
    ArrearsWarning(ArrearsWarning),
}

/// A new subscriber. Amounts are in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountOpened {
    pub trade_mark: String,
    pub plan_name: String,
    pub plan_description: String,
    /// Empty for none.
    pub promotion_description: String,
    /// 0 for no opening top-up.
    pub topup_fen: i64,
    pub balance_fen: i64,
}

coded_enum! {
    /// How far a plan change has got.
    PlanStage { Accepted = "accepted", Effective = "effective" }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChanged {
    pub stage: PlanStage,
    pub trade_mark: String,
    pub plan_name: String,
    /// Required for an accepted order (the customer is told when it applies).
    pub effective_date: Option<NaiveDate>,
    pub plan_description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VasSubscribed {
    pub service_name: String,
    pub price_fen: i64,
    /// 0 for none.
    pub free_trial_hours: i32,
    pub description: String,
    pub cancel_instructions: String,
}

coded_enum! {
    /// Where a promotional top-up rebate stands.
    RebateStage { Scheduled = "scheduled", Credited = "credited", Ending = "ending" }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebateChanged {
    pub stage: RebateStage,
    pub promotion_name: String,
    pub amount_fen: i64,
    /// Required when scheduled (the first credit).
    pub credit_time: Option<DateTime<Utc>>,
    /// Required when scheduled or ending.
    pub end_date: Option<NaiveDate>,
    pub balance_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionExpiring {
    pub promotion_name: String,
    pub expire_time: DateTime<Utc>,
    pub cost_after: String,
    /// Empty for the defaults, 7 days and 1 day.
    pub remind_before: Vec<TimeDelta>,
}

coded_enum! {
    /// The kind of client that looked at the customer's data, as the gateway names channels.
    QueryChannel {
        Hall = "hall",
        Hotline = "hotline",
        Web = "web",
        AccountManager = "account_manager",
        Partner = "partner",
        Admin = "admin",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveQuery {
    pub what: String,
    pub client: String,
    pub channel: Option<QueryChannel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoamingAttached {
    /// ISO 3166-1 alpha-2; [`HOME_COUNTRY`] means the customer is back home.
    pub country_code: String,
    pub country_name: String,
    pub time_zone: String,
    pub rates: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataUsage {
    pub threshold_percent: i32,
    pub used_percent: i32,
    /// "YYYY-MM".
    pub cycle: String,
    pub quota_mb: i64,
    pub used_mb: i64,
    pub overage_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceChanged {
    pub balance_fen: i64,
    pub threshold_fen: i64,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrearsWarning {
    pub balance_fen: i64,
    pub credit_limit_fen: i64,
    pub rule: String,
    pub suspension_time: DateTime<Utc>,
}

impl EventKind {
    /// The event's field in the contract's `kind`, the prefix of its fields' paths.
    pub fn field(&self) -> &'static str {
        match self {
            EventKind::AccountOpened(_) => "account_opened",
            EventKind::PlanChanged(_) => "plan_changed",
            EventKind::VasSubscribed(_) => "vas_subscribed",
            EventKind::RebateChanged(_) => "rebate_changed",
            EventKind::PromotionExpiring(_) => "promotion_expiring",
            EventKind::SensitiveQuery(_) => "sensitive_query",
            EventKind::RoamingAttached(_) => "roaming_attached",
            EventKind::DataUsage(_) => "data_usage",
            EventKind::BalanceChanged(_) => "balance_changed",
            EventKind::ArrearsWarning(_) => "arrears_warning",
        }
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
