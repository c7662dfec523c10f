//! What a reminder is about and how it reaches the customer: the ten key touchpoints of the
//! customer's life (DOMAIN.md section 3), the five kinds of notice the suite adds to them, and
//! the contact channels. Shared because the profile keeps the customer's channel order and
//! opt-outs in these terms and the reminder service sends by them. Codes are stable: they are
//! what stores keep and settings name, so a renamed variant leaves stored rows readable.

use crate::coded_enum;

coded_enum! {
    /// Why a reminder is sent. The first ten are the key touchpoints, in DOMAIN.md's order; the
    /// last five are the suite's own notices.
    Touchpoint {
        AccountOpening = "account_opening",
        PlanChange = "plan_change",
        VasSubscription = "vas_subscription",
        TopupRebate = "topup_rebate",
        PromotionExpiry = "promotion_expiry",
        SensitiveQuery = "sensitive_query",
        InternationalRoaming = "international_roaming",
        DataUsageAlert = "data_usage_alert",
        LowBalance = "low_balance",
        ArrearsSuspension = "arrears_suspension",
        /// The customer's tier went up or down (from tiering's outbox).
        TierChange = "tier_change",
        /// An invitation to rate a service just received.
        SurveyInvitation = "survey_invitation",
        /// Progress or the result of the customer's complaint.
        ComplaintProgress = "complaint_progress",
        /// Birthday greetings, festival wishes, care after an abnormal bill.
        Care = "care",
        /// Work for staff (an account manager), not a message to the customer.
        StaffTask = "staff_task",
    }
}

impl Touchpoint {
    /// Whether the reminder goes to staff rather than to the customer: it keeps no customer
    /// quiet hours, caps or opt-outs.
    pub fn is_staff_task(self) -> bool {
        self == Touchpoint::StaffTask
    }
}

coded_enum! {
    /// A way to reach the customer.
    ContactChannel {
        Sms = "sms",
        AppPush = "app_push",
        Email = "email",
        VoiceCall = "voice_call",
        /// The customer's account manager's app (how staff tasks are delivered).
        AccountManager = "account_manager",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_touchpoints_with_distinct_lowercase_codes_that_round_trip() {
        assert_eq!(Touchpoint::ALL.len(), 15);
        for (i, t) in Touchpoint::ALL.iter().enumerate() {
            let code = t.code();
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert_eq!(Touchpoint::from_code(code), Some(*t));
            assert!(
                Touchpoint::ALL[..i].iter().all(|o| o.code() != code),
                "{code} repeats"
            );
        }
        assert_eq!(Touchpoint::from_code("ACCOUNT_OPENING"), None);
        assert_eq!(Touchpoint::from_code(""), None);
    }

    #[test]
    fn the_ten_key_touchpoints_come_first_in_domain_order() {
        assert_eq!(Touchpoint::ALL[0], Touchpoint::AccountOpening);
        assert_eq!(Touchpoint::ALL[9], Touchpoint::ArrearsSuspension);
        assert!(Touchpoint::StaffTask.is_staff_task());
        assert!(!Touchpoint::Care.is_staff_task());
    }

    #[test]
    fn channel_codes_are_stable() {
        let codes: Vec<_> = ContactChannel::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            ["sms", "app_push", "email", "voice_call", "account_manager"]
        );
        for c in ContactChannel::ALL {
            assert_eq!(ContactChannel::from_code(c.code()), Some(*c));
        }
    }
}
