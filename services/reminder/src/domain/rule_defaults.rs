//! The rule each touchpoint starts with: a seeded table, apart from the rule type and its
//! validation because it is the operator's starting policy (DOMAIN.md section 3, as the `rule`
//! module describes), which moves with the business, while what a rule is and what makes one
//! valid do not.

use chrono::TimeDelta;

use super::{ContactChannel, Priority, Touchpoint, TouchpointRule};

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
