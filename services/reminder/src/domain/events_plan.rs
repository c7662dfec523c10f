//! The reminders a checked event calls for: which seeded template, with which variables, due
//! when, stale when, under which dedupe key. Money is shown in yuan with two decimals, times
//! and dates on the operator's clock (Asia/Shanghai), as the billing system writes them.
//! Notices about something that happened are due when it happened and stale the rule's
//! deadline later, so a feed that arrives late never makes a customer read old news; reminders
//! ahead of something (a trial's end, an expiry, usage tips) are due before it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use vipcare_domain::Period;

use super::memory::{Abroad, BalanceStep, HOME_COUNTRY, Memory};
use super::words::{channel_words, local_date};
pub(super) use super::words::{day_words, megabytes, time_words, yuan};
use super::*;
use crate::domain::Touchpoint;
use crate::domain::reminder::ScheduleValues;
use crate::domain::rule::TouchpointRule;

#[path = "events_plan_ahead.rs"]
mod ahead;
/// The template codes events render with: the seeded defaults, plus two the seeds lack.
#[path = "events_codes.rs"]
pub mod codes;

use ahead::{promotion_expiring, usage_tips_time, vas_subscribed};

/// One reminder an event calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub touchpoint: Touchpoint,
    pub template_code: &'static str,
    pub variables: BTreeMap<String, String>,
    pub due: DateTime<Utc>,
    /// Worth nothing after this (a suspension, an expiry, a trial's end), whatever the rule.
    pub latest: Option<DateTime<Utc>>,
    pub dedupe_key: Option<String>,
}

/// What an event does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub reminders: Vec<Planned>,
    /// The balance is back at or above its threshold: pending low-balance warnings are moot.
    pub balance_restored: bool,
}

impl Planned {
    /// The schedule request this reminder makes under `rule`: due at `due`, stale at `latest`
    /// or the rule's deadline after `due`, whichever is first. `None` when that is already past
    /// at `now`: a stale reminder is never scheduled.
    pub fn schedule_values(
        self,
        event: &Event,
        rule: &TouchpointRule,
        now: DateTime<Utc>,
    ) -> Option<ScheduleValues> {
        let by_rule = self.due + rule.default_deadline;
        let deadline = self.latest.map_or(by_rule, |l| l.min(by_rule));
        if deadline <= self.due.max(now) {
            return None;
        }
        Some(ScheduleValues {
            customer_id: event.customer_id.clone(),
            template_code: self.template_code.to_owned(),
            variables: self.variables,
            send_at: Some(self.due),
            deadline: Some(deadline),
            priority: 0,
            dedupe_key: self.dedupe_key.unwrap_or_default(),
            staff_assignee: String::new(),
            source_event_id: event.event_id.clone(),
        })
    }
}

/// The reminders a checked event calls for, given (and updating) what is remembered of the
/// customer. An event older than what is remembered for its part calls for nothing.
pub fn effects(event: &Event, memory: &mut Memory) -> Effects {
    let at = event.occurred_at;
    let mut reminders = Vec::new();
    let mut balance_restored = false;
    let mut add = |touchpoint, code, vars: &[(&str, String)], due, latest, key: Option<String>| {
        reminders.push(Planned {
            touchpoint,
            template_code: code,
            variables: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            due,
            latest,
            dedupe_key: key,
        });
    };
    use Touchpoint as T;
    match &event.kind {
        EventKind::AccountOpened(e) => {
            let tariff = [
                ("TRADE_MARK", e.trade_mark.clone()),
                ("PLAN_NAME", e.plan_name.clone()),
                ("PLAN_DESC", e.plan_description.clone()),
            ];
            add(
                T::AccountOpening,
                codes::ACCOUNT_TARIFF,
                &tariff,
                at,
                None,
                None,
            );
            if !e.promotion_description.trim().is_empty() {
                let vars = [
                    ("PLAN_NAME", e.plan_name.clone()),
                    ("PROMOTION_DESC", e.promotion_description.clone()),
                ];
                add(T::TopupRebate, codes::PLAN_PROMOTION, &vars, at, None, None);
            }
            if e.topup_fen > 0 {
                let vars = [
                    ("AMOUNT", yuan(e.topup_fen)),
                    ("BALANCE", yuan(e.balance_fen)),
                ];
                add(T::LowBalance, codes::TOPUP_CREDITED, &vars, at, None, None);
            }
            let survey = [("SERVICE", "办理开户".to_owned())];
            add(T::SurveyInvitation, codes::SURVEY, &survey, at, None, None);
            add(
                T::AccountOpening,
                codes::ACCOUNT_USAGE_TIPS,
                &[],
                usage_tips_time(at),
                None,
                None,
            );
        }
        EventKind::PlanChanged(e) => {
            let mut vars = vec![
                ("TRADE_MARK", e.trade_mark.clone()),
                ("PLAN_NAME", e.plan_name.clone()),
                ("PLAN_DESC", e.plan_description.clone()),
            ];
            let code = match (e.stage, e.effective_date) {
                (PlanStage::Accepted, Some(date)) => {
                    vars.push(("YEAR", date.year().to_string()));
                    vars.push(("MONTH", date.month().to_string()));
                    vars.push(("DATE", date.day().to_string()));
                    codes::PLAN_ACCEPTED
                }
                _ => codes::PLAN_EFFECTIVE,
            };
            add(T::PlanChange, code, &vars, at, None, None);
        }
        EventKind::VasSubscribed(e) => vas_subscribed(e, at, &mut add),
        EventKind::RebateChanged(e) => {
            let name = ("PROMOTION_NAME", e.promotion_name.clone());
            let end = e.end_date.map(day_words).unwrap_or_default();
            let (code, vars, key) = match e.stage {
                RebateStage::Scheduled => {
                    let first = e.credit_time.map(|t| day_words(local_date(t)));
                    let vars = vec![
                        name,
                        ("AMOUNT", yuan(e.amount_fen)),
                        ("FIRST_DATE", first.unwrap_or_default()),
                        ("END_DATE", end),
                    ];
                    (codes::REBATE_SCHEDULED, vars, "scheduled".to_owned())
                }
                RebateStage::Credited => {
                    let vars = vec![
                        name,
                        ("AMOUNT", yuan(e.amount_fen)),
                        ("BALANCE", yuan(e.balance_fen)),
                    ];
                    let when = e.credit_time.unwrap_or(at).timestamp_millis();
                    (codes::REBATE_CREDITED, vars, format!("credited:{when}"))
                }
                RebateStage::Ending => (
                    codes::REBATE_ENDING,
                    vec![name, ("END_DATE", end)],
                    "ending".to_owned(),
                ),
            };
            let key = format!("topup_rebate:{}:{key}", e.promotion_name);
            add(T::TopupRebate, code, &vars, at, None, Some(key));
        }
        EventKind::PromotionExpiring(e) => promotion_expiring(e, at, &mut add),
        EventKind::SensitiveQuery(e) => {
            let client = match e.channel {
                Some(channel) => format!("{}({})", channel_words(channel), e.client),
                None => e.client.clone(),
            };
            let vars = [
                ("QUERY_WHAT", e.what.clone()),
                ("QUERY_TIME", time_words(at)),
                ("QUERY_CLIENT", client),
            ];
            add(
                T::SensitiveQuery,
                codes::SENSITIVE_QUERY,
                &vars,
                at,
                None,
                None,
            );
        }
        EventKind::RoamingAttached(e) => {
            let abroad = (e.country_code != HOME_COUNTRY).then(|| Abroad {
                country_code: e.country_code.clone(),
                time_zone: e.time_zone.clone(),
            });
            if memory.roaming_step(abroad, at) {
                let vars = [
                    ("COUNTRY", e.country_name.clone()),
                    ("ROAMING_RATES", e.rates.clone()),
                ];
                add(
                    T::InternationalRoaming,
                    codes::ROAMING_WELCOME,
                    &vars,
                    at,
                    None,
                    None,
                );
            }
        }
        EventKind::DataUsage(e) => {
            let cycle = Period::parse(&e.cycle).ok();
            if let Some(cycle) = cycle.filter(|c| memory.usage_step(*c, e.threshold_percent)) {
                let key = Some(format!("data_usage_alert:{cycle}:{}", e.threshold_percent));
                if e.threshold_percent > 100 {
                    let vars = [
                        ("OVERAGE_USED", megabytes(e.used_mb - e.quota_mb)),
                        ("OVERAGE_FEE", yuan(e.overage_fen)),
                    ];
                    add(T::DataUsageAlert, codes::DATA_OVERAGE, &vars, at, None, key);
                } else {
                    let vars = [
                        ("USED_PERCENT", e.used_percent.to_string()),
                        ("USED", megabytes(e.used_mb)),
                        ("REMAINING", megabytes(e.quota_mb - e.used_mb)),
                    ];
                    add(
                        T::DataUsageAlert,
                        codes::DATA_THRESHOLD,
                        &vars,
                        at,
                        None,
                        key,
                    );
                }
            }
        }
        EventKind::BalanceChanged(e) => {
            match memory.balance_step(e.balance_fen < e.threshold_fen, at) {
                BalanceStep::Crossed => {
                    let vars = [
                        ("BALANCE", yuan(e.balance_fen)),
                        ("THRESHOLD", yuan(e.threshold_fen)),
                    ];
                    add(T::LowBalance, codes::LOW_BALANCE, &vars, at, None, None);
                }
                BalanceStep::Restored => balance_restored = true,
                BalanceStep::Unchanged => {}
            }
        }
        EventKind::ArrearsWarning(e) => {
            let vars = [
                ("BALANCE", yuan(e.balance_fen)),
                ("CREDIT_LIMIT", yuan(e.credit_limit_fen)),
                ("SUSPENSION_RULE", e.rule.clone()),
                ("SUSPENSION_TIME", time_words(e.suspension_time)),
            ];
            let key = format!(
                "arrears_suspension:{}",
                e.suspension_time.timestamp_millis()
            );
            add(
                T::ArrearsSuspension,
                codes::ARREARS,
                &vars,
                at,
                Some(e.suspension_time),
                Some(key),
            );
        }
    }
    Effects {
        reminders,
        balance_restored,
    }
}

#[cfg(test)]
#[path = "events_plan_tests.rs"]
mod tests;
