//! Where a reminder is in its life and how it may move on. A reminder waits (SCHEDULED, or
//! DEFERRED by quiet hours or the daily cap), is claimed (DISPATCHING), handed to a provider
//! (SENT) and ends DELIVERED, EXPIRED (never sent late), CANCELLED, SUPERSEDED, SUPPRESSED or
//! FAILED. Every move is checked here and recorded with its time and a reason, so the history
//! GetReminder shows is complete and no reminder can leave an end, be sent twice or vanish.

use chrono::{DateTime, Utc};
use vipcare_domain::{coded_enum, is_bidi_format};

coded_enum! {
    /// The state of a reminder.
    ReminderState {
        Scheduled = "SCHEDULED",
        /// Waiting out quiet hours or the daily cap.
        Deferred = "DEFERRED",
        /// Claimed by a worker under a lease.
        Dispatching = "DISPATCHING",
        /// Accepted by the channel's provider, awaiting its delivery receipt.
        Sent = "SENT",
        Delivered = "DELIVERED",
        /// The deadline came first: a stale reminder is never sent.
        Expired = "EXPIRED",
        Cancelled = "CANCELLED",
        /// Replaced by a newer reminder of the same kind.
        Superseded = "SUPERSEDED",
        /// Opted out, or held back by the daily cap until too late.
        Suppressed = "SUPPRESSED",
        /// Every channel tried without delivery.
        Failed = "FAILED",
    }
}

impl ReminderState {
    /// Ends are final: nothing moves a reminder out of one.
    pub fn is_end(self) -> bool {
        use ReminderState::*;
        matches!(
            self,
            Delivered | Expired | Cancelled | Superseded | Suppressed | Failed
        )
    }

    /// Only a waiting reminder may be cancelled or superseded: once claimed or sent it may
    /// already be on the customer's phone, and a cancel that cannot stop it would lie.
    pub fn may_cancel(self) -> bool {
        matches!(self, ReminderState::Scheduled | ReminderState::Deferred)
    }

    /// The states a reminder in `self` may move to.
    pub fn next_states(self) -> &'static [ReminderState] {
        use ReminderState::*;
        match self {
            // A late receipt of an earlier attempt may land while a retry waits: the customer
            // has the message, so the retry must not go (DELIVERED from the waiting states).
            Scheduled | Deferred => &[
                Deferred,
                Dispatching,
                Delivered,
                Expired,
                Cancelled,
                Superseded,
                Suppressed,
            ],
            // Self-move: a dead worker's lease taken over by another.
            Dispatching => &[
                Dispatching,
                Scheduled,
                Deferred,
                Sent,
                Delivered,
                Expired,
                Suppressed,
                Failed,
            ],
            Sent => &[Scheduled, Delivered, Failed],
            Delivered | Expired | Cancelled | Superseded | Suppressed | Failed => &[],
        }
    }

    pub fn may_move_to(self, to: ReminderState) -> bool {
        self.next_states().contains(&to)
    }
}

coded_enum! {
    /// Why a reminder moved, as the history shows it. Each reason leads to one kind of state.
    Reason {
        /// Scheduled by a request or an event (the first entry of every history).
        Created = "CREATED",
        QuietHours = "QUIET_HOURS",
        DailyCap = "DAILY_CAP",
        /// Its send time came and a worker claimed it.
        Due = "DUE",
        LeaseTakenOver = "LEASE_TAKEN_OVER",
        ProviderAccepted = "PROVIDER_ACCEPTED",
        /// The provider could not be reached or refused the hand-over for now (timeout, open
        /// circuit): tried again later.
        ProviderUnavailable = "PROVIDER_UNAVAILABLE",
        /// Unreachable, or no receipt in time: the same channel again after a backoff.
        Retry = "RETRY",
        NextChannel = "NEXT_CHANNEL",
        DeliveryReceipt = "DELIVERY_RECEIPT",
        DeadlinePassed = "DEADLINE_PASSED",
        QuietHoursPastDeadline = "QUIET_HOURS_PAST_DEADLINE",
        CancelRequested = "CANCEL_REQUESTED",
        /// What it warned of is over, e.g. a low-balance reminder once a top-up lands.
        ConditionResolved = "CONDITION_RESOLVED",
        SupersededByNewer = "SUPERSEDED_BY_NEWER",
        OptedOut = "OPTED_OUT",
        DailyCapPastDeadline = "DAILY_CAP_PAST_DEADLINE",
        AllChannelsFailed = "ALL_CHANNELS_FAILED",
        NoChannel = "NO_CHANNEL",
    }
}

impl Reason {
    /// Whether this reason explains a move into `to`.
    pub fn leads_to(self, to: ReminderState) -> bool {
        use ReminderState as S;
        match self {
            Reason::Created => to == S::Scheduled,
            Reason::QuietHours | Reason::DailyCap => to == S::Deferred,
            Reason::Due | Reason::LeaseTakenOver => to == S::Dispatching,
            Reason::ProviderAccepted => to == S::Sent,
            Reason::ProviderUnavailable | Reason::Retry | Reason::NextChannel => to == S::Scheduled,
            Reason::DeliveryReceipt => to == S::Delivered,
            Reason::QuietHoursPastDeadline => to == S::Expired,
            // Before any send it expires; after a send that never arrived it has failed.
            Reason::DeadlinePassed => matches!(to, S::Expired | S::Failed),
            Reason::CancelRequested | Reason::ConditionResolved => to == S::Cancelled,
            Reason::SupersededByNewer => to == S::Superseded,
            Reason::OptedOut | Reason::DailyCapPastDeadline => to == S::Suppressed,
            Reason::AllChannelsFailed | Reason::NoChannel => to == S::Failed,
        }
    }
}

/// Provider errors and operator notes can be long; the history keeps their start.
pub const DETAIL_MAX_CHARS: usize = 500;

/// One entry of a reminder's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `None` for the first entry.
    pub from: Option<ReminderState>,
    pub to: ReminderState,
    pub at: DateTime<Utc>,
    pub reason: Reason,
    pub detail: Option<String>,
}

/// A move the rules forbid; the gRPC layer answers FAILED_PRECONDITION.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {} reminder cannot become {} ({})", from.code(), to.code(), reason.code())]
pub struct IllegalMove {
    pub from: ReminderState,
    pub to: ReminderState,
    pub reason: Reason,
}

/// The first entry of a history: scheduled at `at`.
pub fn created(at: DateTime<Utc>, detail: Option<&str>) -> Change {
    Change {
        from: None,
        to: ReminderState::Scheduled,
        at,
        reason: Reason::Created,
        detail: detail.map(clip),
    }
}

/// Checks a move and returns the history entry recording it. `at` is taken as given: hosts'
/// clocks differ slightly, and refusing a move for a second of skew would strand a reminder.
pub fn move_to(
    from: ReminderState,
    to: ReminderState,
    at: DateTime<Utc>,
    reason: Reason,
    detail: Option<&str>,
) -> Result<Change, IllegalMove> {
    if !from.may_move_to(to) || !reason.leads_to(to) {
        return Err(IllegalMove { from, to, reason });
    }
    Ok(Change {
        from: Some(from),
        to,
        at,
        reason,
        detail: detail.map(clip),
    })
}

/// Bounded and free of control and bidirectional formatting characters, so a provider's error text cannot bloat or garble
/// the history.
fn clip(detail: &str) -> String {
    detail
        .chars()
        .filter(|c| !is_bidi_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(DETAIL_MAX_CHARS)
        .collect()
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
