//! The template codes events render with, one constant per text, apart from the planning so the
//! list of texts an event feed may need reads at a glance (and, for the two not seeded yet, what
//! variables they are given).

pub const ACCOUNT_TARIFF: &str = "account_opening.tariff.sms.zh-cn";
pub const ACCOUNT_USAGE_TIPS: &str = "account_opening.usage_tips.sms.zh-cn";
/// Not seeded yet: PLAN_NAME, PROMOTION_DESC.
pub const PLAN_PROMOTION: &str = "topup_rebate.plan_promotion.sms.zh-cn";
pub const TOPUP_CREDITED: &str = "low_balance.topup_credited.sms.zh-cn";
pub const SURVEY: &str = "survey_invitation.rate_service.sms.zh-cn";
pub const PLAN_ACCEPTED: &str = "plan_change.accepted.sms.zh-cn";
pub const PLAN_EFFECTIVE: &str = "plan_change.effective.sms.zh-cn";
pub const VAS_SUBSCRIBED: &str = "vas_subscription.subscribed.sms.zh-cn";
pub const VAS_FREE_TRIAL: &str = "vas_subscription.free_trial.sms.zh-cn";
/// Not seeded yet: VAS_NAME, TRIAL_END, PRICE, CANCEL_HOW.
pub const VAS_TRIAL_ENDING: &str = "vas_subscription.trial_ending.sms.zh-cn";
pub const REBATE_SCHEDULED: &str = "topup_rebate.scheduled.sms.zh-cn";
pub const REBATE_CREDITED: &str = "topup_rebate.credited.sms.zh-cn";
pub const REBATE_ENDING: &str = "topup_rebate.ending.sms.zh-cn";
pub const PROMOTION_EXPIRING: &str = "promotion_expiry.expiring.sms.zh-cn";
pub const SENSITIVE_QUERY: &str = "sensitive_query.notice.sms.zh-cn";
pub const ROAMING_WELCOME: &str = "international_roaming.welcome.sms.zh-cn";
pub const DATA_THRESHOLD: &str = "data_usage_alert.threshold.sms.zh-cn";
pub const DATA_OVERAGE: &str = "data_usage_alert.overage.sms.zh-cn";
pub const LOW_BALANCE: &str = "low_balance.warning.sms.zh-cn";
pub const ARREARS: &str = "arrears_suspension.warning.sms.zh-cn";
