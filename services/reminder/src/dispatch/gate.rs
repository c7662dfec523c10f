//! Whether a claimed reminder may go now, asked of the domain's rules in the order that
//! matters: a stale reminder is never sent (whatever else holds), an opted-out one is not sent
//! unless mandatory, and a non-urgent one waits out quiet hours on the clock the customer lives
//! by (the roaming country's while abroad), or expires if they end past its deadline. A staff
//! task keeps no customer's quiet hours or opt-outs; only its deadline. The same gate runs again
//! just before each send, so a slow round cannot carry a reminder past its deadline or into
//! the night.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::rule::TouchpointRule;
use crate::domain::{ContactChannel, QuietDecision, Reason, Reminder, ReminderState};
use crate::upstream::Contact;

/// Who a reminder goes to, as far as the gate cares.
#[derive(Debug, Clone, Copy)]
pub(super) enum Recipient<'a> {
    /// A member of staff (a staff task).
    Staff,
    Customer {
        contact: &'a Contact,
        /// The zone of the country the customer is roaming in, if abroad.
        roaming: Option<Tz>,
    },
}

/// A move that keeps a claimed reminder from going now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hold {
    pub to: ReminderState,
    pub reason: Reason,
    /// When it is due again, for a reminder sent back to wait.
    pub until: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}

impl Hold {
    pub fn end(to: ReminderState, reason: Reason, detail: impl Into<String>) -> Hold {
        Hold {
            to,
            reason,
            until: None,
            detail: Some(detail.into()),
        }
    }

    pub fn wait(to: ReminderState, reason: Reason, until: DateTime<Utc>) -> Hold {
        Hold {
            to,
            reason,
            until: Some(until),
            detail: None,
        }
    }

    /// Past its deadline: EXPIRED if nothing was ever sent, else FAILED (a send never arrived).
    fn stale(r: &Reminder, reason: Reason, detail: &str) -> Hold {
        if r.attempts == 0 {
            Hold::end(ReminderState::Expired, reason, detail)
        } else {
            Hold::end(ReminderState::Failed, Reason::DeadlinePassed, detail)
        }
    }
}

/// `None` when `r` may go at `now`.
pub(super) fn gate(
    r: &Reminder,
    rule: &TouchpointRule,
    to: Recipient<'_>,
    now: DateTime<Utc>,
) -> Option<Hold> {
    if now > r.deadline {
        return Some(Hold::stale(
            r,
            Reason::DeadlinePassed,
            "the deadline passed before it could be sent",
        ));
    }
    let Recipient::Customer { contact, roaming } = to else {
        return None;
    };
    if !rule.mandatory && contact.opted_out_of(r.touchpoint) {
        return Some(Hold::end(
            ReminderState::Suppressed,
            Reason::OptedOut,
            "the customer opted out of this touchpoint",
        ));
    }
    match contact
        .quiet_hours
        .decide(now, r.deadline, rule.urgent, roaming)
    {
        QuietDecision::Send => None,
        QuietDecision::Defer { until } => Some(Hold::wait(
            ReminderState::Deferred,
            Reason::QuietHours,
            until,
        )),
        QuietDecision::Expire { .. } => Some(Hold::stale(
            r,
            Reason::QuietHoursPastDeadline,
            "quiet hours end after its deadline",
        )),
    }
}

/// The channel the reminder is due on: where delivery has got to in `channels`.
pub(super) fn channel_of(
    r: &Reminder,
    channels: &[ContactChannel],
) -> Result<ContactChannel, Hold> {
    let index = usize::try_from(r.channel_index).unwrap_or(usize::MAX);
    match channels.get(index) {
        Some(channel) => Ok(*channel),
        None if r.attempts == 0 => Err(Hold::end(
            ReminderState::Failed,
            Reason::NoChannel,
            "no channel to send it on",
        )),
        // The customer's list shrank behind a fallback: nothing is left to try.
        None => Err(Hold::end(
            ReminderState::Failed,
            Reason::AllChannelsFailed,
            "every channel was tried",
        )),
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
