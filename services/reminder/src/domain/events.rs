//! Business events and the reminders they cause: one kind of event per key touchpoint (account
//! opened, plan changed, VAS subscribed, rebate, promotion expiring, sensitive query, roaming,
//! data usage, balance, arrears). An event is checked here, every refused field named relative
//! to the event (`plan_changed.plan_name`); [`effects`] turns a checked event into the reminders
//! it calls for, given what the service remembers of the customer ([`Memory`]: the balance's side
//! of its threshold, where the customer roams, the data thresholds already told this cycle).
//! Everything is plain values and times passed in: no clock, no transport, no storage.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use vipcare_domain::{Invalid, Period, Violation, bounded_text, coded_enum};

use super::quiet::time_zone;
use super::reminder::{MAX_EVENT_ID_CHARS, MAX_PARTY_ID_CHARS};

#[path = "events_memory.rs"]
mod memory;
#[path = "events_plan.rs"]
mod plan;

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

impl Event {
    /// Every refused field, relative to the event. `now` is the receiver's clock: an event
    /// may not claim to happen (much) later, nor warn of a suspension or expiry already past.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), Vec<Violation>> {
        let mut c = Check {
            found: Vec::new(),
            prefix: "",
        };
        c.id("event_id", &self.event_id, MAX_EVENT_ID_CHARS);
        c.id("customer_id", &self.customer_id, MAX_PARTY_ID_CHARS);
        if self.occurred_at > now + CLOCK_SKEW {
            c.refuse("occurred_at", "must not be in the future");
        }
        c.prefix = self.kind.field();
        match &self.kind {
            EventKind::AccountOpened(e) => {
                c.name("trade_mark", &e.trade_mark);
                c.name("plan_name", &e.plan_name);
                c.words("plan_description", &e.plan_description);
                c.optional_words("promotion_description", &e.promotion_description);
                c.not_negative("topup_fen", e.topup_fen);
            }
            EventKind::PlanChanged(e) => {
                c.name("trade_mark", &e.trade_mark);
                c.name("plan_name", &e.plan_name);
                c.words("plan_description", &e.plan_description);
                if e.stage == PlanStage::Accepted && e.effective_date.is_none() {
                    c.refuse("effective_date", "required for an accepted order");
                }
            }
            EventKind::VasSubscribed(e) => {
                c.name("service_name", &e.service_name);
                c.not_negative("price_fen", e.price_fen);
                if !(0..=MAX_TRIAL_HOURS).contains(&e.free_trial_hours) {
                    c.refuse("free_trial_hours", "must be 0 to 2160 (90 days)");
                }
                c.words("description", &e.description);
                c.words("cancel_instructions", &e.cancel_instructions);
            }
            EventKind::RebateChanged(e) => check_rebate(&mut c, e),
            EventKind::PromotionExpiring(e) => check_promotion(&mut c, e, now),
            EventKind::SensitiveQuery(e) => {
                c.words("what", &e.what);
                c.name("client", &e.client);
            }
            EventKind::RoamingAttached(e) => check_roaming(&mut c, e),
            EventKind::DataUsage(e) => check_usage(&mut c, e),
            EventKind::BalanceChanged(e) => c.not_negative("threshold_fen", e.threshold_fen),
            EventKind::ArrearsWarning(e) => {
                c.not_negative("credit_limit_fen", e.credit_limit_fen);
                c.words("rule", &e.rule);
                if e.suspension_time <= now {
                    c.refuse(
                        "suspension_time",
                        "must be in the future: a warning after it is useless",
                    );
                }
            }
        }
        if c.found.is_empty() {
            Ok(())
        } else {
            Err(c.found)
        }
    }
}

fn check_rebate(c: &mut Check, e: &RebateChanged) {
    c.name("promotion_name", &e.promotion_name);
    if e.stage != RebateStage::Ending && e.amount_fen <= 0 {
        c.refuse("amount_fen", "must be more than 0");
    }
    if e.stage == RebateStage::Scheduled && e.credit_time.is_none() {
        c.refuse(
            "credit_time",
            "required when a rebate is scheduled (the first credit)",
        );
    }
    if e.stage != RebateStage::Credited && e.end_date.is_none() {
        c.refuse("end_date", "required when a rebate is scheduled or ending");
    }
}

fn check_promotion(c: &mut Check, e: &PromotionExpiring, now: DateTime<Utc>) {
    c.name("promotion_name", &e.promotion_name);
    c.words("cost_after", &e.cost_after);
    if e.expire_time <= now {
        c.refuse(
            "expire_time",
            "must be in the future: the promotion has already ended",
        );
    }
    if e.remind_before.len() > MAX_REMINDERS_BEFORE {
        c.refuse("remind_before", "at most 5 reminders");
    }
    for (i, before) in e.remind_before.iter().enumerate() {
        if *before <= TimeDelta::zero() || *before > MAX_REMIND_BEFORE {
            c.refuse(
                &format!("remind_before[{i}]"),
                "must be more than 0 and at most 90 days",
            );
        } else if e.remind_before[..i].contains(before) {
            c.refuse(
                &format!("remind_before[{i}]"),
                "must not repeat an earlier lead",
            );
        }
    }
}

fn check_roaming(c: &mut Check, e: &RoamingAttached) {
    let code = &e.country_code;
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        c.refuse("country_code", "must be ISO 3166-1 alpha-2, e.g. JP");
    }
    // Back home: nothing is sent and no zone is kept, so the rest may be left out.
    if code == HOME_COUNTRY {
        return;
    }
    c.name("country_name", &e.country_name);
    if let Err(e) = time_zone(&e.time_zone) {
        c.refuse("time_zone", &e.0);
    }
    c.words("rates", &e.rates);
}

fn check_usage(c: &mut Check, e: &DataUsage) {
    if !(1..=1_000).contains(&e.threshold_percent) {
        c.refuse(
            "threshold_percent",
            "must be 1 to 1000 (above 100 for overage)",
        );
    }
    if e.used_percent < 0 {
        c.refuse("used_percent", "must not be negative");
    }
    if let Err(e) = Period::parse(&e.cycle) {
        c.refuse("cycle", &e.0);
    }
    if e.quota_mb <= 0 {
        c.refuse("quota_mb", "must be more than 0");
    }
    c.not_negative("used_mb", e.used_mb);
    c.not_negative("overage_fen", e.overage_fen);
}

/// Collects refusals under the event's kind.
struct Check {
    found: Vec<Violation>,
    prefix: &'static str,
}

impl Check {
    fn refuse(&mut self, field: &str, reason: &str) {
        let path = if self.prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.prefix)
        };
        self.found.push(Invalid::new(reason).at(path));
    }

    fn note(&mut self, field: &str, result: Result<String, Invalid>) {
        if let Err(e) = result {
            self.refuse(field, &e.0);
        }
    }

    fn required(&mut self, field: &str, text: &str, max: usize) {
        if text.trim().is_empty() {
            self.refuse(field, "required");
        } else {
            self.note(field, bounded_text(text, max));
        }
    }

    /// An id: required, bounded, no spaces.
    fn id(&mut self, field: &str, id: &str, max: usize) {
        if id.chars().any(char::is_whitespace) && !id.trim().is_empty() {
            self.refuse(field, "must not contain spaces");
        } else {
            self.required(field, id, max);
        }
    }

    fn name(&mut self, field: &str, text: &str) {
        self.required(field, text, MAX_NAME_CHARS);
    }

    fn words(&mut self, field: &str, text: &str) {
        self.required(field, text, MAX_WORDS_CHARS);
    }

    fn optional_words(&mut self, field: &str, text: &str) {
        self.note(field, bounded_text(text, MAX_WORDS_CHARS));
    }

    fn not_negative(&mut self, field: &str, value: i64) {
        if value < 0 {
            self.refuse(field, "must not be negative");
        }
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
