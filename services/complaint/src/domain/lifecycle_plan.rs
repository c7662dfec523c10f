//! Each move checked against the complaint and its values, and turned into what it changes,
//! without changing anything yet.

use chrono::{DateTime, Utc};
use vipcare_domain::Invalid;

use super::{
    AUTO_CLOSE_AFTER, ActionKind, ClockEffect, CustomerNotice, Effects, IllegalMove, Move,
    MoveName, REOPEN_WITHIN, Refusal,
};
use crate::domain::codes::ComplaintState;
use crate::domain::complaint::{Complaint, EntryKind, Resolution};
use crate::domain::text::{
    MAX_NOTE_CHARS, MAX_REASON_CHARS, party_id, required_line, required_multiline,
};

/// An accepted move, not yet made.
pub(super) struct Step {
    pub effects: Effects,
    pub kind: EntryKind,
    pub text: String,
    pub change: Change,
}

pub(super) enum Change {
    None,
    Handler(String),
    Resolution(Resolution),
    Reopen,
}

pub(super) fn plan(
    c: &Complaint,
    the_move: Move,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Step, Refusal> {
    use ComplaintState as S;
    let step = |to: ComplaintState, kind: EntryKind, text: String| Step {
        effects: Effects {
            from: c.state,
            to,
            clocks: ClockEffect::Unchanged,
            notify_customer: None,
            invite_to_survey: false,
            notify_handler: None,
        },
        kind,
        text,
        change: Change::None,
    };
    let with = |mut s: Step, clocks: ClockEffect, notice: Option<CustomerNotice>| {
        s.effects.clocks = clocks;
        s.effects.notify_customer = notice;
        s
    };
    Ok(match the_move {
        Move::Acknowledge => with(
            step(
                S::Acknowledged,
                EntryKind::Acknowledged,
                format!("handled by {}", c.handler),
            ),
            ClockEffect::Unchanged,
            Some(CustomerNotice::Acknowledged),
        ),
        Move::StartWork => step(S::InProgress, EntryKind::WorkStarted, "work started".into()),
        Move::WaitForCustomer { reason } => {
            let reason = required_line(&reason, MAX_REASON_CHARS).map_err(|e| e.at("reason"))?;
            with(
                step(S::WaitingCustomer, EntryKind::WaitingCustomer, reason),
                ClockEffect::Pause,
                Some(CustomerNotice::WaitingForCustomer),
            )
        }
        Move::ResumeWork => with(
            step(S::InProgress, EntryKind::WorkResumed, "work resumed".into()),
            ClockEffect::Resume,
            None,
        ),
        Move::AddAction { kind, text } => {
            let text = required_multiline(&text, MAX_NOTE_CHARS).map_err(|e| e.at("text"))?;
            let kind = match kind {
                ActionKind::Call => EntryKind::Call,
                ActionKind::Visit => EntryKind::Visit,
                ActionKind::Note => EntryKind::Note,
            };
            step(c.state, kind, text)
        }
        Move::Transfer { to_handler, reason } => {
            let to = party_id(&to_handler).map_err(|e| e.at("to_handler"))?;
            if to == c.handler {
                return Err(Invalid::new("is already the handler")
                    .at("to_handler")
                    .into());
            }
            let reason = required_line(&reason, MAX_REASON_CHARS).map_err(|e| e.at("reason"))?;
            let mut s = step(
                c.state,
                EntryKind::Transferred,
                format!("{} → {to}: {reason}", c.handler),
            );
            s.effects.notify_handler = Some(to.clone());
            s.change = Change::Handler(to);
            s
        }
        Move::Resolve {
            resolution,
            root_cause_gap,
            cannot_be_solved,
        } => {
            let text =
                required_multiline(&resolution, MAX_NOTE_CHARS).map_err(|e| e.at("resolution"))?;
            let gap =
                root_cause_gap.ok_or_else(|| Invalid::new("required").at("root_cause_gap"))?;
            let explanation = cannot_be_solved
                .map(|e| required_multiline(&e, MAX_NOTE_CHARS))
                .transpose()
                .map_err(|e| e.at("cannot_be_solved"))?;
            let mut entry = format!("{}: {text}", gap.code());
            if let Some(explanation) = &explanation {
                entry.push_str(&format!("\ncannot be solved: {explanation}"));
            }
            let mut s = with(
                step(S::Resolved, EntryKind::Resolved, entry),
                ClockEffect::Stop,
                Some(CustomerNotice::Result),
            );
            s.effects.invite_to_survey = true;
            s.change = Change::Resolution(Resolution {
                text,
                root_cause_gap: gap,
                cannot_be_solved: explanation,
                resolved_by: actor.to_owned(),
                resolved_at: now,
            });
            s
        }
        Move::ConfirmResolution => step(S::Closed, EntryKind::Confirmed, "confirmed".into()),
        Move::Close { automatic: false } => step(S::Closed, EntryKind::Closed, "closed".into()),
        Move::Close { automatic: true } => {
            let not_before = resolved_at(c, MoveName::Close)? + AUTO_CLOSE_AFTER;
            if now < not_before {
                let move_name = MoveName::Close;
                return Err(Refusal::TooEarly {
                    move_name,
                    not_before,
                });
            }
            let text = "no answer from the customer a week after the resolution".into();
            step(S::Closed, EntryKind::AutoClosed, text)
        }
        Move::Reopen { reason } => {
            let reason = required_line(&reason, MAX_REASON_CHARS).map_err(|e| e.at("reason"))?;
            let not_after = resolved_at(c, MoveName::Reopen)? + REOPEN_WITHIN;
            if now > not_after {
                let move_name = MoveName::Reopen;
                return Err(Refusal::TooLate {
                    move_name,
                    not_after,
                });
            }
            let raised = c.severity.raised();
            let text = format!(
                "{reason} (severity {} → {})",
                c.severity.code(),
                raised.code()
            );
            let mut s = with(
                step(S::Reopened, EntryKind::Reopened, text),
                ClockEffect::Restart,
                Some(CustomerNotice::Reopened),
            );
            s.change = Change::Reopen;
            s
        }
    })
}

/// When a RESOLVED or CLOSED complaint was resolved. One without a resolution cannot come from
/// [`apply`](super::apply); should a store hand one over, its time windows cannot be judged, so it is refused.
fn resolved_at(c: &Complaint, move_name: MoveName) -> Result<DateTime<Utc>, IllegalMove> {
    c.resolution
        .as_ref()
        .map(|r| r.resolved_at)
        .ok_or(IllegalMove {
            from: c.state,
            move_name,
        })
}
