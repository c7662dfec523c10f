//! What the service remembers of a customer between events, so an event is judged against the
//! ones before it: which side of its low-balance threshold the balance was (one warning per
//! crossing), where the customer roams (quiet hours follow them abroad; one welcome per trip),
//! and the highest data threshold told this cycle (once per threshold, and a late lower one
//! after a higher one is not told at all). Each part keeps the time of the event that set it:
//! feeds deliver out of order, and an event older than what is remembered changes nothing.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::Period;

/// The operator's country: a roaming attach here means the customer is back home.
pub const HOME_COUNTRY: &str = "CN";

/// How long a roaming zone holds after the latest attach abroad. No event says the customer
/// came home unless the phone attaches at home, so the zone lapses: after half a month the
/// home zone is the better guess (most trips are shorter; a longer stay re-attaches).
pub const ROAMING_HOLDS: TimeDelta = TimeDelta::days(15);

/// Everything remembered of one customer; `Default` is a customer never seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub balance: Option<BalanceSeen>,
    pub roaming: Option<RoamingSeen>,
    pub usage: Option<UsageTold>,
}

/// The latest balance event: whether the balance was below its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalanceSeen {
    pub below: bool,
    pub at: DateTime<Utc>,
}

/// The latest roaming attach: abroad (country and zone) or home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoamingSeen {
    pub at: DateTime<Utc>,
    /// `None` when the latest attach was at home.
    pub abroad: Option<Abroad>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abroad {
    pub country_code: String,
    pub time_zone: String,
}

/// The highest data threshold told in the latest cycle seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageTold {
    pub cycle: Period,
    pub top_percent: i32,
}

/// How a balance event moves the customer relative to the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BalanceStep {
    /// Went below: warn once.
    Crossed,
    /// Back at or above: a pending warning is moot.
    Restored,
    /// Same side as before, or older than what is remembered.
    Unchanged,
}

impl RoamingSeen {
    /// The zone quiet hours follow at `now`: abroad, attached less than [`ROAMING_HOLDS`] ago.
    pub fn zone_at(&self, now: DateTime<Utc>) -> Option<&str> {
        let abroad = self.abroad.as_ref()?;
        (now < self.at + ROAMING_HOLDS).then_some(abroad.time_zone.as_str())
    }
}

impl Memory {
    pub(super) fn balance_step(&mut self, below: bool, at: DateTime<Utc>) -> BalanceStep {
        let was_below = match self.balance {
            Some(seen) if seen.at > at => return BalanceStep::Unchanged,
            Some(seen) => seen.below,
            None => false,
        };
        self.balance = Some(BalanceSeen { below, at });
        match (was_below, below) {
            (false, true) => BalanceStep::Crossed,
            (true, false) => BalanceStep::Restored,
            _ => BalanceStep::Unchanged,
        }
    }

    /// Records an attach; true when it starts a trip to a country (a welcome is due): not for
    /// home, not for a re-attach in the same country while its zone holds, not for a stale one.
    pub(super) fn roaming_step(&mut self, abroad: Option<Abroad>, at: DateTime<Utc>) -> bool {
        if self.roaming.as_ref().is_some_and(|seen| seen.at > at) {
            return false;
        }
        let same_trip = match (&self.roaming, &abroad) {
            (Some(seen), Some(now)) => {
                seen.zone_at(at).is_some()
                    && seen
                        .abroad
                        .as_ref()
                        .is_some_and(|a| a.country_code == now.country_code)
            }
            _ => false,
        };
        let welcome = abroad.is_some() && !same_trip;
        self.roaming = Some(RoamingSeen { at, abroad });
        welcome
    }

    /// Records a threshold crossed in `cycle`; true when it is news (higher than any told in
    /// the cycle, and the cycle not older than the latest seen).
    pub(super) fn usage_step(&mut self, cycle: Period, threshold: i32) -> bool {
        let told_already = self.usage.as_ref().is_some_and(|told| {
            told.cycle > cycle || (told.cycle == cycle && told.top_percent >= threshold)
        });
        if told_already {
            return false;
        }
        self.usage = Some(UsageTold {
            cycle,
            top_percent: threshold,
        });
        true
    }
}
