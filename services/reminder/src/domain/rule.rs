//! How the reminders of each touchpoint are sent: their priority in a merged message, whether
//! they may break quiet hours (urgent) or ignore an opt-out (mandatory), whether they merge or
//! replace a pending older one, how long they stay worth sending, and the channels to try.
//! Every touchpoint has a rule; `default_rules` seeds them, operators change them with an etag.
//!
//! The seeded priorities follow DOMAIN.md section 3. Arrears and sensitive queries come first and
//! go alone. The redesigned account opening sends plan tariff, plan promotion, top-up
//! confirmation, satisfaction survey, in that order ([`ACCOUNT_OPENING_PARTS`]): the tariff is
//! the opening's own need ("clear tariffs"), the plan's promotion is its promotional rebate
//! (TOPUP_REBATE: "when it arrives, when it ends"), the top-up is a balance credited (LOW_BALANCE:
//! "credited in time"), and the survey is a SURVEY_INVITATION.

use chrono::TimeDelta;
use vipcare_domain::{Invalid, Violation, coded_enum};

use super::{ContactChannel, Touchpoint};

#[path = "rule_defaults.rs"]
mod defaults;

pub use defaults::{default_rule, default_rules};

/// Where a reminder stands among the customer's others: lower goes first in a merged message
/// and is kept first when the daily cap is reached. 1 (the most important) to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Priority(u8);

impl Priority {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 100;

    /// As the contract carries it; 0 (unset) is refused here, callers map it to the default.
    pub fn new(value: i32) -> Result<Priority, Invalid> {
        u8::try_from(value)
            .ok()
            .filter(|v| (Priority::MIN..=Priority::MAX).contains(v))
            .map(Priority)
            .ok_or_else(|| Invalid::new("must be 1-100 (lower goes first)"))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// Longest default deadline: a reminder a month late is no reminder.
pub const MAX_DEFAULT_DEADLINE: TimeDelta = TimeDelta::days(30);

/// The touchpoints of DOMAIN.md's redesigned account opening, in the order the customer must
/// read them: plan tariff, plan promotion, top-up confirmation, satisfaction survey.
pub const ACCOUNT_OPENING_PARTS: [Touchpoint; 4] = [
    Touchpoint::AccountOpening,
    Touchpoint::TopupRebate,
    Touchpoint::LowBalance,
    Touchpoint::SurveyInvitation,
];

/// How the reminders of one touchpoint are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchpointRule {
    pub touchpoint: Touchpoint,
    pub priority: Priority,
    /// May reach the customer in quiet hours and does not count against the daily cap.
    pub urgent: bool,
    /// Sent even when the customer opted out of the touchpoint.
    pub mandatory: bool,
    /// May share one message with the customer's other mergeable reminders.
    pub mergeable: bool,
    /// A newer reminder of the touchpoint replaces the customer's pending older one.
    pub supersedes: bool,
    /// How long after its send time a reminder stays worth sending, when the request sets none.
    pub default_deadline: TimeDelta,
    /// Channels to try in order when the customer states none.
    pub default_channels: Vec<ContactChannel>,
}

coded_enum! {
    /// A field of a rule an update may change, by its path in the update mask.
    RuleField {
        Priority = "priority",
        Urgent = "urgent",
        Mandatory = "mandatory",
        Mergeable = "mergeable",
        Supersedes = "supersedes",
        DefaultDeadline = "default_deadline",
        DefaultChannels = "default_channels",
    }
}

/// The new values of the fields an update names; the others stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleChange {
    pub priority: Option<Priority>,
    pub urgent: Option<bool>,
    pub mandatory: Option<bool>,
    pub mergeable: Option<bool>,
    pub supersedes: Option<bool>,
    pub default_deadline: Option<TimeDelta>,
    pub default_channels: Option<Vec<ContactChannel>>,
}

impl TouchpointRule {
    /// Every refused field, relative to the rule.
    pub fn validate(&self) -> Result<(), Vec<Violation>> {
        let mut found = Vec::new();
        if self.default_deadline <= TimeDelta::zero()
            || self.default_deadline > MAX_DEFAULT_DEADLINE
        {
            found.push(
                Invalid::new("must be more than 0 and at most 30 days").at("default_deadline"),
            );
        }
        if let Err(e) = channel_order(&self.default_channels) {
            found.push(e.at("default_channels"));
        }
        // An urgent part would carry the non-urgent ones merged with it into quiet hours.
        if self.urgent && self.mergeable {
            found.push(Invalid::new("an urgent touchpoint cannot be mergeable").at("mergeable"));
        }
        if found.is_empty() { Ok(()) } else { Err(found) }
    }

    /// The rule with `change` applied, validated as a whole: a change is refused when the rule
    /// it leaves is invalid, even if the fields it names are fine on their own.
    pub fn apply(&self, change: RuleChange) -> Result<TouchpointRule, Vec<Violation>> {
        if change == RuleChange::default() {
            return Err(vec![
                Invalid::new("must name at least one field").at("update_mask"),
            ]);
        }
        let RuleChange {
            priority,
            urgent,
            mandatory,
            mergeable,
            supersedes,
            default_deadline,
            default_channels,
        } = change;
        let rule = TouchpointRule {
            touchpoint: self.touchpoint,
            priority: priority.unwrap_or(self.priority),
            urgent: urgent.unwrap_or(self.urgent),
            mandatory: mandatory.unwrap_or(self.mandatory),
            mergeable: mergeable.unwrap_or(self.mergeable),
            supersedes: supersedes.unwrap_or(self.supersedes),
            default_deadline: default_deadline.unwrap_or(self.default_deadline),
            default_channels: default_channels.unwrap_or_else(|| self.default_channels.clone()),
        };
        rule.validate().map(|()| rule)
    }
}

/// At least one channel, none repeated (the order would be ambiguous).
fn channel_order(channels: &[ContactChannel]) -> Result<(), Invalid> {
    if channels.is_empty() {
        return Err(Invalid::new("must name at least one channel"));
    }
    for (i, c) in channels.iter().enumerate() {
        if channels[..i].contains(c) {
            return Err(Invalid::new(format!("must not repeat {}", c.code())));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
