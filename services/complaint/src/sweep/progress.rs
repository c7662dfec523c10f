//! Progress notices: while a complaint is open the customer hears how it goes every so many
//! hours by the tier it was opened at (DIAMOND every 24), one interval after the last notice.
//! None while WAITING_CUSTOMER (the next move is theirs: a notice due meanwhile is held and goes
//! as soon as work resumes), none once RESOLVED or CLOSED (the result was the last word). The
//! reminder service keeps quiet hours, so a notice is simply scheduled now.
//!
//! The pass first schedules the complaints nobody scheduled (opened or reopened without it:
//! first notice one interval after the clock started), then sends the notices due, a page at a
//! time after a cursor. Each notice is numbered (the dedupe key carries its ordinal) and counted
//! sent with the next one scheduled only over the instant and count read, so it goes once.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::Pass;
use crate::domain::{ComplaintState, ProgressIntervals};
use crate::error::Error;
use crate::notices::{Notice, dedupe_key};
use crate::store::progress::{self, DueCursor, DueNotice, NextNotice};

/// Schedules what is unscheduled, then sends every notice due; returns how many were sent.
pub(super) async fn notify_due(pass: &Pass<'_>) -> Result<u64, Error> {
    schedule_unscheduled(pass).await?;
    let mut cursor = DueCursor::start();
    let mut sent = 0;
    loop {
        let page = progress::due(pass.db.conn(), pass.now, &cursor, pass.batch).await?;
        let Some(last) = page.last() else {
            break;
        };
        cursor = DueCursor::after(last);
        sent += pass
            .in_page(async |txn, told| send_page(txn, &page, pass, told).await)
            .await?;
        if !pass.full(page.len()) {
            break;
        }
    }
    Ok(sent)
}

/// Sends the notices of a page that are owed, each once, holds those of complaints awaiting
/// the customer and drops those of complaints resolved; how many were sent.
async fn send_page(
    txn: &DatabaseTransaction,
    page: &[DueNotice],
    pass: &Pass<'_>,
    told: &mut Vec<Notice>,
) -> Result<u64, Error> {
    let mut sending = Vec::new();
    let mut dropping = Vec::new();
    for due in page {
        let k = &due.complaint.complaint;
        match step(&pass.rules.progress, &k.tier_at_opening, k.state, pass.now) {
            Step::Send { text, next } => sending.push((due, text, next)),
            Step::Hold => {}
            Step::Drop => dropping.push(due),
        }
    }
    progress::drop_many(txn, &dropping).await?;
    let counted: Vec<(&DueNotice, NextNotice)> = sending
        .iter()
        .map(|(due, _, next)| (*due, NextNotice::At(*next)))
        .collect();
    // Another pass may have sent some since we read: then it told, not us.
    let ours = progress::sent_many(txn, &counted).await?;
    let mut n = 0;
    for (due, text, next) in sending {
        let k = &due.complaint.complaint;
        if ours.contains(&k.id) {
            let key = dedupe_key(&k.id, "progress", due.sent + 1);
            told.push(Notice::progress(k, text, next, pass.now, key));
            n += 1;
        }
    }
    Ok(n)
}

/// Gives every open complaint without a schedule its first notice (or none, for a tier that
/// gets none).
async fn schedule_unscheduled(pass: &Pass<'_>) -> Result<(), Error> {
    let mut after = String::new();
    loop {
        let page = progress::unscheduled(pass.db.conn(), &after, pass.batch).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.complaint.id.clone();
        let first: Vec<(&str, NextNotice)> = page
            .iter()
            .map(|c| {
                let k = &c.complaint;
                let first = first_notice(
                    &pass.rules.progress,
                    &k.tier_at_opening,
                    c.clock.started_at(),
                );
                (k.id.as_str(), first)
            })
            .collect();
        pass.in_page(async |txn, _| Ok(progress::schedule_first_many(txn, &first).await?))
            .await?;
        if !pass.full(page.len()) {
            break;
        }
    }
    Ok(())
}

/// The first notice of a complaint whose clock started at `started` (the opening, or the
/// reopen): one interval later, or never for a tier that gets none. What opening a complaint
/// should write (see [`progress::schedule_first`]).
pub(crate) fn first_notice(
    intervals: &ProgressIntervals,
    tier: &str,
    started: DateTime<Utc>,
) -> NextNotice {
    intervals
        .interval_for(tier)
        .and_then(|every| started.checked_add_signed(every))
        .into()
}

/// What to do with a notice due now.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Tell the customer `text` now, and when they hear next.
    Send {
        text: &'static str,
        next: DateTime<Utc>,
    },
    /// Keep it due: it goes once work resumes.
    Hold,
    /// No notice is owed any more: take it off the schedule.
    Drop,
}

fn step(
    intervals: &ProgressIntervals,
    tier: &str,
    state: ComplaintState,
    now: DateTime<Utc>,
) -> Step {
    if state == ComplaintState::WaitingCustomer {
        return Step::Hold;
    }
    // The notice goes now, so the next one is an interval after now.
    match (
        progress_text(state),
        intervals.next_progress_notice(now, tier, state, now),
    ) {
        // Never at `now` itself: a zero interval would send on every pass.
        (Some(text), Some(next)) if next > now => Step::Send { text, next },
        _ => Step::Drop,
    }
}

/// Where it stands, as the customer reads it after "现在的进展:".
fn progress_text(state: ComplaintState) -> Option<&'static str> {
    use ComplaintState::*;
    match state {
        Open => Some("已受理,正在安排专人处理"),
        Acknowledged => Some("已由专人负责,正在核实情况"),
        InProgress => Some("正在处理中"),
        Reopened => Some("已重新受理,正在处理中"),
        WaitingCustomer | Resolved | Closed => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-06-15T04:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_open_complaint_is_told_now_and_again_one_interval_later() {
        let intervals = ProgressIntervals::default();
        for (state, tier, hours) in [
            (ComplaintState::Open, "DIAMOND", 24),
            (ComplaintState::InProgress, "PLATINUM", 48),
            (ComplaintState::Reopened, "GOLD", 72),
        ] {
            let Step::Send { text, next } = step(&intervals, tier, state, now()) else {
                panic!("{state:?} {tier} is told");
            };
            assert!(!text.is_empty());
            assert_eq!(next, now() + TimeDelta::hours(hours), "{tier}");
        }
    }

    #[test]
    fn waiting_holds_the_notice_and_the_end_drops_it() {
        let intervals = ProgressIntervals::default();
        let waiting = ComplaintState::WaitingCustomer;
        assert_eq!(step(&intervals, "DIAMOND", waiting, now()), Step::Hold);
        for state in [ComplaintState::Resolved, ComplaintState::Closed] {
            assert_eq!(step(&intervals, "DIAMOND", state, now()), Step::Drop);
        }
        // A tier that lost its cadence (the settings changed) is taken off the schedule.
        let open = ComplaintState::InProgress;
        assert_eq!(step(&intervals, "STANDARD", open, now()), Step::Drop);
    }

    #[test]
    fn the_first_notice_is_one_interval_after_the_clock_started() {
        let intervals = ProgressIntervals::default();
        assert_eq!(
            first_notice(&intervals, "DIAMOND", now()),
            NextNotice::At(now() + TimeDelta::hours(24))
        );
        assert_eq!(first_notice(&intervals, "SILVER", now()), NextNotice::Never);
    }
}
