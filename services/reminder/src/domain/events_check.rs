//! Checking an event's payload, kind by kind, apart from the event types and from the planning:
//! what a feed may send is refused here with every field named relative to the event
//! (`plan_changed.plan_name`), so the planning only ever sees events that make sense.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Period, Violation, bounded_text};

use super::*;
use crate::domain::quiet::time_zone;
use crate::domain::reminder::{MAX_EVENT_ID_CHARS, MAX_PARTY_ID_CHARS};

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
