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

/// The seeded rule of every touchpoint, in touchpoint order.
pub fn default_rules() -> Vec<TouchpointRule> {
    Touchpoint::ALL.iter().map(|t| default_rule(*t)).collect()
}

/// The seeded rule of one touchpoint.
pub fn default_rule(touchpoint: Touchpoint) -> TouchpointRule {
    use ContactChannel::{AccountManager, AppPush, Email, Sms, VoiceCall};
    use Touchpoint::*;
    // (priority, deadline in hours, channels), most important first.
    let (priority, hours, channels): (u8, i64, &[ContactChannel]) = match touchpoint {
        // Before suspension, with the credit limit and the rule: worth a call.
        ArrearsSuspension => (5, 12, &[Sms, VoiceCall, AppPush]),
        // Timely and secure: at once, or not at all.
        SensitiveQuery => (10, 1, &[Sms, AppPush]),
        // Rates and how to dial matter on landing, not a day later.
        InternationalRoaming => (20, 6, &[Sms, AppPush]),
        // Usage moves fast: a stale threshold misleads.
        DataUsageAlert => (25, 6, &[Sms, AppPush]),
        // Promised answers are the end moment customers remember: kept first under the cap.
        ComplaintProgress => (28, 24, &[Sms, AppPush, Email]),
        // "Effective promptly, confirmation of acceptance".
        PlanChange => (30, 24, &[Sms, AppPush]),
        // Confirmed activation, well before a free trial ends.
        VasSubscription => (35, 24, &[Sms, AppPush]),
        // The account-opening parts, in the redesigned order (see ACCOUNT_OPENING_PARTS).
        AccountOpening => (40, 24, &[Sms, AppPush]),
        TopupRebate => (45, 72, &[Sms, AppPush]),
        LowBalance => (50, 12, &[Sms, AppPush]),
        StaffTask => (50, 24, &[AccountManager, Sms]),
        PromotionExpiry => (55, 24, &[Sms, AppPush, Email]),
        TierChange => (60, 168, &[Sms, AppPush, Email]),
        SurveyInvitation => (70, 48, &[Sms, AppPush]),
        Care => (80, 24, &[Sms, AppPush]),
    };
    let urgent = matches!(touchpoint, ArrearsSuspension | SensitiveQuery);
    TouchpointRule {
        touchpoint,
        priority: Priority(priority),
        urgent,
        // A staff task is not the customer's to opt out of.
        mandatory: urgent || touchpoint == StaffTask,
        // A complaint's progress reads best alone; a staff task is no customer message.
        mergeable: !urgent && !matches!(touchpoint, ComplaintProgress | StaffTask),
        supersedes: matches!(touchpoint, DataUsageAlert | LowBalance),
        default_deadline: TimeDelta::hours(hours),
        default_channels: channels.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: Result<impl std::fmt::Debug, Vec<Violation>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn every_touchpoint_has_a_valid_seeded_rule() {
        let rules = default_rules();
        assert_eq!(rules.len(), 15);
        for (rule, t) in rules.iter().zip(Touchpoint::ALL) {
            assert_eq!(rule.touchpoint, *t);
            assert_eq!(rule.validate(), Ok(()), "{}", t.code());
        }
    }

    #[test]
    fn account_opening_parts_are_ordered_by_their_priorities() {
        let priorities: Vec<_> = ACCOUNT_OPENING_PARTS
            .iter()
            .map(|t| default_rule(*t).priority)
            .collect();
        assert!(priorities.windows(2).all(|w| w[0] < w[1]), "{priorities:?}");
        // All four go out together, so all four must merge.
        assert!(
            ACCOUNT_OPENING_PARTS
                .iter()
                .all(|t| default_rule(*t).mergeable)
        );
    }

    #[test]
    fn only_arrears_and_sensitive_queries_break_quiet_hours_or_opt_outs() {
        let urgent: Vec<_> = default_rules()
            .into_iter()
            .filter(|r| r.urgent)
            .map(|r| r.touchpoint)
            .collect();
        assert_eq!(
            urgent,
            [Touchpoint::SensitiveQuery, Touchpoint::ArrearsSuspension]
        );
        let mandatory: Vec<_> = default_rules()
            .into_iter()
            .filter(|r| r.mandatory && !r.touchpoint.is_staff_task())
            .map(|r| r.touchpoint)
            .collect();
        assert_eq!(mandatory, urgent);
        let top = default_rules()
            .into_iter()
            .min_by_key(|r| r.priority)
            .unwrap();
        assert_eq!(top.touchpoint, Touchpoint::ArrearsSuspension);
    }

    #[test]
    fn only_data_usage_and_low_balance_supersede() {
        let superseding: Vec<_> = default_rules()
            .into_iter()
            .filter(|r| r.supersedes)
            .map(|r| r.touchpoint)
            .collect();
        assert_eq!(
            superseding,
            [Touchpoint::DataUsageAlert, Touchpoint::LowBalance]
        );
    }

    #[test]
    fn priorities_are_one_to_a_hundred() {
        assert!(Priority::new(0).is_err());
        assert!(Priority::new(101).is_err());
        assert!(Priority::new(-5).is_err());
        assert!(Priority::new(i32::MAX).is_err());
        assert_eq!(Priority::new(1).map(Priority::get), Ok(1));
        assert_eq!(Priority::new(100).map(Priority::get), Ok(100));
    }

    #[test]
    fn bad_rules_name_every_field() {
        let rule = TouchpointRule {
            default_deadline: TimeDelta::zero(),
            default_channels: vec![ContactChannel::Sms, ContactChannel::Sms],
            urgent: true,
            mergeable: true,
            ..default_rule(Touchpoint::Care)
        };
        assert_eq!(
            fields(rule.validate()),
            ["default_deadline", "default_channels", "mergeable"]
        );
        let rule = TouchpointRule {
            default_deadline: TimeDelta::days(31),
            default_channels: vec![],
            ..default_rule(Touchpoint::Care)
        };
        assert_eq!(
            fields(rule.validate()),
            ["default_deadline", "default_channels"]
        );
    }

    #[test]
    fn an_update_changes_only_what_it_names_and_the_result_must_be_valid() {
        let rule = default_rule(Touchpoint::LowBalance);
        let changed = rule
            .apply(RuleChange {
                priority: Some(Priority(88)),
                default_channels: Some(vec![ContactChannel::AppPush]),
                ..RuleChange::default()
            })
            .unwrap();
        assert_eq!(changed.priority.get(), 88);
        assert_eq!(changed.default_channels, [ContactChannel::AppPush]);
        assert_eq!(changed.default_deadline, rule.default_deadline);
        assert!(changed.supersedes);
        // Urgent on a mergeable touchpoint leaves an invalid rule, though `urgent` alone is fine.
        let err = rule.apply(RuleChange {
            urgent: Some(true),
            ..RuleChange::default()
        });
        assert_eq!(fields(err), ["mergeable"]);
        assert_eq!(fields(rule.apply(RuleChange::default())), ["update_mask"]);
    }

    #[test]
    fn mask_paths_name_rule_fields() {
        assert_eq!(
            RuleField::from_code("default_deadline"),
            Some(RuleField::DefaultDeadline)
        );
        assert_eq!(RuleField::from_code("touchpoint"), None);
        assert_eq!(RuleField::from_code("etag"), None);
        assert_eq!(RuleField::ALL.len(), 7);
    }
}
