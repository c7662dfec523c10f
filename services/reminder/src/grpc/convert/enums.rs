//! Contract enums to domain enums and back. UNSPECIFIED becomes `None` (the caller decides
//! whether that means "any" or "required"); a number the contract does not define is refused
//! rather than guessed. Every map is an exhaustive `match`, so a value added on either side
//! fails to compile here until someone decides what it means.

use vipcare_domain::Invalid;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;

use crate::domain::{ContactChannel, DeliveryOutcome, Encoding, ReminderState, Touchpoint};
use crate::store::stats::Grouping;

use vipcare_runtime::enum_map;

enum_map!(touchpoint_from_proto, touchpoint_to_proto: Touchpoint <=> common::Touchpoint {
    AccountOpening <=> AccountOpening,
    PlanChange <=> PlanChange,
    VasSubscription <=> VasSubscription,
    TopupRebate <=> TopupRebate,
    PromotionExpiry <=> PromotionExpiry,
    SensitiveQuery <=> SensitiveQuery,
    InternationalRoaming <=> InternationalRoaming,
    DataUsageAlert <=> DataUsageAlert,
    LowBalance <=> LowBalance,
    ArrearsSuspension <=> ArrearsSuspension,
    TierChange <=> TierChange,
    SurveyInvitation <=> SurveyInvitation,
    ComplaintProgress <=> ComplaintProgress,
    Care <=> Care,
    StaffTask <=> StaffTask,
});

enum_map!(channel_from_proto, channel_to_proto: ContactChannel <=> common::ContactChannel {
    Sms <=> Sms,
    AppPush <=> AppPush,
    Email <=> Email,
    VoiceCall <=> VoiceCall,
    AccountManager <=> AccountManager,
});

enum_map!(state_from_proto, state_to_proto: ReminderState <=> pb::ReminderState {
    Scheduled <=> Scheduled,
    Deferred <=> Deferred,
    Dispatching <=> Dispatching,
    Sent <=> Sent,
    Delivered <=> Delivered,
    Expired <=> Expired,
    Cancelled <=> Cancelled,
    Superseded <=> Superseded,
    Suppressed <=> Suppressed,
    Failed <=> Failed,
});

/// A receipt's outcome: the three a provider can report. "No receipt" is the service's own
/// conclusion, never a provider's word, so a receipt cannot claim it.
pub fn outcome_from_proto(value: i32) -> Result<Option<DeliveryOutcome>, Invalid> {
    match pb::DeliveryOutcome::try_from(value) {
        Ok(pb::DeliveryOutcome::Unspecified) => Ok(None),
        Ok(pb::DeliveryOutcome::Delivered) => Ok(Some(DeliveryOutcome::Delivered)),
        Ok(pb::DeliveryOutcome::FailedUnreachable) => Ok(Some(DeliveryOutcome::FailedUnreachable)),
        Ok(pb::DeliveryOutcome::FailedPermanent) => Ok(Some(DeliveryOutcome::FailedPermanent)),
        Err(_) => Err(Invalid::new(format!("unknown value {value}"))),
    }
}

/// An attempt's outcome as the contract shows it: no receipt in time is shown as unreachable
/// (the attempt's detail says why), which is how the retry plan treats it.
pub fn outcome_to_proto(value: DeliveryOutcome) -> pb::DeliveryOutcome {
    match value {
        DeliveryOutcome::Delivered => pb::DeliveryOutcome::Delivered,
        DeliveryOutcome::FailedUnreachable | DeliveryOutcome::NoReceipt => {
            pb::DeliveryOutcome::FailedUnreachable
        }
        DeliveryOutcome::FailedPermanent => pb::DeliveryOutcome::FailedPermanent,
    }
}

pub fn encoding_to_proto(value: Encoding) -> pb::SmsEncoding {
    match value {
        Encoding::Gsm7 => pb::SmsEncoding::Gsm7,
        Encoding::Ucs2 => pb::SmsEncoding::Ucs2,
    }
}

/// UNSPECIFIED is "totals only", a value of its own here.
pub fn grouping_from_proto(value: i32) -> Result<Grouping, Invalid> {
    match pb::StatsGrouping::try_from(value) {
        Ok(pb::StatsGrouping::Unspecified) => Ok(Grouping::None),
        Ok(pb::StatsGrouping::Touchpoint) => Ok(Grouping::Touchpoint),
        Ok(pb::StatsGrouping::Channel) => Ok(Grouping::Channel),
        Err(_) => Err(Invalid::new(format!("unknown value {value}"))),
    }
}

/// A value the request must set.
pub fn required<T>(value: Result<Option<T>, Invalid>) -> Result<T, Invalid> {
    value?.ok_or_else(|| Invalid::new("required"))
}

/// A list of enum numbers where UNSPECIFIED is as wrong as an unknown number.
pub fn required_list<T>(
    values: &[i32],
    from_proto: fn(i32) -> Result<Option<T>, Invalid>,
) -> Result<Vec<T>, Invalid> {
    values
        .iter()
        .map(|v| from_proto(*v)?.ok_or_else(|| Invalid::new("must not contain UNSPECIFIED")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_value_round_trips() {
        for t in Touchpoint::ALL {
            let number = touchpoint_to_proto(*t) as i32;
            assert_eq!(touchpoint_from_proto(number), Ok(Some(*t)));
        }
        for c in ContactChannel::ALL {
            assert_eq!(
                channel_from_proto(channel_to_proto(*c) as i32),
                Ok(Some(*c))
            );
        }
        for s in ReminderState::ALL {
            assert_eq!(state_from_proto(state_to_proto(*s) as i32), Ok(Some(*s)));
        }
    }

    #[test]
    fn unspecified_is_none_and_unknown_numbers_are_refused() {
        assert_eq!(touchpoint_from_proto(0), Ok(None));
        assert!(touchpoint_from_proto(99).is_err());
        assert!(required(touchpoint_from_proto(0)).is_err());
        assert!(required_list(&[1, 0], channel_from_proto).is_err());
        assert_eq!(
            required_list(&[3, 1], channel_from_proto),
            Ok(vec![ContactChannel::Email, ContactChannel::Sms])
        );
        assert_eq!(grouping_from_proto(0), Ok(Grouping::None));
        assert!(grouping_from_proto(7).is_err());
    }

    #[test]
    fn a_receipt_cannot_claim_no_receipt() {
        assert_eq!(outcome_from_proto(0), Ok(None));
        assert_eq!(
            outcome_from_proto(2),
            Ok(Some(DeliveryOutcome::FailedUnreachable))
        );
        assert!(outcome_from_proto(4).is_err());
        assert_eq!(
            outcome_to_proto(DeliveryOutcome::NoReceipt),
            pb::DeliveryOutcome::FailedUnreachable
        );
    }
}
