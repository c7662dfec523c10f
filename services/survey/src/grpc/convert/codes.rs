//! The contract's enums to the domain's and back (see `vipcare_runtime::enum_map!`): every map
//! an exhaustive `match`, UNSPECIFIED read as "not given" for the caller to refuse or default,
//! a number the contract does not define refused. Invitation states come from the domain's
//! one-time-link rule; detraction reasons and follow-up states also from the text codes the
//! store keeps.

use vipcare_domain::{Invalid, Violation};
use vipcare_proto::survey::v1 as pb;
use vipcare_runtime::enum_map;

use crate::domain::codes::{FollowUpState, TrendInterval};
use crate::domain::{DetractionReason, GroupBy, Quadrant, Stage, SurveyChannel, TokenRefusal};

enum_map!(stage_from_proto: Stage <=> pb::Stage {
    Contact <=> Contact,
    Operation <=> Operation,
    End <=> End,
});

enum_map!(channel_from_proto: SurveyChannel <=> pb::SurveyChannel {
    Sms <=> Sms,
    Web <=> Web,
    Hall <=> Hall,
    Hotline <=> Hotline,
    AccountManager <=> AccountManager,
});

enum_map!(quadrant_from_proto: Quadrant <=> pb::Quadrant {
    ConcentrateHere <=> ConcentrateHere,
    KeepUpTheGoodWork <=> KeepUpTheGoodWork,
    LowPriority <=> LowPriority,
    PossibleOverkill <=> PossibleOverkill,
});

enum_map!(grouping_from_proto: GroupBy <=> pb::ReportGrouping {
    Hall <=> Hall,
    Staff <=> Staff,
    Tier <=> Tier,
    Channel <=> Channel,
});

enum_map!(follow_up_state_from_proto: FollowUpState <=> pb::FollowUpState {
    None <=> None,
    Pending <=> Pending,
    Opened <=> Opened,
    Refused <=> Refused,
});

enum_map!(interval_from_proto: TrendInterval <=> pb::TrendInterval {
    Daily <=> Daily,
    Weekly <=> Weekly,
});

/// A contract enum as the `i32` a message field holds.
pub fn code<P: Into<i32>>(value: impl Into<P>) -> i32 {
    value.into().into()
}

/// A required enum field: UNSPECIFIED or an unknown number is refused, naming `field`.
pub fn required<T>(found: Result<Option<T>, Invalid>, field: &str) -> Result<T, Violation> {
    match found {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(Invalid::new("required").at(field)),
        Err(invalid) => Err(invalid.at(field)),
    }
}

/// An enum field whose UNSPECIFIED means `default`; an unknown number is refused at `field`.
pub fn or_default<T>(
    found: Result<Option<T>, Invalid>,
    default: T,
    field: &str,
) -> Result<T, Violation> {
    found.map(|v| v.unwrap_or(default)).map_err(|e| e.at(field))
}

pub fn detraction_reason_to_proto(reason: &DetractionReason) -> pb::DetractionReason {
    match reason {
        DetractionReason::PeakEndLow { .. } => pb::DetractionReason::LowPeakEnd,
        DetractionReason::EndLow { .. } => pb::DetractionReason::LowEndMoment,
        DetractionReason::NpsLow { .. } => pb::DetractionReason::LowNps,
    }
}

/// A reason as the store keeps it (`DetractionReason::code`). A code this build does not know
/// (written by a newer one during a rollout) shows as UNSPECIFIED rather than failing the read.
pub fn detraction_reason_from_code(code: &str) -> pb::DetractionReason {
    match code {
        "PEAK_END_LOW" => pb::DetractionReason::LowPeakEnd,
        "END_LOW" => pb::DetractionReason::LowEndMoment,
        "NPS_LOW" => pb::DetractionReason::LowNps,
        _ => pb::DetractionReason::Unspecified,
    }
}

/// Where an invitation stands, from the domain's verdict on its link
/// (`crate::domain::usable`): usable is OPEN, used ANSWERED, past its 7 days EXPIRED.
pub fn invitation_state(usable: &Result<(), TokenRefusal>) -> pb::InvitationState {
    match usable {
        Ok(()) => pb::InvitationState::Open,
        Err(TokenRefusal::Used { .. }) => pb::InvitationState::Answered,
        Err(TokenRefusal::Expired { .. }) => pb::InvitationState::Expired,
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    #[test]
    fn every_domain_value_round_trips_through_the_contract() {
        for s in Stage::ALL {
            assert_eq!(stage_from_proto(code::<pb::Stage>(*s)), Ok(Some(*s)));
        }
        for c in SurveyChannel::ALL {
            assert_eq!(
                channel_from_proto(code::<pb::SurveyChannel>(*c)),
                Ok(Some(*c))
            );
        }
        for q in Quadrant::ALL {
            assert_eq!(quadrant_from_proto(code::<pb::Quadrant>(*q)), Ok(Some(*q)));
        }
        for g in GroupBy::ALL {
            assert_eq!(
                grouping_from_proto(code::<pb::ReportGrouping>(*g)),
                Ok(Some(*g))
            );
        }
        for f in FollowUpState::ALL {
            let shown = code::<pb::FollowUpState>(*f);
            assert_eq!(follow_up_state_from_proto(shown), Ok(Some(*f)));
        }
        for t in TrendInterval::ALL {
            assert_eq!(
                interval_from_proto(code::<pb::TrendInterval>(*t)),
                Ok(Some(*t))
            );
        }
    }

    #[test]
    fn codes_name_the_same_values_on_both_sides() {
        assert_eq!(pb::Stage::from(Stage::End).as_str_name(), "STAGE_END");
        assert_eq!(
            pb::SurveyChannel::from(SurveyChannel::AccountManager).as_str_name(),
            "SURVEY_CHANNEL_ACCOUNT_MANAGER"
        );
        for f in FollowUpState::ALL {
            let name = pb::FollowUpState::from(*f).as_str_name();
            assert_eq!(name, format!("FOLLOW_UP_STATE_{}", f.code()));
        }
        for q in Quadrant::ALL {
            assert_eq!(
                pb::Quadrant::from(*q).as_str_name(),
                format!("QUADRANT_{}", q.code())
            );
        }
    }

    #[test]
    fn unspecified_is_not_given_and_unknown_numbers_are_refused() {
        assert_eq!(stage_from_proto(0), Ok(None));
        assert_eq!(
            required(stage_from_proto(0), "stage").unwrap_err().field,
            "stage"
        );
        assert!(stage_from_proto(42).is_err());
        let default = or_default(channel_from_proto(0), SurveyChannel::Sms, "channel");
        assert_eq!(default, Ok(SurveyChannel::Sms));
        let refused = or_default(channel_from_proto(-1), SurveyChannel::Sms, "channel");
        assert_eq!(refused.unwrap_err().field, "channel");
    }

    #[test]
    fn detraction_reasons_map_from_the_domain_and_from_stored_codes() {
        let reasons = [
            DetractionReason::PeakEndLow { peak_end: 2.5 },
            DetractionReason::EndLow {
                end_moment: "FOLLOW_UP".into(),
                score: 1,
            },
            DetractionReason::NpsLow { nps: 3 },
        ];
        for reason in &reasons {
            let shown = detraction_reason_to_proto(reason);
            assert_ne!(shown, pb::DetractionReason::Unspecified);
            assert_eq!(detraction_reason_from_code(reason.code()), shown);
        }
        let from_newer_build = detraction_reason_from_code("SLOW_ANSWER");
        assert_eq!(from_newer_build, pb::DetractionReason::Unspecified);
    }

    #[test]
    fn invitation_states_follow_the_links_verdict() {
        let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        assert_eq!(invitation_state(&Ok(())), pb::InvitationState::Open);
        let used = Err(TokenRefusal::Used { at });
        assert_eq!(invitation_state(&used), pb::InvitationState::Answered);
        let expired = Err(TokenRefusal::Expired { at });
        assert_eq!(invitation_state(&expired), pb::InvitationState::Expired);
    }
}
