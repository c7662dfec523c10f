//! Touchpoint rules: a stored rule to the contract, and an update (the rule message, its mask
//! and etag) to the domain's `RuleChange`. Only the fields the mask names are read; the others
//! may hold anything, as the contract's field-mask semantics say.

use prost_types::FieldMask;
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::reminder::v1 as pb;

use super::{
    channel_from_proto, channel_to_proto, duration_from_proto, duration_to_proto, required,
    required_list, timestamp, touchpoint_from_proto, touchpoint_to_proto,
};
use crate::domain::{Priority, RuleChange, RuleField, Touchpoint, TouchpointRule};
use crate::store::rules::StoredRule;

pub fn rule_to_proto(stored: &StoredRule) -> pb::TouchpointRule {
    let etag = stored.etag();
    let StoredRule {
        rule,
        version: _,
        update_time,
        updated_by,
    } = stored;
    let TouchpointRule {
        touchpoint,
        priority,
        urgent,
        mandatory,
        mergeable,
        supersedes,
        default_deadline,
        default_channels,
    } = rule;
    pb::TouchpointRule {
        touchpoint: touchpoint_to_proto(*touchpoint) as i32,
        priority: i32::from(priority.get()),
        urgent: *urgent,
        mandatory: *mandatory,
        mergeable: *mergeable,
        supersedes: *supersedes,
        default_deadline: Some(duration_to_proto(*default_deadline)),
        default_channels: default_channels
            .iter()
            .map(|c| channel_to_proto(*c) as i32)
            .collect(),
        etag,
        update_time: update_time.map(timestamp),
        updated_by: updated_by.clone(),
    }
}

/// What an UpdateTouchpointRule asks: which rule, over which etag, changing what. Every
/// refused field is named, relative to the request (`rule.priority`, `update_mask`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleUpdate {
    pub touchpoint: Touchpoint,
    pub etag: String,
    pub change: RuleChange,
}

pub fn rule_change_from_proto(
    rule: Option<pb::TouchpointRule>,
    mask: Option<FieldMask>,
) -> Result<RuleUpdate, Vec<Violation>> {
    let Some(rule) = rule else {
        return Err(vec![Invalid::new("required").at("rule")]);
    };
    let pb::TouchpointRule {
        touchpoint,
        priority,
        urgent,
        mandatory,
        mergeable,
        supersedes,
        default_deadline,
        default_channels,
        etag,
        // Output only: the server sets them.
        update_time: _,
        updated_by: _,
    } = rule;
    let mut found = Vec::new();
    let touchpoint = required(touchpoint_from_proto(touchpoint))
        .map_err(|e| found.push(e.at("rule.touchpoint")))
        .ok();
    if etag.is_empty() {
        found.push(Invalid::new("required: the etag of the rule read").at("rule.etag"));
    }
    let paths = mask.map(|m| m.paths).unwrap_or_default();
    if paths.is_empty() {
        found.push(Invalid::new("must name at least one field to change").at("update_mask"));
    }
    let mut change = RuleChange::default();
    for path in &paths {
        let field = format!("rule.{path}");
        let mut refuse = |e: Invalid| found.push(e.at(field.clone()));
        match RuleField::from_code(path) {
            Some(RuleField::Priority) => match Priority::new(priority) {
                Ok(p) => change.priority = Some(p),
                Err(e) => refuse(e),
            },
            Some(RuleField::Urgent) => change.urgent = Some(urgent),
            Some(RuleField::Mandatory) => change.mandatory = Some(mandatory),
            Some(RuleField::Mergeable) => change.mergeable = Some(mergeable),
            Some(RuleField::Supersedes) => change.supersedes = Some(supersedes),
            Some(RuleField::DefaultDeadline) => {
                match default_deadline
                    .as_ref()
                    .ok_or_else(|| Invalid::new("required when named in update_mask"))
                    .and_then(duration_from_proto)
                {
                    Ok(d) => change.default_deadline = Some(d),
                    Err(e) => refuse(e),
                }
            }
            Some(RuleField::DefaultChannels) => {
                match required_list(&default_channels, channel_from_proto) {
                    Ok(c) => change.default_channels = Some(c),
                    Err(e) => refuse(e),
                }
            }
            None => found.push(
                Invalid::new(format!(
                    "{path:?} is not a field of a rule that can be changed"
                ))
                .at("update_mask"),
            ),
        }
    }
    match touchpoint {
        Some(touchpoint) if found.is_empty() => Ok(RuleUpdate {
            touchpoint,
            etag,
            change,
        }),
        _ => Err(found),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::domain::{ContactChannel, default_rule};

    fn stored() -> StoredRule {
        StoredRule {
            rule: default_rule(Touchpoint::DataUsageAlert),
            version: 3,
            update_time: None,
            updated_by: String::new(),
        }
    }

    fn mask(paths: &[&str]) -> Option<FieldMask> {
        Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        })
    }

    fn fields(result: Result<RuleUpdate, Vec<Violation>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn only_the_masked_fields_change() {
        let mut message = rule_to_proto(&stored());
        assert_eq!(message.etag, "\"v3\"");
        message.priority = 7;
        message.urgent = true;
        message.default_channels = vec![channel_to_proto(ContactChannel::AppPush) as i32];
        let update =
            rule_change_from_proto(Some(message), mask(&["priority", "default_channels"])).unwrap();
        assert_eq!(update.touchpoint, Touchpoint::DataUsageAlert);
        assert_eq!(update.etag, "\"v3\"");
        assert_eq!(update.change.priority, Priority::new(7).ok());
        assert_eq!(update.change.urgent, None);
        assert_eq!(
            update.change.default_channels,
            Some(vec![ContactChannel::AppPush])
        );
    }

    #[test]
    fn the_stored_rule_reads_back_whole() {
        let message = rule_to_proto(&stored());
        let all = [
            "priority",
            "urgent",
            "mandatory",
            "mergeable",
            "supersedes",
            "default_deadline",
            "default_channels",
        ];
        let update = rule_change_from_proto(Some(message), mask(&all)).unwrap();
        let rule = stored().rule.apply(update.change).unwrap();
        assert_eq!(rule, stored().rule);
        assert_eq!(rule.default_deadline, TimeDelta::hours(6));
    }

    #[test]
    fn refusals_name_the_request_fields() {
        let mut message = rule_to_proto(&stored());
        message.priority = 0;
        message.default_deadline = None;
        assert_eq!(
            fields(rule_change_from_proto(
                Some(message.clone()),
                mask(&["priority", "default_deadline", "colour"])
            )),
            ["rule.priority", "rule.default_deadline", "update_mask"]
        );
        assert_eq!(
            fields(rule_change_from_proto(Some(message.clone()), mask(&[]))),
            ["update_mask"]
        );
        message.etag.clear();
        message.touchpoint = 0;
        assert_eq!(
            fields(rule_change_from_proto(Some(message), mask(&["urgent"]))),
            ["rule.touchpoint", "rule.etag"]
        );
        assert_eq!(fields(rule_change_from_proto(None, None)), ["rule"]);
    }
}
