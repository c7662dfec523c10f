//! How a complaint moves. The graph:
//!
//! ```text
//! OPEN ──ACKNOWLEDGE──→ ACKNOWLEDGED ──START_WORK──→ IN_PROGRESS ⇄ WAITING_CUSTOMER
//!                       REOPENED ─────START_WORK──↗   (WAIT_FOR_CUSTOMER / RESUME_WORK)
//! any of the five above ──RESOLVE──→ RESOLVED ──CONFIRM_RESOLUTION or CLOSE──→ CLOSED
//! RESOLVED or CLOSED ──REOPEN (at most 30 days after the resolution)──→ REOPENED
//! ```
//!
//! - Any state not yet RESOLVED may resolve: a first-contact resolution on the spot, from OPEN,
//!   is the best outcome there is (DOMAIN.md section 4), and forcing it through two empty moves
//!   would only blur the timeline. A reopened complaint may be resolved directly too, and so may
//!   one waiting for the customer, when the customer's answer settles it.
//! - REOPENED stands where ACKNOWLEDGED does: the complaint is taken again, START_WORK moves it
//!   on, and WAIT_FOR_CUSTOMER needs work under way first.
//! - Actions (call, visit, note) change no state and are taken until CLOSED: a call after the
//!   resolution is follow-up worth recording. Transfers are taken until RESOLVED: after that
//!   there is nothing left to hand over, and the owner is accountable for the end either way.
//! - The customer confirms a resolution, or staff close it; closing without the customer's
//!   answer is automatic only a week after the resolution. A resolved or closed complaint may
//!   be reopened within 30 days of its resolution: one more reopen, one severity higher, and the
//!   SLA clocks start again.
//!
//! A move that may not be made from the current state is refused as such whatever its values:
//! correcting the values would not help. Refused moves change nothing; accepted ones append one
//! timeline entry and bump the version by one.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Violation, coded_enum};

use super::codes::{ComplaintState, RootCauseGap};
use super::complaint::{Complaint, TimelineEntry};
use super::text::party_id;

#[path = "lifecycle_plan.rs"]
mod plan;

use plan::{Change, plan};

/// How long after its resolution a complaint the customer has not answered closes by itself.
pub const AUTO_CLOSE_AFTER: TimeDelta = TimeDelta::days(7);
/// How long after its resolution a complaint may be reopened.
pub const REOPEN_WITHIN: TimeDelta = TimeDelta::days(30);

coded_enum! {
    /// What was done for the customer, recorded without changing the state.
    ActionKind { Call = "CALL", Visit = "VISIT", Note = "NOTE" }
}

coded_enum! {
    /// The moves, by name, as refusals and the contract name them.
    MoveName {
        Acknowledge = "ACKNOWLEDGE",
        StartWork = "START_WORK",
        WaitForCustomer = "WAIT_FOR_CUSTOMER",
        ResumeWork = "RESUME_WORK",
        AddAction = "ADD_ACTION",
        Transfer = "TRANSFER",
        Resolve = "RESOLVE",
        ConfirmResolution = "CONFIRM_RESOLUTION",
        Close = "CLOSE",
        Reopen = "REOPEN",
    }
}

coded_enum! {
    /// What the customer is to be told after a move.
    CustomerNotice {
        /// Taken, and by whom.
        Acknowledged = "ACKNOWLEDGED",
        /// What is needed from them before work can go on.
        WaitingForCustomer = "WAITING_FOR_CUSTOMER",
        /// The result: the resolution, or why it cannot be solved.
        Result = "RESULT",
        Reopened = "REOPENED",
    }
}

/// A move asked of a complaint, with its values as they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    Acknowledge,
    StartWork,
    WaitForCustomer {
        reason: String,
    },
    ResumeWork,
    AddAction {
        kind: ActionKind,
        text: String,
    },
    Transfer {
        to_handler: String,
        reason: String,
    },
    Resolve {
        resolution: String,
        /// Required: `None` is refused, naming `root_cause_gap`.
        root_cause_gap: Option<RootCauseGap>,
        /// `Some` when it cannot be solved: the explanation for the customer, then required.
        cannot_be_solved: Option<String>,
    },
    /// The customer confirms the resolution.
    ConfirmResolution,
    Close {
        automatic: bool,
    },
    Reopen {
        reason: String,
    },
}

impl Move {
    pub fn name(&self) -> MoveName {
        match self {
            Move::Acknowledge => MoveName::Acknowledge,
            Move::StartWork => MoveName::StartWork,
            Move::WaitForCustomer { .. } => MoveName::WaitForCustomer,
            Move::ResumeWork => MoveName::ResumeWork,
            Move::AddAction { .. } => MoveName::AddAction,
            Move::Transfer { .. } => MoveName::Transfer,
            Move::Resolve { .. } => MoveName::Resolve,
            Move::ConfirmResolution => MoveName::ConfirmResolution,
            Move::Close { .. } => MoveName::Close,
            Move::Reopen { .. } => MoveName::Reopen,
        }
    }
}

/// Whether a move may be made from a state (time windows aside).
pub fn may(from: ComplaintState, name: MoveName) -> bool {
    use ComplaintState::*;
    match name {
        MoveName::Acknowledge => from == Open,
        MoveName::StartWork => matches!(from, Acknowledged | Reopened),
        MoveName::WaitForCustomer => from == InProgress,
        MoveName::ResumeWork => from == WaitingCustomer,
        MoveName::AddAction => from != Closed,
        MoveName::Transfer | MoveName::Resolve => !matches!(from, Resolved | Closed),
        MoveName::ConfirmResolution | MoveName::Close => from == Resolved,
        MoveName::Reopen => matches!(from, Resolved | Closed),
    }
}

/// What a move does to the SLA clocks (kept by the service, see the SLA module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEffect {
    Unchanged,
    /// Waiting for the customer: their time is not ours.
    Pause,
    Resume,
    /// Resolved: met or missed is settled now.
    Stop,
    /// Reopened: the clocks start again from now, as for a new complaint.
    Restart,
}

/// What the service must do after an accepted move, besides storing the complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    pub from: ComplaintState,
    pub to: ComplaintState,
    pub clocks: ClockEffect,
    pub notify_customer: Option<CustomerNotice>,
    /// Invite the customer to the satisfaction survey (with the result: the end moment).
    pub invite_to_survey: bool,
    /// The new handler of a transfer, to be given a staff task.
    pub notify_handler: Option<String>,
}

impl Effects {
    /// The SLA clocks start again from now (a reopen).
    pub fn restarts_clocks(&self) -> bool {
        self.clocks == ClockEffect::Restart
    }
}

/// A move the graph forbids from the current state; the service answers FAILED_PRECONDITION.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not allowed on a {} complaint", move_name.code(), from.code())]
pub struct IllegalMove {
    pub from: ComplaintState,
    pub move_name: MoveName,
}

/// Why a move was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Illegal(#[from] IllegalMove),
    /// A value refused, its field named (INVALID_ARGUMENT).
    #[error(transparent)]
    Invalid(#[from] Violation),
    /// Allowed from this state, but not yet (FAILED_PRECONDITION): the automatic close.
    #[error("{} is not allowed before {not_before}", move_name.code())]
    TooEarly {
        move_name: MoveName,
        not_before: DateTime<Utc>,
    },
    /// Allowed from this state, but no longer (FAILED_PRECONDITION): the reopen.
    #[error("{} is not allowed after {not_after}", move_name.code())]
    TooLate {
        move_name: MoveName,
        not_after: DateTime<Utc>,
    },
}

/// Makes `the_move` on `complaint` for `actor` at `now`, or refuses it and leaves the complaint
/// as it was. `now` is taken as given: a second of skew between hosts must not strand a move.
pub fn apply(
    complaint: &mut Complaint,
    the_move: Move,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Effects, Refusal> {
    let (from, move_name) = (complaint.state, the_move.name());
    if !may(from, move_name) {
        return Err(IllegalMove { from, move_name }.into());
    }
    let actor = party_id(actor).map_err(|e| e.at("actor"))?;
    // Everything is checked on a shared borrow first, so a refusal cannot leave half a change.
    let step = plan(complaint, the_move, &actor, now)?;
    match step.change {
        Change::None => {}
        Change::Handler(to) => complaint.handler = to,
        Change::Resolution(resolution) => complaint.resolution = Some(resolution),
        Change::Reopen => {
            complaint.reopen_count = complaint.reopen_count.saturating_add(1);
            complaint.severity = complaint.severity.raised();
            complaint.resolution = None;
        }
    }
    complaint.state = step.effects.to;
    complaint.timeline.push(TimelineEntry {
        at: now,
        actor,
        kind: step.kind,
        text: step.text,
    });
    complaint.version += 1;
    Ok(step.effects)
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
