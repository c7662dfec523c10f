//! The daily cap as a round applies it: what the customer received today is counted on the
//! calendar day of the clock that applies (the roaming country's while abroad), whole units are
//! admitted most important first, and each reminder of a unit held back waits for tomorrow
//! after quiet hours — or is suppressed when that is past its deadline.

use chrono::{DateTime, Utc};

use super::compose::{self, Ready, Unit};
use super::gate::{Hold, Recipient};
use super::known::Known;
use super::moves::Moved;
use super::round::Round;
use crate::domain::{CapDecision, CapQuery, Reason, ReminderState, calendar_day};
use crate::store::StoreError;
use crate::upstream::Contact;

impl Round<'_> {
    /// The units the daily cap admits today and those it holds back.
    pub(super) fn cap(
        &self,
        units: Vec<Unit>,
        ready: &[Ready],
        contact: &Contact,
        to: Recipient<'_>,
        now: DateTime<Utc>,
        known: &Known,
    ) -> (Vec<Unit>, Vec<Unit>) {
        if !units.iter().any(|u| u.counted) {
            return (units, Vec::new());
        }
        let zone = match to {
            Recipient::Customer { roaming, .. } => contact.quiet_hours.zone(roaming),
            Recipient::Staff => contact.quiet_hours.home_zone(),
        };
        let sent_today = match calendar_day(now, zone) {
            Some((from, until)) => known.counted(&contact.customer_id, from, until),
            None => 0,
        };
        let limit = self.d.policy.daily_cap.limit_for(&contact.tier);
        compose::admit(units, ready, sent_today, limit)
    }

    /// What the cap makes of a unit it held back: each reminder waits for tomorrow, or is
    /// suppressed if tomorrow is past its deadline.
    pub(super) fn capped<'a>(
        &'a self,
        unit: &'a Unit,
        ready: &'a [Ready],
        contact: &'a Contact,
        to: Recipient<'a>,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = Result<Moved, StoreError>> + 'a {
        let roaming = match to {
            Recipient::Customer { roaming, .. } => roaming,
            Recipient::Staff => None,
        };
        let limit = self.d.policy.daily_cap.limit_for(&contact.tier);
        unit.members
            .iter()
            .filter_map(|m| ready.get(*m))
            .map(move |item| {
                let ask = CapQuery {
                    tier: &contact.tier,
                    urgent: false,
                    mandatory: false,
                    sent_today: limit,
                    planned: now,
                    deadline: item.reminder.deadline,
                };
                let hold = match self
                    .d
                    .policy
                    .daily_cap
                    .decide(&ask, &contact.quiet_hours, roaming)
                {
                    CapDecision::Defer { until } => {
                        Hold::wait(ReminderState::Deferred, Reason::DailyCap, until)
                    }
                    // Not at the limit after all (cannot be, asked at it): back in line at once.
                    CapDecision::Send => Hold::wait(ReminderState::Deferred, Reason::DailyCap, now),
                    CapDecision::Suppress { .. } => Hold::end(
                        ReminderState::Suppressed,
                        Reason::DailyCapPastDeadline,
                        "over the daily cap until after its deadline",
                    ),
                };
                Moved::held(item.reminder.clone(), &hold, now).map_err(StoreError::from)
            })
    }
}
