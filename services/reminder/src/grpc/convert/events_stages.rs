//! The contract's enums inside events (a plan change's stage, a rebate's stage, the client's
//! channel of a sensitive query) to the domain's, apart from the destructuring of the events
//! because they are one table each: UNSPECIFIED is refused where the domain needs a value, and a
//! number this build does not know (a newer client's) is refused everywhere.

use vipcare_domain::Invalid;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;

use crate::domain::events::{PlanStage, QueryChannel, RebateStage};

pub(super) fn plan_stage(value: i32) -> Result<PlanStage, Invalid> {
    match pb::PlanChangeStage::try_from(value) {
        Ok(pb::PlanChangeStage::Accepted) => Ok(PlanStage::Accepted),
        Ok(pb::PlanChangeStage::Effective) => Ok(PlanStage::Effective),
        Ok(pb::PlanChangeStage::Unspecified) => Err(Invalid::new("required")),
        Err(_) => Err(Invalid::new(format!("unknown value {value}"))),
    }
}

pub(super) fn rebate_stage(value: i32) -> Result<RebateStage, Invalid> {
    match pb::RebateStage::try_from(value) {
        Ok(pb::RebateStage::Scheduled) => Ok(RebateStage::Scheduled),
        Ok(pb::RebateStage::Credited) => Ok(RebateStage::Credited),
        Ok(pb::RebateStage::Ending) => Ok(RebateStage::Ending),
        Ok(pb::RebateStage::Unspecified) => Err(Invalid::new("required")),
        Err(_) => Err(Invalid::new(format!("unknown value {value}"))),
    }
}

/// The client's channel is optional: UNSPECIFIED names only the client.
pub(super) fn query_channel(value: i32) -> Result<Option<QueryChannel>, Invalid> {
    use common::Channel as C;
    match C::try_from(value) {
        Ok(C::Unspecified) => Ok(None),
        Ok(C::Hall) => Ok(Some(QueryChannel::Hall)),
        Ok(C::Hotline) => Ok(Some(QueryChannel::Hotline)),
        Ok(C::Web) => Ok(Some(QueryChannel::Web)),
        Ok(C::AccountManager) => Ok(Some(QueryChannel::AccountManager)),
        Ok(C::Partner) => Ok(Some(QueryChannel::Partner)),
        Ok(C::Admin) => Ok(Some(QueryChannel::Admin)),
        Err(_) => Err(Invalid::new(format!("unknown value {value}"))),
    }
}
