//! From layers to a checked value: the top level's names, serde's verdict and each section's
//! own checks, every refusal reported as one line naming the key a person would type.

use config::{Config, ConfigError};

use super::{SECTIONS, Sections, SettingsError, invalid};

pub(super) fn finish<S: Sections>(
    builder: config::ConfigBuilder<config::builder::DefaultState>,
) -> Result<S, SettingsError> {
    let config = builder.build().map_err(describe_config_error)?;
    refuse_unknown_sections(&config)?;
    let mut settings: S = config.try_deserialize().map_err(describe_config_error)?;
    settings.check()?;
    Ok(settings)
}

/// A binary reads only its own sections, so serde cannot refuse a misspelt one it skips.
fn refuse_unknown_sections(config: &Config) -> Result<(), SettingsError> {
    let table = config
        .clone()
        .try_deserialize::<std::collections::BTreeMap<String, config::Value>>()
        .map_err(describe_config_error)?;
    match table.keys().find(|name| !SECTIONS.contains(&name.as_str())) {
        Some(name) => Err(invalid(
            name.clone(),
            format!(
                "no such setting; expected one of `{}`",
                SECTIONS.join("`, `")
            ),
        )),
        None => Ok(()),
    }
}

/// One line naming the key, whatever the config crate or serde tripped over.
pub fn describe_config_error(err: ConfigError) -> SettingsError {
    match err {
        ConfigError::Type {
            key: Some(ref key), ..
        } => {
            let text = err.to_string();
            invalid(key.clone(), text)
        }
        // The config crate writes `clients[0]name`; the key a person types is `clients[0].name`.
        ConfigError::NotFound(key) => {
            invalid(key.replace("]", "].").replace("].[", "]["), "missing")
        }
        ConfigError::At { error, key, .. } => match *error {
            ConfigError::Message(text) => keyed_message(key.as_deref(), &text),
            other => SettingsError::Source(other.to_string()),
        },
        ConfigError::Message(text) => keyed_message(None, &text),
        other => SettingsError::Source(other.to_string()),
    }
}

/// A message from below `section` (None: the top level). An unknown key (a typo in a file or in
/// a `VIPCARE__…` variable) is refused like a bad value, under its full name.
fn keyed_message(section: Option<&str>, text: &str) -> SettingsError {
    let unknown = text
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'));
    match (unknown, section) {
        (Some((field, known)), _) => {
            let key = section.map_or_else(|| field.to_owned(), |s| format!("{s}.{field}"));
            let known = known.trim_start_matches([',', ' ']);
            invalid(key, format!("no such setting; {known}"))
        }
        (None, Some(section)) => invalid(section, text),
        (None, None) => SettingsError::Source(text.to_owned()),
    }
}
