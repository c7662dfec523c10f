//! Scenarios: UpsertScenario's `scenario` to a checked [`ScenarioDraft`] (its `version`,
//! `mean_importance` and `update_time` ignored, as the contract says), and a published
//! [`Scenario`] back, with the mean importance its reports draw the grid's line at.
//!
//! The domain names a scenario's, a moment's and an attribute's code `code`; the contract
//! `scenario_code`, `moment_code` and `attribute_code`. Its violations are renamed to the
//! contract's paths under `scenario.`, so a caller reads `scenario.moments[3].moment_code`.

use chrono::{DateTime, Utc};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::survey::v1 as pb;

use super::codes::{code, required, stage_from_proto};
use super::timestamp;
use crate::domain::{Attribute, Moment, Scenario, ScenarioDraft, Stage};

/// A checked UpsertScenario request.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioUpsert {
    pub draft: ScenarioDraft,
    /// The version being replaced; `None` creates the scenario.
    pub expected_version: Option<u32>,
}

/// The request, every refused field named.
pub fn upsert_from_proto(
    req: &pb::UpsertScenarioRequest,
) -> Result<ScenarioUpsert, Vec<Violation>> {
    let pb::UpsertScenarioRequest {
        scenario,
        expected_version,
        // The idempotency key: the handler reads it before anything is converted.
        request_id: _,
    } = req;
    let Some(scenario) = scenario else {
        return Err(vec![Invalid::new("required").at("scenario")]);
    };
    let draft = draft_from_proto(scenario)?;
    Ok(ScenarioUpsert {
        draft,
        expected_version: (*expected_version != 0).then_some(*expected_version),
    })
}

/// A scenario as given, checked whole; violations are named under `scenario.`.
pub fn draft_from_proto(scenario: &pb::Scenario) -> Result<ScenarioDraft, Vec<Violation>> {
    let pb::Scenario {
        scenario_code,
        name,
        version: _,
        moments,
        mean_importance: _,
        update_time: _,
    } = scenario;
    let mut refused = Vec::new();
    let mut previous_stage = Stage::Contact;
    let moments: Vec<Moment> = moments
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let moment = moment_from_proto(m, previous_stage, i, &mut refused);
            previous_stage = moment.stage;
            moment
        })
        .collect();
    match ScenarioDraft::new(scenario_code, name, moments) {
        Ok(draft) if refused.is_empty() => Ok(draft),
        Ok(_) => Err(refused),
        Err(found) => {
            // A refused stage was stood in for; what the domain says of it again is dropped.
            for v in found {
                let v = Violation {
                    field: format!("scenario.{}", contract_path(&v.field)),
                    reason: v.reason,
                };
                if !refused.iter().any(|r: &Violation| r.field == v.field) {
                    refused.push(v);
                }
            }
            Err(refused)
        }
    }
}

/// A moment as given. A refused stage is reported and stood in for by the one before it, which
/// breaks no ordering rule, so the rest of the scenario is still checked.
fn moment_from_proto(
    m: &pb::Moment,
    before: Stage,
    i: usize,
    refused: &mut Vec<Violation>,
) -> Moment {
    let pb::Moment {
        moment_code,
        name,
        stage,
        importance,
        peak,
        end,
        attributes,
    } = m;
    let at = format!("scenario.moments[{i}].stage");
    let stage = required(stage_from_proto(*stage), &at)
        .map_err(|v| refused.push(v))
        .unwrap_or(before);
    Moment {
        code: moment_code.clone(),
        name: name.clone(),
        stage,
        importance: *importance,
        peak: *peak,
        end: *end,
        attributes: attributes
            .iter()
            .map(
                |pb::Attribute {
                     attribute_code,
                     name,
                 }| Attribute {
                    code: attribute_code.clone(),
                    name: name.clone(),
                },
            )
            .collect(),
    }
}

/// A domain path (`moments[2].attributes[0].code`) as the contract spells it
/// (`moments[2].attributes[0].attribute_code`).
fn contract_path(field: &str) -> String {
    if field == "code" {
        return "scenario_code".to_owned();
    }
    match field.strip_suffix(".code") {
        Some(owner) if owner.ends_with(']') && owner.contains(".attributes[") => {
            format!("{owner}.attribute_code")
        }
        Some(owner) => format!("{owner}.moment_code"),
        None => field.to_owned(),
    }
}

/// A published scenario, last changed at `update_time`.
pub fn scenario_to_proto(scenario: &Scenario, update_time: DateTime<Utc>) -> pb::Scenario {
    pb::Scenario {
        scenario_code: scenario.code().to_owned(),
        name: scenario.name().to_owned(),
        version: scenario.version(),
        moments: scenario.moments().iter().map(moment_to_proto).collect(),
        mean_importance: scenario.mean_importance(),
        update_time: Some(timestamp(update_time)),
    }
}

fn moment_to_proto(m: &Moment) -> pb::Moment {
    let Moment {
        code: moment_code,
        name,
        stage,
        importance,
        peak,
        end,
        attributes,
    } = m;
    pb::Moment {
        moment_code: moment_code.clone(),
        name: name.clone(),
        stage: code::<pb::Stage>(*stage),
        importance: *importance,
        peak: *peak,
        end: *end,
        attributes: attributes
            .iter()
            .map(
                |Attribute {
                     code: attribute_code,
                     name,
                 }| pb::Attribute {
                    attribute_code: attribute_code.clone(),
                    name: name.clone(),
                },
            )
            .collect(),
    }
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
