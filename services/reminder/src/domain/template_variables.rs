//! The values a reminder fills its template's placeholders with, apart from the template itself
//! because they come from the request, not from the stored text: bounded in count and length
//! so one request cannot make a giant text, and with no placeholder of their own.

use std::collections::BTreeMap;

use vipcare_domain::{Invalid, Violation, bounded_text};

use super::{MAX_NAME_CHARS, TemplateText, is_name};

/// Most variables one reminder may carry.
pub const MAX_VARIABLES: usize = 32;
/// Longest variable value, in characters.
pub const MAX_VALUE_CHARS: usize = 500;

/// The values of a reminder's placeholders, bounded so one request cannot make a giant text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables(BTreeMap<String, String>);

impl Variables {
    /// Every refused entry: too many is `variables`, a bad name `variables` (it cannot be a
    /// path), a bad value `variables.NAME`.
    pub fn new(values: BTreeMap<String, String>) -> Result<Variables, Vec<Violation>> {
        let mut found = Vec::new();
        if values.len() > MAX_VARIABLES {
            found.push(
                Invalid::new(format!(
                    "at most {MAX_VARIABLES} variables, got {}",
                    values.len()
                ))
                .at("variables"),
            );
        }
        for (name, value) in &values {
            if !is_name(name) {
                let shown: String = name.chars().take(32).collect();
                found.push(
                    Invalid::new(format!(
                        "{shown:?} is not a variable name: 1-{MAX_NAME_CHARS} of A-Z, 0-9 and _, \
                         starting with a letter"
                    ))
                    .at("variables"),
                );
            } else if let Err(e) = variable_value(value) {
                found.push(e.at(format!("variables.{name}")));
            }
        }
        if found.is_empty() {
            Ok(Variables(values))
        } else {
            Err(found)
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }
}

/// A value is shown as it is: bounded, on one line, and with no placeholder of its own that
/// the customer would read unfilled.
fn variable_value(value: &str) -> Result<(), Invalid> {
    bounded_text(value, MAX_VALUE_CHARS)?;
    let placeholder = TemplateText::parse(value)
        .ok()
        .and_then(|t| t.placeholders().first().map(|n| (*n).to_owned()));
    match placeholder {
        Some(name) => Err(Invalid::new(format!(
            "must not contain a placeholder ({name}): it would reach the customer unfilled"
        ))),
        None => Ok(()),
    }
}
