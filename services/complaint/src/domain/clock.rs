//! The SLA clocks of one complaint: the time it has been waiting for a response and for a
//! resolution. They are kept as facts — when the clock started, when it was paused for the
//! customer and resumed, when the complaint was responded to and resolved — never as a running
//! total, so they can be read under any policy: paused time is excluded and survives a policy
//! change, and a switch from the calendar clock to the business clock recomputes due times
//! from the same pauses.
//!
//! A reopened complaint starts a new clock: its time to resolve begins again.

use chrono::{DateTime, TimeDelta, Utc};

use super::calendar::BusinessCalendar;
use super::sla::{ClockKind, SlaTarget};

/// Which of the two times a complaint is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Goal {
    Respond,
    Resolve,
}

impl SlaTarget {
    /// The time allowed for a goal.
    pub fn allowed(&self, goal: Goal) -> TimeDelta {
        match goal {
            Goal::Respond => self.respond,
            Goal::Resolve => self.resolve,
        }
    }
}

/// A change the clock's facts cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the clock is already paused")]
    AlreadyPaused,
    #[error("the clock is not paused")]
    NotPaused,
    #[error("the clock has stopped: the complaint is resolved")]
    Stopped,
    #[error("a clock fact cannot come before the facts it follows")]
    OutOfOrder,
}

/// Where one goal stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockStatus {
    /// Time counted so far on the target's clock, pauses left out, up to the goal's fact.
    pub elapsed: TimeDelta,
    /// Time counted so far, in thousandths of the time allowed; over 1000 once overdue.
    pub used_permille: u32,
    /// Done after the due time, or not done by it. Done at the due instant is on time.
    pub breached: bool,
    /// `None` while paused (unless the due time had passed before the pause).
    pub due_at: Option<DateTime<Utc>>,
}

/// A pause for the customer: from, and until (`None` while it lasts).
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// The clock facts of one complaint, in order: start, then pauses one after another, each
/// resumed before the next; resolution after all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    started_at: DateTime<Utc>,
    pauses: Vec<Pause>,
    responded_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
}

impl SlaClock {
    /// A clock started at opening, or at a reopen.
    pub fn start(at: DateTime<Utc>) -> SlaClock {
        SlaClock {
            started_at: at,
            pauses: Vec::new(),
            responded_at: None,
            resolved_at: None,
        }
    }

    /// A clock from stored facts, refused unless they are in order (see [`SlaClock`]).
    pub fn from_facts(
        started_at: DateTime<Utc>,
        pauses: Vec<Pause>,
        responded_at: Option<DateTime<Utc>>,
        resolved_at: Option<DateTime<Utc>>,
    ) -> Result<SlaClock, ClockError> {
        let mut clock = SlaClock::start(started_at);
        for (from, until) in pauses {
            clock.pause(from)?;
            if let Some(until) = until {
                clock.resume(until)?;
            }
        }
        if let Some(at) = responded_at {
            clock.respond(at)?;
        }
        if let Some(at) = resolved_at {
            // A resolution ends a pause; a stored one must already have ended.
            if clock.is_paused() {
                return Err(ClockError::OutOfOrder);
            }
            clock.resolve(at)?;
        }
        Ok(clock)
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    pub fn pauses(&self) -> &[Pause] {
        &self.pauses
    }

    pub fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.responded_at
    }

    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at
    }

    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|(_, until)| until.is_none())
    }

    pub fn is_resolved(&self) -> bool {
        self.resolved_at.is_some()
    }

    /// The complaint now waits for the customer.
    pub fn pause(&mut self, at: DateTime<Utc>) -> Result<(), ClockError> {
        if self.is_resolved() {
            return Err(ClockError::Stopped);
        }
        if self.is_paused() {
            return Err(ClockError::AlreadyPaused);
        }
        if at < self.last_fact() {
            return Err(ClockError::OutOfOrder);
        }
        self.pauses.push((at, None));
        Ok(())
    }

    /// The customer answered: the clock runs again.
    pub fn resume(&mut self, at: DateTime<Utc>) -> Result<(), ClockError> {
        match self.pauses.last_mut() {
            Some((from, until @ None)) => {
                if at < *from {
                    return Err(ClockError::OutOfOrder);
                }
                *until = Some(at);
                Ok(())
            }
            _ => Err(ClockError::NotPaused),
        }
    }

    /// The first response stops the time to respond; later ones change nothing.
    pub fn respond(&mut self, at: DateTime<Utc>) -> Result<(), ClockError> {
        if at < self.started_at {
            return Err(ClockError::OutOfOrder);
        }
        self.responded_at.get_or_insert(at);
        Ok(())
    }

    /// Resolution stops both clocks, ending a pause that was still on.
    pub fn resolve(&mut self, at: DateTime<Utc>) -> Result<(), ClockError> {
        if self.is_resolved() {
            return Err(ClockError::Stopped);
        }
        if at < self.last_fact() {
            return Err(ClockError::OutOfOrder);
        }
        if self.is_paused() {
            self.resume(at)?;
        }
        self.resolved_at = Some(at);
        Ok(())
    }

    /// Time counted toward resolution by `now` on the given clock: paused time is left out,
    /// and counting stops at resolution. Never more than the wall time since the start.
    pub fn elapsed(
        &self,
        kind: ClockKind,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
    ) -> TimeDelta {
        self.counted(kind, calendar, self.stop(Goal::Resolve, now))
    }

    /// When the time to respond runs out, given the pauses so far.
    pub fn respond_due(
        &self,
        target: &SlaTarget,
        calendar: &BusinessCalendar,
    ) -> Option<DateTime<Utc>> {
        self.reaches(target.clock, target.respond, calendar)
    }

    /// When the time to resolve runs out, given the pauses so far.
    pub fn resolve_due(
        &self,
        target: &SlaTarget,
        calendar: &BusinessCalendar,
    ) -> Option<DateTime<Utc>> {
        self.reaches(target.clock, target.resolve, calendar)
    }

    /// The instant this clock will have counted `amount` if nothing changes. `None` while
    /// paused short of it (a paused clock has no due time), or past the calendar's horizon.
    pub fn reaches(
        &self,
        kind: ClockKind,
        amount: TimeDelta,
        calendar: &BusinessCalendar,
    ) -> Option<DateTime<Utc>> {
        let mut remaining = amount;
        let mut from = self.started_at;
        for (paused, resumed) in &self.pauses {
            let counted = kind.between(calendar, from, *paused);
            if counted >= remaining {
                return kind.advance(calendar, from, remaining);
            }
            remaining -= counted;
            from = (*resumed)?;
        }
        kind.advance(calendar, from, remaining)
    }

    /// Where a goal stands at `now` under a target.
    pub fn status(
        &self,
        goal: Goal,
        target: &SlaTarget,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
    ) -> ClockStatus {
        let allowed = target.allowed(goal);
        let stop = self.stop(goal, now);
        let used = self.counted(target.clock, calendar, stop);
        let done = self.done(goal).is_some_and(|at| at <= now);
        let permille =
            used.num_milliseconds() as i128 * 1000 / allowed.num_milliseconds().max(1) as i128;
        ClockStatus {
            elapsed: used,
            used_permille: u32::try_from(permille.max(0)).unwrap_or(u32::MAX),
            // Running, the due instant itself is late; done, it is on time.
            breached: if done {
                used > allowed
            } else {
                used >= allowed
            },
            due_at: self.reaches(target.clock, allowed, calendar),
        }
    }

    /// Where counting a goal ends: its fact, if it happened by `now`, else `now`.
    fn stop(&self, goal: Goal, now: DateTime<Utc>) -> DateTime<Utc> {
        self.done(goal).map_or(now, |at| at.min(now))
    }

    fn done(&self, goal: Goal) -> Option<DateTime<Utc>> {
        match goal {
            Goal::Respond => self.responded_at,
            Goal::Resolve => self.resolved_at,
        }
    }

    /// Time counted from the start to `until`, leaving out pauses.
    fn counted(
        &self,
        kind: ClockKind,
        calendar: &BusinessCalendar,
        until: DateTime<Utc>,
    ) -> TimeDelta {
        let mut total = TimeDelta::zero();
        let mut from = self.started_at;
        for (paused, resumed) in &self.pauses {
            total += kind.between(calendar, from, (*paused).min(until));
            match resumed {
                Some(resumed) if *resumed < until => from = *resumed,
                _ => return total,
            }
        }
        total + kind.between(calendar, from, until)
    }

    fn last_fact(&self) -> DateTime<Utc> {
        match self.pauses.last() {
            Some((from, until)) => until.unwrap_or(*from),
            None => self.started_at,
        }
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
