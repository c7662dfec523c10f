//! Escalation by the clock: level 1 (a staff task to the handler's supervisor) at 80% of the
//! time to resolve, level 2 (one step higher) at the breach, each once per clock.
//!
//! The pass reads only complaints whose `next_check` has come (the index keeps the others out
//! of sight), works out which levels are due from the clock's facts under the policy in force,
//! records each (an insert unique on complaint, clock start and level: only the call that
//! inserted it sends the task, in the same transaction) and writes the schedule again so
//! `next_check` moves on to the next level, or to nothing. A complaint moved meanwhile keeps
//! the schedule its move wrote from fresher facts, and is checked again if that is due.
//!
//! Escalating by hand shares the task and the counting of levels: a level 2 fired (by hand)
//! counts level 1 as fired, since a clock never escalates a step down.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::Pass;
use crate::domain::{BusinessCalendar, Level, SlaTarget, due_levels};
use crate::error::Error;
use crate::notices::{Notice, dedupe_key};
use crate::rules::Rules;
use crate::store::escalations::{self, Escalation};
use crate::store::policy::StoredPolicy;
use crate::store::{Schedule, StoredComplaint, complaints};

/// Escalates every complaint whose check has come; returns how many levels fired.
pub(super) async fn escalate_due(pass: &Pass<'_>, policy: &StoredPolicy) -> Result<u64, Error> {
    let mut fired = 0;
    loop {
        let page = escalations::due_for_check(pass.db.conn(), pass.now, pass.batch).await?;
        if page.is_empty() {
            break;
        }
        let (n, settled) = pass
            .in_page(async |txn, told| {
                let (mut n, mut settled) = (0, 0);
                for c in &page {
                    let checked = check(txn, c, policy, pass, told).await?;
                    n += checked.fired;
                    settled += u64::from(checked.settled);
                }
                Ok((n, settled))
            })
            .await?;
        fired += n;
        // Checked complaints leave the due set; a page none of which could (facts the clock
        // cannot agree with) would be read again and again, so it ends the step.
        if !pass.full(page.len()) || settled == 0 {
            if settled == 0 {
                tracing::warn!(
                    count = page.len(),
                    "complaints stay due for an escalation check after it; left to the next pass"
                );
            }
            break;
        }
    }
    Ok(fired)
}

/// What checking one complaint came to.
struct Checked {
    fired: u64,
    /// It left the set of complaints due for a check (or a move took it out of our hands).
    settled: bool,
}

/// Fires the levels of `c` due now, each once, with its staff task.
async fn check(
    txn: &DatabaseTransaction,
    c: &StoredComplaint,
    policy: &StoredPolicy,
    pass: &Pass<'_>,
    told: &mut Vec<Notice>,
) -> Result<Checked, Error> {
    let k = &c.complaint;
    let target = policy.policy.target(&k.tier_at_opening, k.severity);
    let calendar = &policy.calendar;
    let started = c.clock.started_at();
    let fired = counted(&escalations::fired_levels(txn, &k.id, started).await?);
    let due = due_levels(&c.clock, &target, calendar, &fired, pass.now);
    let after: Vec<Level> = fired.iter().chain(&due).copied().collect();
    let schedule = Schedule::of(&c.clock, &target, calendar, &counted(&after));
    // Written over the version read (which also holds the row until commit on PostgreSQL):
    // if the complaint moved since, its facts changed and its move's schedule stands.
    if !complaints::reschedule(txn, &k.id, k.version, schedule).await? {
        return Ok(Checked {
            fired: 0,
            settled: true,
        });
    }
    let mut n = 0;
    for level in due {
        let escalation = Escalation {
            level,
            clock_started_at: started,
            manual: false,
            escalated_by: None,
            reason: clock_reason(level).to_owned(),
            escalated_at: pass.now,
        };
        // Another replica's pass may have fired it since we read: then it told, not us.
        if escalations::record(txn, &k.id, &escalation).await? {
            told.push(staff_task(c, &escalation, &target, calendar, pass.rules));
            n += 1;
        }
    }
    Ok(Checked {
        fired: n,
        settled: schedule.next_check.is_none_or(|at| at > pass.now),
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
