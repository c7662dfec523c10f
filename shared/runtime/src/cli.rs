//! The command line every single-service binary shares, and how it reports a failure.

use std::path::PathBuf;
use std::process::ExitCode;

/// A vipcare service. Settings: built-in defaults, then the file, then VIPCARE__SECTION__KEY.
#[derive(Debug, clap::Parser)]
#[command(version)]
pub struct ServiceArgs {
    /// Settings file (TOML); VIPCARE_CONFIG names one too. VIPCARE__SECTION__KEY overrides.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// One readable line naming the binary, then a failing exit.
pub fn fail(binary: &str, err: &dyn std::fmt::Display) -> ExitCode {
    tracing::error!(%err, "{binary} stopped");
    eprintln!("{binary}: {err}");
    ExitCode::FAILURE
}
