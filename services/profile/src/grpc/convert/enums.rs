//! Contract enums to domain enums and back. UNSPECIFIED becomes `None`; a number the contract
//! does not define is refused rather than guessed.

use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use crate::domain::{
    Channel, ContactChannel, CustomerStatus, Gender, IdDocumentType, Invalid, NoteKind,
    RelationKind, SpendTrend, Touchpoint,
};

use vipcare_runtime::enum_map;

enum_map!(status_from_proto: CustomerStatus <=> pb::CustomerStatus {
    Active <=> Active, Suspended <=> Suspended, Closed <=> Closed,
});

enum_map!(id_type_from_proto: IdDocumentType <=> pb::IdDocumentType {
    ResidentIdCard <=> ResidentIdCard,
    Passport <=> Passport,
    HkMacaoPermit <=> HkMacaoPermit,
    TaiwanPermit <=> TaiwanPermit,
    ForeignPermanentResident <=> ForeignPermanentResident,
});

enum_map!(kind_from_proto: RelationKind <=> pb::RelationKind {
    Family <=> Family,
    GroupColleague <=> GroupColleague,
    Referral <=> Referral,
    SecondaryLine <=> SecondaryLine,
});

enum_map!(note_kind_from_proto: NoteKind <=> pb::NoteKind {
    Need <=> Need, Problem <=> Problem, Progress <=> Progress, Care <=> Care,
});

enum_map!(channel_from_proto: Channel <=> common::Channel {
    Hall <=> Hall,
    Hotline <=> Hotline,
    Web <=> Web,
    AccountManager <=> AccountManager,
    Partner <=> Partner,
    Admin <=> Admin,
});

enum_map!(contact_channel_from_proto, contact_channel_to_proto: ContactChannel <=> common::ContactChannel {
    Sms <=> Sms,
    AppPush <=> AppPush,
    Email <=> Email,
    VoiceCall <=> VoiceCall,
    AccountManager <=> AccountManager,
});

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

impl From<Gender> for pb::Gender {
    fn from(value: Gender) -> Self {
        match value {
            Gender::Unspecified => pb::Gender::Unspecified,
            Gender::Male => pb::Gender::Male,
            Gender::Female => pb::Gender::Female,
            Gender::Other => pb::Gender::Other,
        }
    }
}

/// Gender may stay unspecified.
pub fn gender_from_proto(value: i32) -> Result<Gender, Invalid> {
    match pb::Gender::try_from(value) {
        Ok(pb::Gender::Unspecified) => Ok(Gender::Unspecified),
        Ok(pb::Gender::Male) => Ok(Gender::Male),
        Ok(pb::Gender::Female) => Ok(Gender::Female),
        Ok(pb::Gender::Other) => Ok(Gender::Other),
        Err(_) => Err(Invalid::new(format!("unknown value {value}"))),
    }
}

impl From<SpendTrend> for pb::SpendTrend {
    fn from(value: SpendTrend) -> Self {
        match value {
            SpendTrend::InsufficientData => pb::SpendTrend::InsufficientData,
            SpendTrend::Rising => pb::SpendTrend::Rising,
            SpendTrend::Stable => pb::SpendTrend::Stable,
            SpendTrend::Declining => pb::SpendTrend::Declining,
        }
    }
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
    fn unknown_numbers_are_refused_unspecified_is_none() {
        assert_eq!(status_from_proto(0), Ok(None));
        assert_eq!(status_from_proto(2), Ok(Some(CustomerStatus::Suspended)));
        assert!(status_from_proto(99).is_err());
        assert!(gender_from_proto(-1).is_err());
        assert!(required_list(&[1, 0], contact_channel_from_proto).is_err());
        assert_eq!(
            required_list(&[3, 1], contact_channel_from_proto),
            Ok(vec![ContactChannel::Email, ContactChannel::Sms])
        );
    }

    #[test]
    fn every_domain_value_round_trips() {
        for c in Channel::ALL {
            assert_eq!(
                channel_from_proto(common::Channel::from(*c) as i32),
                Ok(Some(*c))
            );
        }
        for t in Touchpoint::ALL {
            assert_eq!(
                touchpoint_from_proto(touchpoint_to_proto(*t) as i32),
                Ok(Some(*t))
            );
        }
        for k in RelationKind::ALL {
            assert_eq!(
                kind_from_proto(pb::RelationKind::from(*k) as i32),
                Ok(Some(*k))
            );
        }
    }
}
