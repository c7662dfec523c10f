//! A day of reminders for the demo customers, as the systems around the operator would cause
//! them: the billing system's events of the last hours (a plan change accepted, data use past
//! 80%, a balance gone low, a value-added service with a free trial, a promotion ending in
//! three days) and what channel systems schedule for later (a call-back task for the account
//! manager, a care message about an unusual bill, a satisfaction survey at 22:30 that quiet
//! hours hold until morning). The events' notices go out at once; the rest wait, so a
//! customer's view lists what is coming: the evening's task and messages, the survey, the
//! trial's end, and the promotion reminder due at midnight (deferred to the end of quiet hours).
//!
//! Which customer gets what is drawn from the day and the customer's id, so one day always plans
//! the same events (same ids) and the same schedules (same dedupe keys): a second `up --demo`
//! that day creates nothing twice, and a later day plans a day of its own.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc};
use prost_types::Timestamp;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use vipcare_proto::common::v1::Date;
use vipcare_proto::reminder::v1::{
    BalanceChanged, DataUsage, Event, PlanChangeStage, PlanChanged, PromotionExpiring,
    ScheduleReminderRequest, VasSubscribed, event,
};

use super::vocab;

/// A customer of the store, as a masked listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCustomer {
    pub customer_id: String,
    /// Masked ("张**"): what a staff task calls the customer.
    pub name: String,
    /// Empty when the customer has no account manager.
    pub account_manager_id: String,
}

/// What one day sends the reminder service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Day {
    /// For IngestEvents; each id names the day, the customer and the kind.
    pub events: Vec<Event>,
    /// For ScheduleReminder; each dedupe key names the day and the kind.
    pub schedules: Vec<ScheduleReminderRequest>,
}

/// How likely a customer is to have each part of the day (the featured customer has them all).
const DATA_80: f64 = 0.20;
const LOW_BALANCE: f64 = 0.10;
const PLAN_CHANGE: f64 = 0.08;
const VAS_TRIAL: f64 = 0.06;
const PROMOTION_ENDING: f64 = 0.10;
const CALL_BACK: f64 = 0.08;
const BILL_CARE: f64 = 0.04;
const SURVEY: f64 = 0.06;

/// A free trial long enough that its reminder (a day before the end) is still to come.
const TRIAL_HOURS: i32 = 72;
/// Below this balance a customer is warned (20 yuan).
const THRESHOLD_FEN: i64 = 2_000;

/// The operator's clock is Asia/Shanghai, which keeps no daylight saving: always UTC+8.
const OPERATOR_OFFSET: TimeDelta = TimeDelta::hours(8);

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    (t + OPERATOR_OFFSET).date_naive()
}

/// `hour:minute` of `date` on the operator's clock.
fn at_local(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let wall = date.and_hms_opt(hour, minute, 0).unwrap_or_default();
    (wall - OPERATOR_OFFSET).and_utc()
}

/// The next `hour:minute` of the operator's clock after `now`.
fn next_local(now: DateTime<Utc>, hour: u32, minute: u32) -> DateTime<Utc> {
    let today = at_local(local_date(now), hour, minute);
    if today > now {
        today
    } else {
        today + TimeDelta::days(1)
    }
}

/// "3月9日17:30", as the templates write times.
fn time_words(t: DateTime<Utc>) -> String {
    (t + OPERATOR_OFFSET).format("%-m月%-d日%H:%M").to_string()
}

fn timestamp(t: DateTime<Utc>) -> Option<Timestamp> {
    Some(Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    })
}

/// The customer's draws for `day`: the same every time, different for every day and customer.
fn draws(day: NaiveDate, customer_id: &str) -> StdRng {
    let digest = Sha256::digest(format!("{day}/{customer_id}").as_bytes());
    let mut seed = [0_u8; 32];
    seed.copy_from_slice(&digest);
    StdRng::from_seed(seed)
}

/// The day at `now` for `customers`; `featured` (a customer id) gets every part of it.
pub fn plan(customers: &[DemoCustomer], featured: Option<&str>, now: DateTime<Utc>) -> Day {
    let today = local_date(now);
    let mut day = Day::default();
    for customer in customers {
        let mut rng = draws(today, &customer.customer_id);
        let all = featured == Some(customer.customer_id.as_str());
        let mut has = |p: f64| rng.random_bool(p) || all;
        let [
            data,
            balance,
            plan,
            vas,
            promotion,
            call_back,
            bill_care,
            survey,
        ] = [
            has(DATA_80),
            has(LOW_BALANCE),
            has(PLAN_CHANGE),
            has(VAS_TRIAL),
            has(PROMOTION_ENDING),
            has(CALL_BACK) && !customer.account_manager_id.is_empty(),
            has(BILL_CARE),
            has(SURVEY),
        ];
        let mut of = Of {
            customer,
            today,
            now,
            rng,
        };
        let mut add = |of: &mut Of<'_>, name: &str, kind: event::Kind| {
            day.events.push(of.event(name, kind));
        };
        if data {
            let kind = of.data_80();
            add(&mut of, "data-80", kind);
        }
        if balance {
            let kind = of.low_balance();
            add(&mut of, "low-balance", kind);
        }
        if plan {
            let kind = of.plan_change();
            add(&mut of, "plan-change", kind);
        }
        if vas {
            let kind = of.vas_trial();
            add(&mut of, "vas-trial", kind);
        }
        if promotion {
            let kind = of.promotion_ending();
            add(&mut of, "promotion-ending", kind);
        }
        if call_back {
            day.schedules.push(of.call_back());
        }
        if bill_care {
            day.schedules.push(of.bill_care());
        }
        if survey {
            day.schedules.push(of.survey());
        }
    }
    day
}

/// One customer's day, and the draws that fill it in.
struct Of<'a> {
    customer: &'a DemoCustomer,
    today: NaiveDate,
    now: DateTime<Utc>,
    rng: StdRng,
}

impl Of<'_> {
    /// An event of the last three hours, named for its day, customer and kind.
    fn event(&mut self, name: &str, kind: event::Kind) -> Event {
        let ago = TimeDelta::minutes(self.rng.random_range(5..=180));
        Event {
            event_id: format!("demo-{}-{}-{name}", self.today, self.customer.customer_id),
            customer_id: self.customer.customer_id.clone(),
            occurred_at: timestamp(self.now - ago),
            kind: Some(kind),
        }
    }

    fn data_80(&mut self) -> event::Kind {
        let quota_mb = *[10_240_i64, 20_480, 30_720, 40_960]
            .choose(&mut self.rng)
            .unwrap_or(&20_480);
        let used_percent = self.rng.random_range(80..=86);
        event::Kind::DataUsage(DataUsage {
            threshold_percent: 80,
            used_percent,
            cycle: format!("{:04}-{:02}", self.today.year(), self.today.month()),
            quota_mb,
            used_mb: quota_mb * i64::from(used_percent) / 100,
            overage_fen: 0,
        })
    }

    fn low_balance(&mut self) -> event::Kind {
        event::Kind::BalanceChanged(BalanceChanged {
            balance_fen: self.rng.random_range(300..THRESHOLD_FEN),
            threshold_fen: THRESHOLD_FEN,
            amount_fen: -self.rng.random_range(1_000..6_000),
        })
    }

    fn plan_change(&mut self) -> event::Kind {
        let (plan_name, plan_description) = *vocab::NEW_PLANS
            .choose(&mut self.rng)
            .unwrap_or(&vocab::NEW_PLANS[0]);
        // Plans change on the first of the next month.
        let next_month = self
            .today
            .with_day(1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .unwrap_or(self.today);
        event::Kind::PlanChanged(PlanChanged {
            stage: PlanChangeStage::Accepted as i32,
            trade_mark: "全球通".into(),
            plan_name: plan_name.into(),
            effective_date: Some(Date {
                year: next_month.year(),
                month: next_month.month() as i32,
                day: next_month.day() as i32,
            }),
            plan_description: plan_description.into(),
        })
    }

    fn vas_trial(&mut self) -> event::Kind {
        let (service_name, description, price_fen) = *vocab::VALUE_ADDED
            .choose(&mut self.rng)
            .unwrap_or(&vocab::VALUE_ADDED[0]);
        event::Kind::VasSubscribed(VasSubscribed {
            service_name: service_name.into(),
            price_fen,
            free_trial_hours: TRIAL_HOURS,
            description: description.into(),
            cancel_instructions: "发送0000到10086".into(),
        })
    }

    /// Ends at midnight starting the third day: the week-ahead notice (already past) goes now,
    /// the day-ahead one at midnight, inside most customers' quiet hours.
    fn promotion_ending(&mut self) -> event::Kind {
        let (promotion_name, cost_after) = *vocab::PROMOTIONS
            .choose(&mut self.rng)
            .unwrap_or(&vocab::PROMOTIONS[0]);
        let ends = at_local(self.today + Days::new(3), 0, 0);
        event::Kind::PromotionExpiring(PromotionExpiring {
            promotion_name: promotion_name.into(),
            expire_time: timestamp(ends),
            cost_after: cost_after.into(),
            remind_before: Vec::new(),
        })
    }
}

#[path = "day_schedules.rs"]
mod schedules;

#[cfg(test)]
#[path = "day_tests.rs"]
mod tests;
