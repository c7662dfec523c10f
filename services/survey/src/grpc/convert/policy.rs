//! The survey policy: as the contract shows it (with its etag, when and by whom it was last
//! updated; the starting values have neither), and UpdateSurveyPolicy's request as the figures
//! it replaces. Only the paths of the mask change; the result is checked whole by
//! `SurveyPolicy::new`, which names refused figures as the contract does.

use std::collections::BTreeMap;

use vipcare_domain::{Invalid, Violation};
use vipcare_proto::survey::v1 as pb;

use super::timestamp;
use crate::domain::PolicyValues;
use crate::store::policy::StoredPolicy;

/// The paths an update may name.
pub const PATHS: &[&str] = &[
    "peak_weight",
    "min_days_between",
    "tier_fatigue",
    "follow_up",
    "follow_up.peak_end_at_most",
    "follow_up.end_at_most",
    "follow_up.nps_at_most",
    "baseline_window_days",
    "baseline_min_responses",
    "default_baseline",
    "alert_drop",
    "alert_min_responses",
];

pub fn policy_to_proto(stored: &StoredPolicy) -> pb::SurveyPolicy {
    let PolicyValues {
        peak_weight,
        min_days_between,
        tier_fatigue,
        peak_end_at_most,
        end_at_most,
        nps_at_most,
        baseline_window_days,
        baseline_min_responses,
        default_baseline,
        alert_drop,
        alert_min_responses,
    } = stored.policy.values();
    pb::SurveyPolicy {
        peak_weight: *peak_weight,
        min_days_between: *min_days_between,
        tier_fatigue: tier_fatigue
            .iter()
            .map(|(tier, days)| pb::TierFatigue {
                tier: tier.clone(),
                min_days_between: *days,
            })
            .collect(),
        follow_up: Some(pb::FollowUpThresholds {
            peak_end_at_most: *peak_end_at_most,
            end_at_most: *end_at_most,
            nps_at_most: *nps_at_most,
        }),
        baseline_window_days: *baseline_window_days,
        baseline_min_responses: u32::try_from(*baseline_min_responses).unwrap_or(u32::MAX),
        default_baseline: *default_baseline,
        alert_drop: *alert_drop,
        alert_min_responses: u32::try_from(*alert_min_responses).unwrap_or(u32::MAX),
        etag: stored.etag(),
        update_time: stored.update_time.map(timestamp),
        updated_by: stored.updated_by.clone().unwrap_or_default(),
    }
}

/// A checked update: the etag it was read under and the paths it replaces.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyUpdate {
    pub etag: String,
    policy: pb::SurveyPolicy,
    paths: Vec<String>,
}

/// The request, its mask checked: empty or unknown paths are refused as `update_mask`.
pub fn update_from_proto(req: &pb::UpdateSurveyPolicyRequest) -> Result<PolicyUpdate, Violation> {
    let pb::UpdateSurveyPolicyRequest {
        policy,
        update_mask,
        // The idempotency key: the handler reads it before anything is converted.
        request_id: _,
    } = req;
    let paths = update_mask.clone().map(|m| m.paths).unwrap_or_default();
    if paths.is_empty() {
        return Err(
            Invalid::new(format!("name the parts to change: {}", PATHS.join(", ")))
                .at("update_mask"),
        );
    }
    if let Some(unknown) = paths.iter().find(|p| !PATHS.contains(&p.as_str())) {
        return Err(Invalid::new(format!(
            "unknown path {unknown:?}: only {} change",
            PATHS.join(", ")
        ))
        .at("update_mask"));
    }
    let policy = policy.clone().unwrap_or_default();
    Ok(PolicyUpdate {
        etag: policy.etag.clone(),
        policy,
        paths,
    })
}

impl PolicyUpdate {
    /// `current` with the masked figures replaced by the request's.
    pub fn apply(&self, current: &PolicyValues) -> PolicyValues {
        let mut v = current.clone();
        let p = &self.policy;
        let thresholds = p.follow_up.unwrap_or_default();
        for path in &self.paths {
            match path.as_str() {
                "peak_weight" => v.peak_weight = p.peak_weight,
                "min_days_between" => v.min_days_between = p.min_days_between,
                "tier_fatigue" => {
                    v.tier_fatigue = p
                        .tier_fatigue
                        .iter()
                        .map(|t| (t.tier.clone(), t.min_days_between))
                        .collect::<BTreeMap<_, _>>();
                }
                "follow_up" => {
                    v.peak_end_at_most = thresholds.peak_end_at_most;
                    v.end_at_most = thresholds.end_at_most;
                    v.nps_at_most = thresholds.nps_at_most;
                }
                "follow_up.peak_end_at_most" => v.peak_end_at_most = thresholds.peak_end_at_most,
                "follow_up.end_at_most" => v.end_at_most = thresholds.end_at_most,
                "follow_up.nps_at_most" => v.nps_at_most = thresholds.nps_at_most,
                "baseline_window_days" => v.baseline_window_days = p.baseline_window_days,
                "baseline_min_responses" => {
                    v.baseline_min_responses = u64::from(p.baseline_min_responses);
                }
                "default_baseline" => v.default_baseline = p.default_baseline,
                "alert_drop" => v.alert_drop = p.alert_drop,
                "alert_min_responses" => {
                    v.alert_min_responses = u64::from(p.alert_min_responses);
                }
                // Refused by `update_from_proto`.
                _ => {}
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use prost_types::FieldMask;

    use super::*;

    fn request(paths: &[&str], policy: pb::SurveyPolicy) -> pb::UpdateSurveyPolicyRequest {
        pb::UpdateSurveyPolicyRequest {
            policy: Some(policy),
            update_mask: Some(FieldMask {
                paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            }),
            request_id: String::new(),
        }
    }

    #[test]
    fn only_the_masked_figures_change() {
        let given = pb::SurveyPolicy {
            peak_weight: 0.7,
            min_days_between: 3,
            follow_up: Some(pb::FollowUpThresholds {
                peak_end_at_most: 2.0,
                end_at_most: 1,
                nps_at_most: 4,
            }),
            etag: "\"v0\"".into(),
            ..Default::default()
        };
        let update =
            update_from_proto(&request(&["peak_weight", "follow_up.nps_at_most"], given)).unwrap();
        assert_eq!(update.etag, "\"v0\"");
        let v = update.apply(&PolicyValues::default());
        assert_eq!(v.peak_weight, 0.7);
        assert_eq!(v.nps_at_most, 4);
        assert_eq!(v.min_days_between, 14, "not in the mask");
        assert_eq!(v.end_at_most, 2, "not in the mask");
    }

    #[test]
    fn an_empty_or_unknown_mask_is_refused() {
        let refused = update_from_proto(&request(&[], pb::SurveyPolicy::default())).unwrap_err();
        assert_eq!(refused.field, "update_mask");
        let refused =
            update_from_proto(&request(&["etag"], pb::SurveyPolicy::default())).unwrap_err();
        assert_eq!(refused.field, "update_mask");
    }
}
