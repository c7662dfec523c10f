//! Layered settings: built-in defaults, then a TOML file, then `VIPCARE__SECTION__KEY`
//! environment variables. Invalid settings are refused at start with one line naming the key.
//!
//! One settings file serves every binary. Each section is defined by the crate it configures
//! (`[database]` by vipcare-storage, `[cache]` by vipcare-cache, `[gateway]` by the gateway,
//! `[server]`, `[telemetry]`, `[services]` and `[internal]` here); each binary reads the sections
//! it needs into a [`Sections`] type of its own with the generic loader below. A section refuses
//! keys it does not know; the top level refuses names outside [`SECTIONS`], so a typo is refused
//! by every binary, not only by the one the misspelt section is for.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::de::DeserializeOwned;

mod load;
mod sections;
mod trust;

pub use load::describe_config_error;
pub use sections::{PeerSettings, ServerSettings, TelemetrySettings, check_listen};
pub use trust::InternalSettings;

/// Built-in defaults of the sections this crate defines.
pub const DEFAULTS: &str = include_str!("defaults.toml");

/// Every top-level name of the settings file: the suite's sections, whoever defines them.
/// A binary that does not read a section still refuses a name that is none of these.
pub const SECTIONS: &[&str] = &[
    "data_dir",
    "database",
    "cache",
    "telemetry",
    "server",
    "profile",
    "tiering",
    "reminder",
    "complaint",
    "survey",
    "gateway",
    "services",
    "internal",
];

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid setting {key}: {reason}")]
    Invalid { key: String, reason: String },
    #[error("cannot read settings: {0}")]
    Source(String),
}

/// A refused setting: its full key (`database.url`) and why.
pub fn invalid(key: impl Into<String>, reason: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

/// Sections report a refused value the way domains do: the path of the field and why.
impl From<vipcare_domain::Violation> for SettingsError {
    fn from(violation: vipcare_domain::Violation) -> Self {
        invalid(violation.field, violation.reason)
    }
}

/// The sections one binary (or test) reads, deserialized from the layers and then checked.
pub trait Sections: DeserializeOwned {
    /// Built-in defaults (TOML texts) of the sections read, layered below file and environment:
    /// each section's defining crate exports its own.
    const DEFAULTS: &'static [&'static str];

    /// Checks what serde cannot (addresses, URLs, bounds) and reads what other files hold
    /// (`internal.secret_file`), naming the key of anything refused.
    fn check(&mut self) -> Result<(), SettingsError>;
}

/// Defaults, then `file` (or the file named by `VIPCARE_CONFIG`), then environment variables.
pub fn load<S: Sections>(file: Option<&Path>) -> Result<S, SettingsError> {
    let env_file = std::env::var_os("VIPCARE_CONFIG").map(PathBuf::from);
    let file = file.map(Path::to_path_buf).or(env_file);
    let mut builder = defaults::<S>();
    if let Some(path) = file {
        if !path.exists() {
            return Err(SettingsError::Source(format!(
                "config file {} does not exist",
                path.display()
            )));
        }
        trust::refuse_secret_in_file(&path)?;
        builder = builder.add_source(File::from(path).format(FileFormat::Toml));
    }
    let env = Environment::with_prefix("VIPCARE")
        .prefix_separator("__")
        .separator("__")
        .try_parsing(true);
    load::finish(builder.add_source(env))
}

/// Defaults, then `toml`. Environment variables are not read: tests and the suite use this.
pub fn from_toml<S: Sections>(toml: &str) -> Result<S, SettingsError> {
    from_toml_layers(&[toml])
}

/// Defaults, then each TOML text in turn (later ones win). Environment variables are not read.
pub fn from_toml_layers<S: Sections>(layers: &[&str]) -> Result<S, SettingsError> {
    let builder = layers.iter().fold(defaults::<S>(), |builder, layer| {
        builder.add_source(File::from_str(layer, FileFormat::Toml))
    });
    load::finish(builder)
}

fn defaults<S: Sections>() -> config::ConfigBuilder<config::builder::DefaultState> {
    S::DEFAULTS.iter().fold(Config::builder(), |builder, text| {
        builder.add_source(File::from_str(text, FileFormat::Toml))
    })
}

/// `""` and unset alike mean "not configured" (an empty `VIPCARE__DATABASE__URL=` included).
pub fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    let value = Option::<String>::deserialize(d)?;
    Ok(value.filter(|s| !s.trim().is_empty()))
}

#[cfg(test)]
mod tests;
