//! A customer's answers to a survey: a score of 1-5 for each moment they rate (not all need
//! be), perhaps scores of the moments' attributes, perhaps a 0-10 likelihood to recommend
//! (NPS), perhaps a comment.
//!
//! A checked [`Response`] keeps, with each rated moment, what its score is computed from (the
//! moment's name, importance and place in the scenario version answered), so publishing a new
//! version of the scenario never changes the score of an old response.

use vipcare_domain::{Invalid, Violation};

use super::scenario::Scenario;
use super::text;

/// A moment as rated in one response.
#[derive(Debug, Clone, PartialEq)]
pub struct RatedMoment {
    pub code: String,
    pub name: String,
    /// Its place in the journey, 0 first.
    pub position: usize,
    pub importance: f64,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: u8,
}

/// One attribute of a rated moment, rated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeScore {
    pub moment: String,
    pub attribute: String,
    pub score: u8,
}

/// A checked response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    scenario_code: String,
    scenario_version: u32,
    end_moment: String,
    rated: Vec<RatedMoment>,
    attributes: Vec<AttributeScore>,
    nps: Option<u8>,
    comment: String,
}

impl Response {
    /// Checks the answers against `scenario` and names every refused one at once
    /// (`moment_scores[2].score`, `attribute_scores[0].attribute_code`, `nps`, `comment`).
    /// `moment_scores` are (moment code, score); `attribute_scores` are (moment code, attribute
    /// code, score), each of a moment rated in `moment_scores`.
    pub fn new(
        scenario: &Scenario,
        moment_scores: &[(String, i32)],
        attribute_scores: &[(String, String, i32)],
        nps: Option<i32>,
        comment: &str,
    ) -> Result<Response, Vec<Violation>> {
        let mut found = Vec::new();
        if moment_scores.is_empty() {
            found.push(Invalid::new("rate at least one moment").at("moment_scores"));
        }
        let mut rated = Vec::with_capacity(moment_scores.len());
        for (i, (code, score)) in moment_scores.iter().enumerate() {
            let at = format!("moment_scores[{i}]");
            let moment = scenario.position(code).map(|p| (p, &scenario.moments()[p]));
            let score = score_1_to_5(*score).map_err(|e| found.push(e.at(format!("{at}.score"))));
            let field = format!("{at}.moment_code");
            if let Some(j) = moment_scores[..i].iter().position(|(c, _)| c == code) {
                found.push(Invalid::new(format!("duplicates moment_scores[{j}]")).at(field));
                continue;
            }
            let Some((position, moment)) = moment else {
                found.push(unknown_moment(code, scenario).at(field));
                continue;
            };
            if let Ok(score) = score {
                rated.push(RatedMoment {
                    code: moment.code.clone(),
                    name: moment.name.clone(),
                    position,
                    importance: moment.importance,
                    score,
                });
            }
        }
        let attributes = check_attributes(scenario, moment_scores, attribute_scores, &mut found);
        let nps = nps
            .map(|n| u8::try_from(n).ok().filter(|n| *n <= 10))
            .map(|n| n.ok_or_else(|| found.push(Invalid::new("must be 0 to 10").at("nps"))));
        let comment = text::comment(comment).map_err(|e| found.push(e.at("comment")));
        if !found.is_empty() {
            return Err(found);
        }
        // Journey order, so "the earlier moment" is the earlier in the list.
        rated.sort_by_key(|m| m.position);
        Ok(Response {
            scenario_code: scenario.code().to_owned(),
            scenario_version: scenario.version(),
            end_moment: scenario.end_moment().code.clone(),
            rated,
            attributes,
            nps: nps.and_then(Result::ok),
            comment: comment.unwrap_or_default(),
        })
    }

    pub fn scenario_code(&self) -> &str {
        &self.scenario_code
    }

    pub fn scenario_version(&self) -> u32 {
        self.scenario_version
    }

    /// The code of the scenario's end moment, rated or not.
    pub fn end_moment(&self) -> &str {
        &self.end_moment
    }

    /// The rated moments, in journey order.
    pub fn rated(&self) -> &[RatedMoment] {
        &self.rated
    }

    pub fn rated_moment(&self, code: &str) -> Option<&RatedMoment> {
        self.rated.iter().find(|m| m.code == code)
    }

    pub fn attribute_scores(&self) -> &[AttributeScore] {
        &self.attributes
    }

    /// 0-10, `None` when not answered.
    pub fn nps(&self) -> Option<u8> {
        self.nps
    }

    pub fn comment(&self) -> &str {
        &self.comment
    }
}

fn check_attributes(
    scenario: &Scenario,
    moment_scores: &[(String, i32)],
    attribute_scores: &[(String, String, i32)],
    found: &mut Vec<Violation>,
) -> Vec<AttributeScore> {
    let mut checked = Vec::with_capacity(attribute_scores.len());
    for (i, (moment_code, attribute_code, score)) in attribute_scores.iter().enumerate() {
        let at = format!("attribute_scores[{i}]");
        let score = score_1_to_5(*score).map_err(|e| found.push(e.at(format!("{at}.score"))));
        let Some(moment) = scenario.moment(moment_code) else {
            found.push(unknown_moment(moment_code, scenario).at(format!("{at}.moment_code")));
            continue;
        };
        if !moment_scores.iter().any(|(c, _)| c == moment_code) {
            let reason = format!("moment {moment_code} is not rated in moment_scores");
            found.push(Invalid::new(reason).at(format!("{at}.moment_code")));
            continue;
        }
        let field = format!("{at}.attribute_code");
        if !moment.attributes.iter().any(|a| &a.code == attribute_code) {
            let reason = format!("moment {moment_code} has no attribute {attribute_code}");
            found.push(Invalid::new(reason).at(field));
            continue;
        }
        let same = |(m, a, _): &(String, String, i32)| m == moment_code && a == attribute_code;
        if let Some(j) = attribute_scores[..i].iter().position(same) {
            found.push(Invalid::new(format!("duplicates attribute_scores[{j}]")).at(field));
            continue;
        }
        if let Ok(score) = score {
            checked.push(AttributeScore {
                moment: moment_code.clone(),
                attribute: attribute_code.clone(),
                score,
            });
        }
    }
    checked
}

fn score_1_to_5(score: i32) -> Result<u8, Invalid> {
    u8::try_from(score)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| Invalid::new("must be 1 to 5"))
}

fn unknown_moment(code: &str, scenario: &Scenario) -> Invalid {
    Invalid::new(format!("no moment {code} in scenario {}", scenario.code()))
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
