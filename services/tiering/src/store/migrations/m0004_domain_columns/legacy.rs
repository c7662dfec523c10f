//! The encodings rows had before this migration: the contract's protobuf messages, and a
//! private message for run snapshots. The only code that still reads them; the messages become
//! domain values through the gRPC layer's conversions, which read every field. Once every
//! store has migrated this can go with the migration's conversions (the schema steps stay).

use prost::Message;
use sea_orm_migration::DbErr;
use vipcare_proto::profile::v1::ValueSummary as SummaryMessage;
use vipcare_proto::tiering::v1 as pb;

use crate::domain::{
    Basis, Benefit, Override, Redeemed, Redemption, RiskReason, Standing, TierPolicy,
};
use crate::grpc::convert;
use crate::store::time;

fn undecodable(what: &str, err: impl std::fmt::Display) -> DbErr {
    DbErr::Migration(format!("a stored {what} does not decode: {err}"))
}

pub fn policy(bytes: &[u8]) -> Result<TierPolicy, DbErr> {
    let message = pb::TierPolicy::decode(bytes).map_err(|e| undecodable("policy", e))?;
    Ok(convert::policy_from_proto(&message))
}

pub fn benefit(bytes: &[u8]) -> Result<Benefit, DbErr> {
    let message = pb::Benefit::decode(bytes).map_err(|e| undecodable("benefit", e))?;
    convert::benefit_from_proto(&message).map_err(|v| undecodable("benefit", v))
}

/// A record's churn reasons and whether it was at risk.
pub fn churn(bytes: &[u8]) -> Result<(Vec<RiskReason>, bool), DbErr> {
    let pb::ChurnRisk {
        score: _,
        reasons,
        at_risk,
    } = pb::ChurnRisk::decode(bytes).map_err(|e| undecodable("churn risk", e))?;
    Ok((convert::reasons_from_proto(&reasons), at_risk))
}

/// A redemption answer; the redemption rows held the same message without the quota.
pub fn redeemed(bytes: &[u8]) -> Result<Redeemed, DbErr> {
    let message =
        pb::RedeemBenefitResponse::decode(bytes).map_err(|e| undecodable("redemption", e))?;
    convert::redeemed_from_proto(&message).ok_or_else(|| undecodable("redemption", "incomplete"))
}

pub fn redemption(bytes: &[u8]) -> Result<Redemption, DbErr> {
    let message = pb::Redemption::decode(bytes).map_err(|e| undecodable("redemption", e))?;
    convert::redemption_from_proto(&message).ok_or_else(|| undecodable("redemption", "no time"))
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct StoredBatch {
    #[prost(message, repeated, tag = "1")]
    pub bases: Vec<StoredBasis>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct StoredBasis {
    #[prost(message, optional, tag = "1")]
    pub summary: Option<SummaryMessage>,
    #[prost(string, tag = "2")]
    pub tier: String,
    #[prost(int32, tag = "3")]
    pub periods_below: i32,
    #[prost(message, optional, tag = "4")]
    pub manual: Option<StoredOverride>,
    #[prost(int64, tag = "5")]
    pub now_ms: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct StoredOverride {
    #[prost(string, tag = "1")]
    pub tier: String,
    #[prost(string, tag = "2")]
    pub reason: String,
    #[prost(string, tag = "3")]
    pub actor: String,
    #[prost(int64, optional, tag = "4")]
    pub expire_ms: Option<i64>,
    #[prost(int64, tag = "5")]
    pub create_ms: i64,
}

/// One batch of a run's snapshots.
pub fn snapshots(bytes: &[u8]) -> Result<Vec<Basis>, DbErr> {
    let batch = StoredBatch::decode(bytes).map_err(|e| undecodable("run snapshot", e))?;
    Ok(batch.bases.into_iter().map(basis).collect())
}

fn basis(stored: StoredBasis) -> Basis {
    let StoredBasis {
        summary,
        tier,
        periods_below,
        manual,
        now_ms,
    } = stored;
    Basis {
        summary: convert::summary_from_proto(summary.unwrap_or_default()),
        standing: Standing {
            tier,
            periods_below,
        },
        manual: manual.map(|o| Override {
            tier: o.tier,
            reason: o.reason,
            actor: o.actor,
            expire_time: o.expire_ms.map(time),
            create_time: time(o.create_ms),
        }),
        now: time(now_ms),
        satisfaction: None,
    }
}
