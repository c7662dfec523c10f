//! The store the run measures: `count` open complaints, written through the complaint store's
//! bulk import before anything reads them (opening a million through the API would take far
//! longer than the run). Each is built as the service builds one — a checked draft opened by
//! the domain, moved by the lifecycle's own `apply`, its clock started at a backdated opening
//! and scheduled under the SLA policy in force — so the pass and the list find exactly what
//! handlers would have left.
//!
//! Where the clocks stand at `now` goes by turn, one in twenty each: past the resolution time
//! (both escalation levels due, and overdue on the list), two past 80% of it (level 1 due),
//! one just opened and not yet acknowledged, one waiting for the customer (paused), and fifteen
//! acknowledged or being worked short of 80%. So 15% are due for the pass, the rest not: a pass
//! that touched every open complaint would show in its time. Tier, severity, channel and
//! category are drawn at random; the opening is drawn within the range its turn allows, found
//! once per SLA target on the target's own clock (business hours or around the clock).
//!
//! Progress notices stand as a service that kept them would have left them: each complaint's
//! next one is scheduled at the first interval of its tier after `now` (never while waiting
//! for the customer, as the service does), so the pass sends none and the time it takes is the
//! escalations'.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use vipcare_complaint::domain::{
    BusinessCalendar, Category, Channel, ClockKind, Complaint, ComplaintDraft, Level, Move,
    NewComplaint, ProgressIntervals, Severity, SlaClock, SlaTarget, apply,
};
use vipcare_complaint::store::progress::{self, NextNotice};
use vipcare_complaint::store::{Schedule, StoredComplaint, import, policy, stored_time};
use vipcare_storage::Database;

use crate::seed::TIERS;

/// Complaints built and imported per transaction.
const CHUNK: u64 = 5_000;
/// Severities likewise: most complaints are MEDIUM, few CRITICAL.
const SEVERITIES: [Severity; 10] = [
    Severity::Low,
    Severity::Low,
    Severity::Low,
    Severity::Medium,
    Severity::Medium,
    Severity::Medium,
    Severity::Medium,
    Severity::High,
    Severity::High,
    Severity::Critical,
];
const SUMMARIES: [&str; 4] = [
    "话费多扣了 30 元",
    "家里宽带晚上经常断线",
    "营业员办理业务态度差",
    "积分兑换的权益没有到账",
];
/// How far back an opening is looked for: well past 150% of the longest default target on
/// business hours, across a week-long holiday.
const LOOKBACK: TimeDelta = TimeDelta::days(90);

/// Where a complaint's clock stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stand {
    /// Past its time to resolve: both levels due.
    Breached,
    /// Past 80% of it: level 1 due.
    Late,
    /// Just opened, not yet acknowledged, within its time to respond.
    Fresh,
    /// Waiting for the customer, its clock paused short of 80%.
    Waiting,
    /// Acknowledged or being worked, short of 80%.
    OnTime,
}

impl Stand {
    pub(super) fn of(i: u64) -> Stand {
        match i % 20 {
            0 => Stand::Breached,
            1 | 2 => Stand::Late,
            3 => Stand::Fresh,
            4 => Stand::Waiting,
            _ => Stand::OnTime,
        }
    }

    /// Whether the pass at `now` is due to check it.
    fn due(self) -> bool {
        matches!(self, Stand::Breached | Stand::Late)
    }
}

/// What was loaded.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seeded {
    pub count: u64,
    /// Due for the pass: level 1 reached, or both.
    pub due: u64,
    /// Past the time to resolve (also on the overdue list).
    pub breached: u64,
    pub waiting: u64,
    pub seconds: f64,
}

/// For one SLA target: the latest opening, to the millisecond, at which a clock never paused
/// has counted each amount by `now`.
struct Bounds {
    target: SlaTarget,
    respond: DateTime<Utc>,
    level1: DateTime<Utc>,
    breach: DateTime<Utc>,
    far: DateTime<Utc>,
}

/// Loads `count` open complaints whose clocks and progress notices stand as of `now` as the
/// module says, notices every `intervals` of their tier.
pub(super) async fn load(
    db: &Database,
    count: u64,
    now: DateTime<Utc>,
    intervals: &ProgressIntervals,
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let now = stored_time(now);
    let stored = policy::get(db.conn()).await.context("the SLA policy")?;
    let calendar = &stored.calendar;
    let mut bounds = BTreeMap::new();
    for tier in TIERS {
        for severity in Severity::ALL {
            let target = stored.policy.target(tier, *severity);
            bounds.insert((tier, *severity), bounds_of(target, calendar, now)?);
        }
    }
    let mut seeded = Seeded {
        count,
        ..Seeded::default()
    };
    for first in (0..count).step_by(CHUNK as usize) {
        let batch = (first..count.min(first + CHUNK))
            .map(|i| {
                let stand = Stand::of(i);
                seeded.due += u64::from(stand.due());
                seeded.breached += u64::from(stand == Stand::Breached);
                seeded.waiting += u64::from(stand == Stand::Waiting);
                build(i, stand, &bounds, calendar, now)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        import::insert_many(db.conn(), &batch)
            .await
            .context("importing complaints")?;
        let next: Vec<_> = batch
            .iter()
            .map(|c| {
                (
                    c.complaint.id.as_str(),
                    next_notice(&c.complaint, intervals, now),
                )
            })
            .collect();
        progress::schedule_first_many(db.conn(), &next)
            .await
            .context("scheduling progress notices")?;
    }
    seeded.seconds = started.elapsed().as_secs_f64();
    Ok(seeded)
}

/// The first notice of the complaint's tier after `now`, counted from its opening in whole
/// intervals, as though every one before was sent on time: the last was at most `now`, so
/// one interval on is past it.
fn next_notice(
    complaint: &Complaint,
    intervals: &ProgressIntervals,
    now: DateTime<Utc>,
) -> NextNotice {
    let tier = &complaint.tier_at_opening;
    let last = intervals
        .interval_for(tier)
        .map_or(complaint.opened_at, |every| {
            let elapsed = (now - complaint.opened_at).num_milliseconds();
            let sent = elapsed / every.num_milliseconds().max(1);
            complaint.opened_at + TimeDelta::milliseconds(every.num_milliseconds() * sent)
        });
    NextNotice::from(intervals.next_progress_notice(last, tier, complaint.state, now))
}

fn bounds_of(
    target: SlaTarget,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> anyhow::Result<Bounds> {
    let opening = |amount| latest_opening(target.clock, calendar, amount, now);
    Ok(Bounds {
        target,
        respond: opening(target.respond)?,
        level1: opening(Level::Level1.threshold(&target))?,
        breach: opening(Level::Level2.threshold(&target))?,
        far: opening(target.resolve + target.resolve / 2)?,
    })
}

/// The latest opening at which a clock of `kind` has counted `amount` by `now`: what it counts
/// only shrinks as the opening moves later, so it is found by bisection.
fn latest_opening(
    kind: ClockKind,
    calendar: &BusinessCalendar,
    amount: TimeDelta,
    now: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    let at = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let counted = |ms: i64| kind.between(calendar, at(ms), now);
    let (mut early, mut late) = ((now - LOOKBACK).timestamp_millis(), now.timestamp_millis());
    anyhow::ensure!(
        counted(early) >= amount,
        "{amount} of {} time is more than the last {} days hold",
        kind.code(),
        LOOKBACK.num_days()
    );
    while late - early > 1 {
        let mid = early + (late - early) / 2;
        if counted(mid) >= amount {
            early = mid;
        } else {
            late = mid;
        }
    }
    Ok(at(early))
}

/// Complaint `i`, its clock standing where `stand` says at `now`.
fn build(
    i: u64,
    stand: Stand,
    bounds: &BTreeMap<(&str, Severity), Bounds>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> anyhow::Result<StoredComplaint> {
    let mut rng = rand::rng();
    let tier = TIERS[rng.random_range(0..TIERS.len())];
    let severity = SEVERITIES[rng.random_range(0..SEVERITIES.len())];
    let b = &bounds[&(tier, severity)];
    // Openings in (earliest, latest]: later ones have counted less.
    let (earliest, latest) = match stand {
        Stand::Breached => (b.far, b.breach),
        Stand::Late => (b.breach, b.level1),
        Stand::Fresh => (b.respond.max(b.level1), now),
        Stand::Waiting | Stand::OnTime => (b.level1, now),
    };
    let (earliest, latest) = (earliest.timestamp_millis(), latest.timestamp_millis());
    let opened_ms = rng.random_range(earliest.min(latest - 1) + 1..=latest);
    let opened_at = DateTime::from_timestamp_millis(opened_ms).unwrap_or(now);
    let owner = format!("E{}", 1000 + i % 300);
    let values = NewComplaint {
        customer_id: format!("bench-{:09}", i / 3),
        channel: Some(Channel::ALL[rng.random_range(0..Channel::ALL.len())]),
        category: Some(Category::ALL[rng.random_range(0..Category::ALL.len())]),
        severity: Some(severity),
        summary: SUMMARIES[(i % 4) as usize].to_owned(),
        description: String::new(),
        first_contact_owner: owner.clone(),
    };
    let draft = ComplaintDraft::new(values, opened_at)
        .map_err(|refused| anyhow::anyhow!("complaint {i} refused: {refused:?}"))?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut complaint = Complaint::open(id, draft, tier.to_owned(), None);
    let mut clock = SlaClock::start(opened_at);
    let mut pause_reasons = Vec::new();
    // Acknowledged within minutes, worked at once, waiting a quarter of the way along.
    let quarter = TimeDelta::milliseconds((now - opened_at).num_milliseconds() / 4);
    let acknowledged = opened_at + quarter.min(TimeDelta::minutes(10));
    let working = acknowledged + quarter.min(TimeDelta::minutes(5));
    let waiting = working + quarter;
    let mut moves = Vec::new();
    if stand != Stand::Fresh {
        moves.push((Move::Acknowledge, acknowledged));
        clock.respond(acknowledged)?;
    }
    if stand != Stand::Fresh && (stand != Stand::OnTime || !i.is_multiple_of(3)) {
        moves.push((Move::StartWork, working));
    }
    if stand == Stand::Waiting {
        let reason = "请客户提供上月详单截图".to_owned();
        moves.push((
            Move::WaitForCustomer {
                reason: reason.clone(),
            },
            waiting,
        ));
        clock.pause(waiting)?;
        pause_reasons.push(reason);
    }
    for (the_move, at) in moves {
        apply(&mut complaint, the_move, &owner, at)?;
    }
    let schedule = Schedule::of(&clock, &b.target, calendar, &[]);
    let due = schedule.next_check.is_some_and(|at| at <= now);
    anyhow::ensure!(
        due == stand.due(),
        "complaint {i} ({stand:?}, {tier} {}) was built with its next check at {:?}, now {now}",
        severity.code(),
        schedule.next_check
    );
    let update_time = complaint.timeline.last().map_or(opened_at, |e| e.at);
    Ok(StoredComplaint {
        complaint,
        clock,
        pause_reasons,
        schedule,
        update_time,
    })
}

#[cfg(test)]
mod tests {
    use vipcare_complaint::domain::{ComplaintState, SlaPolicy};

    use super::*;

    fn all_bounds(now: DateTime<Utc>) -> BTreeMap<(&'static str, Severity), Bounds> {
        let policy = SlaPolicy::default();
        let calendar = BusinessCalendar::default();
        let mut bounds = BTreeMap::new();
        for tier in TIERS {
            for severity in Severity::ALL {
                let b = bounds_of(policy.target(tier, *severity), &calendar, now).unwrap();
                bounds.insert((tier, *severity), b);
            }
        }
        bounds
    }

    #[test]
    fn one_in_twenty_is_breached_and_two_are_late() {
        let stands: Vec<Stand> = (0..20).map(Stand::of).collect();
        let count = |s: Stand| stands.iter().filter(|x| **x == s).count();
        assert_eq!(count(Stand::Breached), 1);
        assert_eq!(count(Stand::Late), 2);
        assert_eq!(stands.iter().filter(|s| s.due()).count(), 3);
        assert_eq!(Stand::of(40), Stand::Breached);
    }

    #[test]
    fn business_openings_count_only_working_time() {
        // Monday 2026-03-02 10:00 in Shanghai: one working hour so far today.
        let now: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().unwrap();
        let calendar = BusinessCalendar::default();
        let opened = latest_opening(ClockKind::Business, &calendar, TimeDelta::hours(2), now);
        let opened = opened.unwrap();
        assert_eq!(
            ClockKind::Business.between(&calendar, opened, now),
            TimeDelta::hours(2)
        );
        // The hour before today's lies in Friday's working day: 17:00 in Shanghai.
        assert_eq!(
            opened,
            "2026-02-27T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let calendar_clock =
            latest_opening(ClockKind::Calendar, &calendar, TimeDelta::hours(2), now).unwrap();
        assert_eq!(calendar_clock, now - TimeDelta::hours(2));
    }

    #[test]
    fn every_turn_builds_a_complaint_standing_where_it_says() {
        let now: DateTime<Utc> = "2026-03-04T07:30:00Z".parse().unwrap();
        let bounds = all_bounds(now);
        let calendar = BusinessCalendar::default();
        for i in 0..200 {
            // `build` itself refuses a complaint whose next check disagrees with its turn.
            let c = build(i, Stand::of(i), &bounds, &calendar, now).unwrap();
            let overdue = c.schedule.overdue_at.is_some_and(|at| at <= now);
            assert_eq!(overdue, Stand::of(i) == Stand::Breached, "complaint {i}");
            let state = c.complaint.state;
            match Stand::of(i) {
                Stand::Fresh => assert_eq!(state, ComplaintState::Open),
                Stand::Waiting => assert!(c.clock.is_paused() && c.pause_reasons.len() == 1),
                _ => assert!(c.clock.responded_at().is_some(), "complaint {i}"),
            }
            assert_eq!(c.complaint.version as usize, c.complaint.timeline.len());
        }
    }

    #[test]
    fn progress_notices_are_next_due_after_now_and_never_while_waiting() {
        let now: DateTime<Utc> = "2026-03-04T07:30:00Z".parse().unwrap();
        let bounds = all_bounds(now);
        let calendar = BusinessCalendar::default();
        let intervals = ProgressIntervals::default();
        for i in 0..200 {
            let c = build(i, Stand::of(i), &bounds, &calendar, now).unwrap();
            let tier = c.complaint.tier_at_opening.as_str();
            match (
                next_notice(&c.complaint, &intervals, now),
                intervals.interval_for(tier),
            ) {
                (NextNotice::At(at), Some(every)) => {
                    assert!(at > now && at <= now + every, "complaint {i}: {at}");
                    let since = (at - c.complaint.opened_at).num_milliseconds();
                    assert_eq!(since % every.num_milliseconds(), 0, "complaint {i}");
                }
                (NextNotice::Never, None) => {}
                (NextNotice::Never, Some(_)) => assert_eq!(Stand::of(i), Stand::Waiting),
                (at, None) => panic!("complaint {i} of {tier} scheduled at {at:?}"),
            }
        }
    }
}
