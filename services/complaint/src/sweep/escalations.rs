//! Escalation by the clock: level 1 (a staff task to the handler's supervisor) at 80% of the
//! time to resolve, level 2 (one step higher) at the breach, each once per clock.
//!
//! The pass reads only complaints whose `next_check` has come (the index keeps the others out
//! of sight), a page at a time; works out which levels are due from each clock's facts under
//! the policy in force; writes the schedules again over the versions read, so `next_check`
//! moves on to the next level, or to nothing (and the change stamp of those escalating moves
//! to now); and records the levels due (an insert unique on complaint, clock start and level:
//! only what this pass inserted gets a task, in the same transaction). Each of those is one
//! statement for the whole page. A complaint moved meanwhile keeps the schedule its move wrote
//! from fresher facts, and is checked again if that is due.
//!
//! Escalating by hand shares the task and the counting of levels: a level 2 fired (by hand)
//! counts level 1 as fired, since a clock never escalates a step down.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::Pass;
use crate::domain::{BusinessCalendar, Level, SlaTarget, due_levels};
use crate::error::Error;
use crate::notices::{Notice, dedupe_key};
use crate::rules::Rules;
use crate::store::checks::{self, ClockLevel, Rescheduled};
use crate::store::escalations::{self, Escalation};
use crate::store::policy::StoredPolicy;
use crate::store::{Schedule, StoredComplaint};

/// Escalates every complaint whose check has come; returns how many levels fired.
pub(super) async fn escalate_due(pass: &Pass<'_>, policy: &StoredPolicy) -> Result<u64, Error> {
    let mut fired = 0;
    loop {
        let page = escalations::due_for_check(pass.db.conn(), pass.now, pass.batch).await?;
        if page.is_empty() {
            break;
        }
        let checked = pass
            .in_page(async |txn, told| check_page(txn, &page, policy, pass, told).await)
            .await?;
        fired += checked.fired;
        // Checked complaints leave the due set; a page none of which could (facts the clock
        // cannot agree with) would be read again and again, so it ends the step.
        if checked.settled == 0 {
            tracing::warn!(
                count = page.len(),
                "complaints stay due for an escalation check after it; left to the next pass"
            );
            break;
        }
        if !pass.full(page.len()) {
            break;
        }
    }
    Ok(fired)
}

/// What checking a page came to.
struct Checked {
    fired: u64,
    /// How many left the set of complaints due for a check (or were moved meanwhile, which
    /// takes them out of our hands).
    settled: u64,
}

/// What the clock owes one complaint now.
struct Plan<'a> {
    c: &'a StoredComplaint,
    target: SlaTarget,
    due: Vec<Level>,
    schedule: Schedule,
}

/// Fires the levels due now of every complaint of the page, each once, with its staff task.
async fn check_page(
    txn: &DatabaseTransaction,
    page: &[StoredComplaint],
    policy: &StoredPolicy,
    pass: &Pass<'_>,
    told: &mut Vec<Notice>,
) -> Result<Checked, Error> {
    let clocks: Vec<(&str, DateTime<Utc>)> = page
        .iter()
        .map(|c| (c.complaint.id.as_str(), c.clock.started_at()))
        .collect();
    let recorded = checks::fired_on_clocks(txn, &clocks).await?;
    let calendar = &policy.calendar;
    let plans: Vec<Plan<'_>> = page
        .iter()
        .map(|c| {
            let k = &c.complaint;
            let target = policy.policy.target(&k.tier_at_opening, k.severity);
            let fired = counted(recorded.get(&k.id).map_or(&[], Vec::as_slice));
            let due = due_levels(&c.clock, &target, calendar, &fired, pass.now);
            let after: Vec<Level> = fired.iter().chain(&due).copied().collect();
            let schedule = Schedule::of(&c.clock, &target, calendar, &counted(&after));
            Plan {
                c,
                target,
                due,
                schedule,
            }
        })
        .collect();
    // Written over the versions read (which also holds the rows until commit on PostgreSQL):
    // a complaint moved since has new facts, and its move's schedule stands. Those escalating
    // are stamped changed in the same write.
    let schedules: Vec<Rescheduled<'_>> = plans
        .iter()
        .map(|p| Rescheduled {
            complaint_id: &p.c.complaint.id,
            version: p.c.complaint.version,
            schedule: p.schedule,
            escalates: !p.due.is_empty(),
        })
        .collect();
    let written = checks::reschedule_many(txn, &schedules, pass.now).await?;
    let firing: Vec<ClockLevel> = plans
        .iter()
        .filter(|p| written.contains(&p.c.complaint.id))
        .flat_map(|p| {
            p.due.iter().map(|level| ClockLevel {
                complaint_id: p.c.complaint.id.clone(),
                clock_started_at: p.c.clock.started_at(),
                level: *level,
                reason: clock_reason(*level).to_owned(),
            })
        })
        .collect();
    // Another replica's pass may have fired some since we read: then it told, not us.
    let fired = checks::record_by_clock(txn, &firing, pass.now).await?;
    let by_id: HashMap<&str, &Plan<'_>> = plans
        .iter()
        .map(|p| (p.c.complaint.id.as_str(), p))
        .collect();
    for (id, level) in &fired {
        let Some(plan) = by_id.get(id.as_str()) else {
            continue;
        };
        let escalation = Escalation {
            level: *level,
            clock_started_at: plan.c.clock.started_at(),
            manual: false,
            escalated_by: None,
            reason: clock_reason(*level).to_owned(),
            escalated_at: pass.now,
        };
        told.push(staff_task(
            plan.c,
            &escalation,
            &plan.target,
            calendar,
            pass.rules,
        ));
    }
    let settled = plans
        .iter()
        .filter(|p| {
            !written.contains(&p.c.complaint.id)
                || p.schedule.next_check.is_none_or(|at| at > pass.now)
        })
        .count();
    Ok(Checked {
        fired: u64::try_from(fired.len()).unwrap_or(u64::MAX),
        settled: u64::try_from(settled).unwrap_or(u64::MAX),
    })
}

/// The levels that count as fired, given those recorded: every level up to the highest, since
/// a level 2 fired by hand leaves nothing for level 1 to say.
pub(crate) fn counted(recorded: &[Level]) -> Vec<Level> {
    match recorded.iter().max() {
        Some(top) => Level::ALL.iter().copied().filter(|l| l <= top).collect(),
        None => Vec::new(),
    }
}

/// Why the clock fired a level, as the escalation records it.
pub(crate) fn clock_reason(level: Level) -> &'static str {
    match level {
        Level::Level1 => "80% of the time to resolve used",
        Level::Level2 => "the time to resolve used up",
    }
}

/// The staff task an escalation sends: to the handler's supervisor (level 1) or one step
/// higher (level 2), due when the time to resolve runs out — or at once, once it has. The
/// customer is named by id: the store keeps no names, and the task must not wait on the
/// profile.
pub(crate) fn staff_task(
    c: &StoredComplaint,
    escalation: &Escalation,
    target: &SlaTarget,
    calendar: &BusinessCalendar,
    rules: &Rules,
) -> Notice {
    let k = &c.complaint;
    let at = escalation.escalated_at;
    let due = due_by(c.clock.resolve_due(target, calendar), at);
    let task = task_text(escalation, &k.handler);
    let key = dedupe_key(
        &k.id,
        &format!("escalation-{}", escalation.level.code()),
        escalation.clock_started_at.timestamp_millis(),
    );
    let assignee = rules.escalation_to(escalation.level, &k.handler);
    Notice::staff_task(k, &k.customer_id, assignee, &task, due, at, key)
}

/// When an escalation's task is due: when the time to resolve runs out, if it still lies
/// ahead; otherwise now.
fn due_by(resolve_due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    resolve_due.filter(|due| *due > now).unwrap_or(now)
}

/// What the task asks, in the words of the hall.
fn task_text(escalation: &Escalation, handler: &str) -> String {
    let level = match escalation.level {
        Level::Level1 => "一级",
        Level::Level2 => "二级",
    };
    match (&escalation.escalated_by, escalation.level) {
        (Some(by), _) => format!(
            "{by}手动{level}升级:{};请督促处理人{handler}",
            escalation.reason
        ),
        (None, Level::Level1) => {
            format!("{level}升级:解决时限已用去80%,请督促处理人{handler}在时限内解决")
        }
        (None, Level::Level2) => {
            format!("{level}升级:已超过解决时限,请督促处理人{handler}尽快解决")
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_level_counts_every_level_below_it_as_fired() {
        assert_eq!(counted(&[]), []);
        assert_eq!(counted(&[Level::Level1]), [Level::Level1]);
        assert_eq!(counted(&[Level::Level2]), [Level::Level1, Level::Level2]);
        assert_eq!(
            counted(&[Level::Level2, Level::Level1]),
            [Level::Level1, Level::Level2]
        );
    }

    #[test]
    fn a_task_is_due_at_the_breach_while_it_lies_ahead_then_at_once() {
        let now = at("2026-06-15T04:00:00Z");
        let breach = now + TimeDelta::hours(2);
        assert_eq!(due_by(Some(breach), now), breach);
        assert_eq!(due_by(Some(now - TimeDelta::hours(1)), now), now);
        assert_eq!(due_by(None, now), now);
    }

    #[test]
    fn the_task_says_which_level_and_who_asked() {
        let mut escalation = Escalation {
            level: Level::Level1,
            clock_started_at: at("2026-06-15T04:00:00Z"),
            manual: false,
            escalated_by: None,
            reason: clock_reason(Level::Level1).into(),
            escalated_at: at("2026-06-15T10:00:00Z"),
        };
        let by_clock = task_text(&escalation, "E1001");
        assert!(by_clock.starts_with("一级升级"), "{by_clock}");
        assert!(by_clock.contains("80%") && by_clock.contains("E1001"));

        escalation.level = Level::Level2;
        escalation.manual = true;
        escalation.escalated_by = Some("S200".into());
        escalation.reason = "客户要求经理回电".into();
        let by_hand = task_text(&escalation, "E1001");
        assert!(by_hand.starts_with("S200手动二级升级"), "{by_hand}");
        assert!(by_hand.contains("客户要求经理回电"));
    }
}
