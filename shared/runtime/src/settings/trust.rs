//! `[internal]`: the secret every call between services is signed with. It comes only from the
//! environment (`VIPCARE__INTERNAL__SECRET`) or a file of its own (`internal.secret_file`, e.g. a
//! mounted Kubernetes Secret), never from the settings file, which is checked into repositories.

use std::path::{Path, PathBuf};

use config::{Config, File, FileFormat};
use serde::Deserialize;

use super::{SettingsError, invalid};
use crate::internal::{InternalCredential, InternalSecret};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalSettings {
    /// Unset: the single-service binaries refuse to start; `vipcare up` makes a random one.
    #[serde(default, deserialize_with = "secret_or_none")]
    pub secret: Option<InternalSecret>,
    /// A file holding the secret, read at start.
    #[serde(default, deserialize_with = "path_or_none")]
    pub secret_file: Option<PathBuf>,
}

fn secret_or_none<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<InternalSecret>, D::Error> {
    let text = Option::<String>::deserialize(d)?.unwrap_or_default();
    if text.trim().is_empty() {
        return Ok(None);
    }
    InternalSecret::new(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn path_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    let text = Option::<String>::deserialize(d)?.unwrap_or_default();
    Ok((!text.trim().is_empty()).then(|| PathBuf::from(text.trim())))
}

impl InternalSettings {
    /// The credential services sign and check internal calls with; an error naming
    /// `internal.secret` when none is set.
    pub fn credential(&self) -> Result<InternalCredential, SettingsError> {
        match &self.secret {
            Some(secret) => Ok(InternalCredential::new(secret)),
            None => Err(invalid(
                "internal.secret",
                "not set: services answer only calls signed with it; set \
                 VIPCARE__INTERNAL__SECRET or internal.secret_file (`vipcare up` makes its own)",
            )),
        }
    }

    /// Reads `secret_file` into `secret` (once: the file is forgotten when read, so checking
    /// again, as the suite does after adjusting settings, is harmless).
    pub fn check(&mut self) -> Result<(), SettingsError> {
        let Some(path) = self.secret_file.take() else {
            return Ok(());
        };
        if self.secret.is_some() {
            return Err(invalid(
                "internal.secret_file",
                "internal.secret is set too; set one of them",
            ));
        }
        let shown = path.display();
        let text = std::fs::read_to_string(&path).map_err(|err| {
            invalid(
                "internal.secret_file",
                format!("cannot read {shown}: {err}"),
            )
        })?;
        let secret = InternalSecret::new(&text).map_err(|reason| {
            invalid(
                "internal.secret_file",
                format!("{shown}: the secret {reason}"),
            )
        })?;
        self.secret = Some(secret);
        Ok(())
    }
}

/// Refuses a settings file that holds the secret itself.
pub(super) fn refuse_secret_in_file(path: &Path) -> Result<(), SettingsError> {
    let file = Config::builder()
        .add_source(File::from(path).format(FileFormat::Toml))
        .build();
    // A file that does not parse is reported by the full load, with its layers.
    if let Ok(file) = file
        && file
            .get_string("internal.secret")
            .is_ok_and(|secret| !secret.trim().is_empty())
    {
        return Err(invalid(
            "internal.secret",
            format!(
                "found in {}: a secret is read only from VIPCARE__INTERNAL__SECRET or \
                 internal.secret_file, never from the settings file",
                path.display()
            ),
        ));
    }
    Ok(())
}
