//! `ChurnRisk`, `RiskReason` and `AtRiskCustomer`: a churn assessment and the retention list.

use chrono::{DateTime, Utc};
use vipcare_proto::tiering::v1 as pb;

use crate::domain::{ChurnAssessment, RiskReason, TierRecord};

pub fn churn_to_proto(churn: &ChurnAssessment) -> pb::ChurnRisk {
    let ChurnAssessment {
        score,
        reasons,
        at_risk,
    } = churn;
    pb::ChurnRisk {
        score: *score,
        reasons: reasons_to_proto(reasons),
        at_risk: *at_risk,
    }
}

pub fn reasons_to_proto(reasons: &[RiskReason]) -> Vec<pb::RiskReason> {
    reasons
        .iter()
        .map(|reason| {
            let RiskReason {
                code,
                description,
                contribution,
            } = reason;
            pb::RiskReason {
                code: code.clone(),
                description: description.clone(),
                contribution: *contribution,
            }
        })
        .collect()
}

pub fn reasons_from_proto(reasons: &[pb::RiskReason]) -> Vec<RiskReason> {
    reasons
        .iter()
        .map(|reason| {
            let pb::RiskReason {
                code,
                description,
                contribution,
            } = reason;
            RiskReason {
                code: code.clone(),
                description: description.clone(),
                contribution: *contribution,
            }
        })
        .collect()
}

/// A customer of the retention list: the risk of the last evaluation and the tier in force.
pub fn at_risk_to_proto(record: &TierRecord, now: DateTime<Utc>) -> pb::AtRiskCustomer {
    pb::AtRiskCustomer {
        customer_id: record.customer_id.clone(),
        tier: record.effective_tier(now).to_owned(),
        risk: record.churn.score,
        reasons: reasons_to_proto(&record.churn.reasons),
        period: record
            .last_period
            .map(|p| p.to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip() {
        let reasons = vec![RiskReason {
            code: "SPEND_DECLINE".into(),
            description: "spend fell 50%".into(),
            contribution: 0.6,
        }];
        assert_eq!(reasons_from_proto(&reasons_to_proto(&reasons)), reasons);
    }
}
