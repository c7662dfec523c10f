//! The journey model: a scenario (an on-site visit, a call, a hall visit, an event) is an
//! ordered list of key moments, each in a stage, rated for importance, perhaps a peak, exactly
//! one the end; each moment has the attributes a customer rates it by (DOMAIN.md section 5).
//!
//! A [`Scenario`] is made only from a checked [`ScenarioDraft`], so the rules every score and
//! report leans on hold for any scenario in hand: one end moment, last and in stage END,
//! stages in order, unique codes.

use vipcare_domain::{Invalid, Violation};

use super::codes::Stage;
use super::text;

/// Most moments a scenario may have: the study's largest has 10.
pub const MAX_MOMENTS: usize = 50;
/// Most attributes a moment may be rated by: a survey page, not a questionnaire.
pub const MAX_ATTRIBUTES: usize = 12;

/// One thing the customer rates a moment by, e.g. 在适当的时间预约.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub code: String,
    pub name: String,
}

/// A key moment of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub code: String,
    pub name: String,
    pub stage: Stage,
    /// How much customers care about it, 1.0 to 5.0 with at most 2 decimals.
    pub importance: f64,
    /// One of the moments the experience is remembered by (a peak, good or bad).
    pub peak: bool,
    /// The moment that ends the experience: exactly one per scenario, the last.
    pub end: bool,
    pub attributes: Vec<Attribute>,
}

/// A checked scenario without its version: the store numbers the versions it publishes.
///
/// The moments' order is the order of the list, so no two moments can share a place: there
/// is no separate position to keep unique.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDraft {
    code: String,
    name: String,
    moments: Vec<Moment>,
}

/// A published scenario: a checked draft and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    code: String,
    name: String,
    version: u32,
    moments: Vec<Moment>,
}

impl ScenarioDraft {
    /// Checks the whole scenario and names every refused field at once (`code`,
    /// `moments[3].importance`, `moments[2].attributes[1].code`, ...).
    pub fn new(
        code: &str,
        name: &str,
        moments: Vec<Moment>,
    ) -> Result<ScenarioDraft, Vec<Violation>> {
        let mut found = Vec::new();
        let mut refuse = |result: Result<String, Invalid>, field: &str| {
            result.map_err(|e| found.push(e.at(field))).ok()
        };
        let code = refuse(text::code(code), "code");
        let name = refuse(text::name(name), "name");
        if moments.is_empty() || moments.len() > MAX_MOMENTS {
            let reason = format!("give 1 to {MAX_MOMENTS} moments");
            found.push(Invalid::new(reason).at("moments"));
        }
        for (i, moment) in moments.iter().enumerate() {
            let at = format!("moments[{i}]");
            check_moment(moment, &mut found, &at);
            if let Some(j) = moments[..i].iter().position(|m| m.code == moment.code) {
                let reason = format!("duplicates moments[{j}].code");
                found.push(Invalid::new(reason).at(format!("{at}.code")));
            }
            if let Some(before) = moments[..i].iter().map(|m| m.stage).max()
                && moment.stage < before
            {
                let reason = format!(
                    "{} must not come after {}",
                    moment.stage.code(),
                    before.code()
                );
                found.push(Invalid::new(reason).at(format!("{at}.stage")));
            }
        }
        check_end(&moments, &mut found);
        match (code, name) {
            (Some(code), Some(name)) if found.is_empty() => Ok(ScenarioDraft {
                code,
                name,
                moments,
            }),
            _ => Err(found),
        }
    }

    /// The scenario as published under `version` (1 for the first).
    pub fn publish(self, version: u32) -> Scenario {
        let ScenarioDraft {
            code,
            name,
            moments,
        } = self;
        Scenario {
            code,
            name,
            version,
            moments,
        }
    }
}

fn check_moment(moment: &Moment, found: &mut Vec<Violation>, at: &str) {
    if let Err(e) = text::code(&moment.code) {
        found.push(e.at(format!("{at}.code")));
    }
    if let Err(e) = text::name(&moment.name) {
        found.push(e.at(format!("{at}.name")));
    }
    if let Err(e) = importance(moment.importance) {
        found.push(e.at(format!("{at}.importance")));
    }
    if moment.attributes.len() > MAX_ATTRIBUTES {
        let reason = format!("must be at most {MAX_ATTRIBUTES}");
        found.push(Invalid::new(reason).at(format!("{at}.attributes")));
    }
    for (k, attribute) in moment.attributes.iter().enumerate() {
        let at = format!("{at}.attributes[{k}]");
        if let Err(e) = text::code(&attribute.code) {
            found.push(e.at(format!("{at}.code")));
        }
        if let Err(e) = text::name(&attribute.name) {
            found.push(e.at(format!("{at}.name")));
        }
        if let Some(j) = moment.attributes[..k]
            .iter()
            .position(|a| a.code == attribute.code)
        {
            let reason = format!("duplicates attributes[{j}].code");
            found.push(Invalid::new(reason).at(format!("{at}.code")));
        }
    }
}

/// Exactly one end moment, the last, in stage END: the peak-end score reads it as the end.
fn check_end(moments: &[Moment], found: &mut Vec<Violation>) {
    let ends: Vec<usize> = (0..moments.len()).filter(|&i| moments[i].end).collect();
    if ends.len() != 1 && !moments.is_empty() {
        let reason = format!("must have exactly one end moment, found {}", ends.len());
        found.push(Invalid::new(reason).at("moments"));
    }
    for &i in &ends {
        if i + 1 != moments.len() {
            found.push(
                Invalid::new("the end moment must be the last").at(format!("moments[{i}].end")),
            );
        }
        if moments[i].stage != Stage::End {
            let reason = "the end moment must be in stage END";
            found.push(Invalid::new(reason).at(format!("moments[{i}].stage")));
        }
    }
}

/// 1.0 to 5.0 with at most 2 decimals, as the study's importance ratings are given.
fn importance(value: f64) -> Result<f64, Invalid> {
    let in_range = (1.0..=5.0).contains(&value);
    let hundredths = value * 100.0;
    if !in_range || (hundredths - hundredths.round()).abs() > 1e-6 {
        return Err(Invalid::new("must be 1.0 to 5.0 with at most 2 decimals"));
    }
    Ok(value)
}

impl Scenario {
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    /// The moments in the order the customer lives them.
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    pub fn moment(&self, code: &str) -> Option<&Moment> {
        self.moments.iter().find(|m| m.code == code)
    }

    /// Where the moment comes in the journey (0 first), `None` for a code not of this scenario.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.moments.iter().position(|m| m.code == code)
    }

    /// The end moment: the last one, by construction.
    pub fn end_moment(&self) -> &Moment {
        self.moments
            .last()
            .expect("a checked scenario has at least one moment")
    }

    /// The mean importance of its moments: the line above which a moment counts as important.
    pub fn mean_importance(&self) -> f64 {
        let sum: f64 = self.moments.iter().map(|m| m.importance).sum();
        sum / self.moments.len() as f64
    }

    /// Importance strictly above the scenario's mean (the study's rule).
    pub fn is_important(&self, moment: &Moment) -> bool {
        moment.importance > self.mean_importance()
    }
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
