//! The contract's events to the domain's, every field destructured. Only what the contract's
//! types cannot carry into the domain's is refused here (a kind not set, a stage left
//! UNSPECIFIED, a time outside protobuf's range, a date that does not exist); everything else
//! is `Event::check`'s. Refusals are relative to the event (`plan_changed.effective_date`): the
//! stream reports them so, the unary call puts them under `event`.

use chrono::{NaiveDate, TimeDelta};
use prost_types::Timestamp;
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::event::Kind;

use super::{duration_from_proto, time_from_proto};
use crate::domain::events::{
    AccountOpened, ArrearsWarning, BalanceChanged, DataUsage, Event, EventKind, PlanChanged,
    PromotionExpiring, RebateChanged, RoamingAttached, SensitiveQuery, VasSubscribed,
};

#[path = "events_stages.rs"]
mod stages;

use stages::{plan_stage, query_channel, rebate_stage};

/// Refusals gathered while converting, named under the event's kind.
struct Found {
    violations: Vec<Violation>,
    prefix: &'static str,
}

impl Found {
    fn note<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        result
            .map_err(|e| {
                self.violations
                    .push(e.at(format!("{}.{field}", self.prefix)))
            })
            .ok()
    }

    fn time(&mut self, field: &str, t: Option<Timestamp>) -> Option<chrono::DateTime<chrono::Utc>> {
        match t {
            Some(t) => self.note(field, time_from_proto(&t)),
            None => self.note(field, Err(Invalid::new("required"))),
        }
    }

    fn optional_time(
        &mut self,
        field: &str,
        t: Option<Timestamp>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        t.and_then(|t| self.note(field, time_from_proto(&t)))
    }

    fn date(&mut self, field: &str, d: Option<common::Date>) -> Option<NaiveDate> {
        let common::Date { year, month, day } = d?;
        let date = u32::try_from(month)
            .ok()
            .zip(u32::try_from(day).ok())
            .filter(|_| (1900..=9999).contains(&year))
            .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d));
        self.note(
            field,
            date.ok_or_else(|| Invalid::new("must be a date that exists, year 1900-9999")),
        )
    }
}

/// One event of a request, or every refusal converting it found.
pub fn event_from_proto(event: pb::Event) -> Result<Event, Vec<Violation>> {
    let pb::Event {
        event_id,
        customer_id,
        occurred_at,
        kind,
    } = event;
    let mut found = Found {
        violations: Vec::new(),
        prefix: "",
    };
    let occurred_at = match occurred_at {
        Some(t) => time_from_proto(&t).map_err(|e| e.at("occurred_at")),
        None => Err(Invalid::new("required").at("occurred_at")),
    }
    .map_err(|v| found.violations.push(v))
    .ok();
    let kind = match kind {
        Some(kind) => kind_from_proto(kind, &mut found),
        None => {
            let reason = "required: the event's kind (account_opened, plan_changed, …)";
            found.violations.push(Invalid::new(reason).at("kind"));
            None
        }
    };
    match (occurred_at, kind) {
        (Some(occurred_at), Some(kind)) if found.violations.is_empty() => Ok(Event {
            event_id,
            customer_id,
            occurred_at,
            kind,
        }),
        _ => Err(found.violations),
    }
}

fn kind_from_proto(kind: Kind, found: &mut Found) -> Option<EventKind> {
    Some(match kind {
        Kind::AccountOpened(pb::AccountOpened {
            trade_mark,
            plan_name,
            plan_description,
            promotion_description,
            topup_fen,
            balance_fen,
        }) => EventKind::AccountOpened(AccountOpened {
            trade_mark,
            plan_name,
            plan_description,
            promotion_description,
            topup_fen,
            balance_fen,
        }),
        Kind::PlanChanged(pb::PlanChanged {
            stage,
            trade_mark,
            plan_name,
            effective_date,
            plan_description,
        }) => {
            found.prefix = "plan_changed";
            let stage = found.note("stage", plan_stage(stage));
            let effective_date = found.date("effective_date", effective_date);
            EventKind::PlanChanged(PlanChanged {
                stage: stage?,
                trade_mark,
                plan_name,
                effective_date,
                plan_description,
            })
        }
        Kind::VasSubscribed(pb::VasSubscribed {
            service_name,
            price_fen,
            free_trial_hours,
            description,
            cancel_instructions,
        }) => EventKind::VasSubscribed(VasSubscribed {
            service_name,
            price_fen,
            free_trial_hours,
            description,
            cancel_instructions,
        }),
        Kind::RebateChanged(pb::RebateChanged {
            stage,
            promotion_name,
            amount_fen,
            credit_time,
            end_date,
            balance_fen,
        }) => {
            found.prefix = "rebate_changed";
            let stage = found.note("stage", rebate_stage(stage));
            let credit_time = found.optional_time("credit_time", credit_time);
            let end_date = found.date("end_date", end_date);
            EventKind::RebateChanged(RebateChanged {
                stage: stage?,
                promotion_name,
                amount_fen,
                credit_time,
                end_date,
                balance_fen,
            })
        }
        Kind::PromotionExpiring(pb::PromotionExpiring {
            promotion_name,
            expire_time,
            cost_after,
            remind_before,
        }) => {
            found.prefix = "promotion_expiring";
            let expire_time = found.time("expire_time", expire_time);
            let leads: Vec<Option<TimeDelta>> = remind_before
                .iter()
                .enumerate()
                .map(|(i, d)| found.note(&format!("remind_before[{i}]"), duration_from_proto(d)))
                .collect();
            EventKind::PromotionExpiring(PromotionExpiring {
                promotion_name,
                expire_time: expire_time?,
                cost_after,
                remind_before: leads.into_iter().collect::<Option<_>>()?,
            })
        }
        Kind::SensitiveQuery(pb::SensitiveQuery {
            what,
            client,
            channel,
        }) => {
            found.prefix = "sensitive_query";
            let channel = found.note("channel", query_channel(channel));
            EventKind::SensitiveQuery(SensitiveQuery {
                what,
                client,
                channel: channel?,
            })
        }
        Kind::RoamingAttached(pb::RoamingAttached {
            country_code,
            country_name,
            time_zone,
            rates,
        }) => EventKind::RoamingAttached(RoamingAttached {
            country_code,
            country_name,
            time_zone,
            rates,
        }),
        Kind::DataUsage(pb::DataUsage {
            threshold_percent,
            used_percent,
            cycle,
            quota_mb,
            used_mb,
            overage_fen,
        }) => EventKind::DataUsage(DataUsage {
            threshold_percent,
            used_percent,
            cycle,
            quota_mb,
            used_mb,
            overage_fen,
        }),
        Kind::BalanceChanged(pb::BalanceChanged {
            balance_fen,
            threshold_fen,
            amount_fen,
        }) => EventKind::BalanceChanged(BalanceChanged {
            balance_fen,
            threshold_fen,
            amount_fen,
        }),
        Kind::ArrearsWarning(pb::ArrearsWarning {
            balance_fen,
            credit_limit_fen,
            rule,
            suspension_time,
        }) => {
            found.prefix = "arrears_warning";
            let suspension_time = found.time("suspension_time", suspension_time);
            EventKind::ArrearsWarning(ArrearsWarning {
                balance_fen,
                credit_limit_fen,
                rule,
                suspension_time: suspension_time?,
            })
        }
    })
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
