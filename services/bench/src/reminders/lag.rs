//! The lag from due to sent at a steady offered rate: ScheduleReminder through the gateway,
//! `rate` a second on an open loop (a slow answer does not slow the offer), each due the moment
//! it is offered, one to a customer; then each reminder read back through GetReminder. Its lag
//! is the hand-over time of its first attempt, as the service recorded it, minus the moment the
//! bench offered it: the call itself, the dispatcher's idle pause, the claim, the customer
//! look-up and the provider's answer are all inside. The calls carry no request_id, so the
//! service stores those arriving together in one transaction (`scheduling::Gathered`); a keyed
//! call keeps a transaction of its own.
//!
//! Calls in flight are bounded: a service that cannot keep up makes the offer wait, and the
//! offer still ends on time (the rate actually offered is printed), instead of drowning the
//! service under thousands of queued calls, which would measure the queue, not the service.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1 as pb;

use super::{Reminders, describe, time, timestamp};
use crate::latency::Latencies;

/// The dispatcher's idle pause and a claim's round: no reminder is read back before it could
/// have gone.
const SETTLE: Duration = Duration::from_secs(2);
/// After this, what is still waiting is counted as unsent.
const READ_BACK_LIMIT: Duration = Duration::from_secs(30);
/// GetReminder calls in flight while reading back.
const READERS: usize = 32;
/// ScheduleReminder calls in flight at most: at 1,000 a second, a quarter second's worth.
const MAX_IN_FLIGHT: usize = 256;
const TEMPLATE: &str = "plan_change.accepted.sms.zh-cn";

/// What the lag run saw.
#[derive(Debug, Default)]
pub(super) struct Lag {
    pub offered: u64,
    /// From the first offer to the last.
    pub offering: Duration,
    pub lags: Latencies,
    /// Scheduled but still waiting (or ended unsent) when reading back gave up.
    pub unsent: u64,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Lag {
    fn failed(&mut self, error: String) {
        self.errors += 1;
        self.first_error.get_or_insert(error);
    }
}

/// Offers `rate` reminders a second for `duration` to `customers` (one each while they last),
/// then reads them back.
pub(super) async fn measure(
    clients: &[Reminders],
    customers: &[String],
    rate: u32,
    duration: Duration,
) -> anyhow::Result<Lag> {
    anyhow::ensure!(
        !clients.is_empty() && !customers.is_empty(),
        "no customers to remind"
    );
    let total = (f64::from(rate) * duration.as_secs_f64()).round().max(1.0) as u64;
    let mut lag = Lag {
        lags: Latencies::with_capacity(usize::try_from(total)?),
        ..Lag::default()
    };
    let mut calls = JoinSet::new();
    let room = std::sync::Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let started = Instant::now();
    let stop = tokio::time::Instant::from_std(started + duration);
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    'offering: while lag.offered < total {
        tick.tick().await;
        let due = (started.elapsed().as_secs_f64() * f64::from(rate)) as u64 + 1;
        while lag.offered < due.min(total) {
            // A service that cannot keep up ends the offer on time rather than stretching it.
            let Ok(permit) = tokio::time::timeout_at(stop, room.clone().acquire_owned()).await
            else {
                break 'offering;
            };
            let permit = permit?;
            let n = usize::try_from(lag.offered)?;
            let client = clients[n % clients.len()].clone();
            let customer = customers[n % customers.len()].clone();
            calls.spawn(async move {
                let scheduled = schedule(client, customer).await;
                drop(permit);
                scheduled
            });
            lag.offered += 1;
        }
    }
    lag.offering = started.elapsed();
    let mut waiting = Vec::with_capacity(usize::try_from(total)?);
    while let Some(joined) = calls.join_next().await {
        match joined.context("a ScheduleReminder task")? {
            Ok(scheduled) => waiting.push(scheduled),
            Err(error) => lag.failed(error),
        }
    }
    tokio::time::sleep(SETTLE).await;
    let give_up = Instant::now() + READ_BACK_LIMIT;
    while !waiting.is_empty() {
        let reads = futures::stream::iter(waiting.into_iter().enumerate())
            .map(|(i, (id, offered))| {
                let client = clients[i % clients.len()].clone();
                async move { (sent_at(client, &id).await, id, offered) }
            })
            .buffer_unordered(READERS)
            .collect::<Vec<_>>()
            .await;
        waiting = Vec::new();
        for (read, id, offered) in reads {
            match read {
                Ok(Some(sent)) => lag
                    .lags
                    .record((sent - offered).to_std().unwrap_or_default()),
                Ok(None) => waiting.push((id, offered)),
                Err(error) => lag.failed(error),
            }
        }
        if Instant::now() >= give_up {
            lag.unsent = waiting.len() as u64;
            break;
        }
        if !waiting.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    Ok(lag)
}

/// Schedules one reminder due now; its id and the moment it was offered.
async fn schedule(
    mut client: Reminders,
    customer_id: String,
) -> Result<(String, DateTime<Utc>), String> {
    let offered = Utc::now();
    let variables = [
        ("TRADE_MARK", "全球通"),
        ("PLAN_NAME", "5G畅享套餐"),
        ("YEAR", "2026"),
        ("MONTH", "4"),
        ("DATE", "1"),
        ("PLAN_DESC", "每月128元,含30GB流量。"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let request = pb::ScheduleReminderRequest {
        customer_id,
        touchpoint: Touchpoint::PlanChange as i32,
        template_code: TEMPLATE.into(),
        variables,
        send_at: Some(timestamp(offered)),
        deadline: None,
        priority: 0,
        dedupe_key: String::new(),
        request_id: String::new(),
        staff_assignee: String::new(),
    };
    let answer = client
        .schedule_reminder(request)
        .await
        .map_err(|s| format!("ScheduleReminder {}", describe(&s)))?;
    let reminder = answer.into_inner().reminder.unwrap_or_default();
    Ok((reminder.reminder_id, offered))
}

/// When the reminder's first attempt was handed to its channel; `None` while it waits.
async fn sent_at(mut client: Reminders, id: &str) -> Result<Option<DateTime<Utc>>, String> {
    let request = pb::GetReminderRequest {
        reminder_id: id.to_owned(),
    };
    let answer = client
        .get_reminder(request)
        .await
        .map_err(|s| format!("GetReminder {}", describe(&s)))?
        .into_inner();
    if let Some(first) = answer.attempts.first() {
        return Ok(first.start_time.as_ref().map(time));
    }
    let state = answer.reminder.map(|r| r.state()).unwrap_or_default();
    match state {
        pb::ReminderState::Scheduled
        | pb::ReminderState::Deferred
        | pb::ReminderState::Dispatching => Ok(None),
        ended => Err(format!(
            "reminder {id} ended {} without an attempt",
            ended.as_str_name()
        )),
    }
}
