//! The command line every single-service binary shares, and how it reports a failure.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::settings::{InternalSettings, Sections, SettingsError, TelemetrySettings};
use crate::{metrics, telemetry};

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

/// One line naming the key, then exit code 2: the operator must fix the settings (as `vipcare up`).
fn refuse(binary: &str, err: &SettingsError) -> ExitCode {
    eprintln!("{binary}: {err}");
    ExitCode::from(2)
}

/// The settings a single-service binary runs on: its own sections, with the two every binary
/// needs before it serves.
pub trait ServiceSettings: Sections {
    fn telemetry(&self) -> &TelemetrySettings;
    fn internal(&self) -> &InternalSettings;
}

/// The whole life of a single-service binary: arguments, settings, telemetry, then `serve` until
/// it returns. Any failure is one line on stderr and a failing exit code. A binary running one
/// service needs `internal.secret`: unlike `vipcare up` it cannot make one its peers would know.
pub async fn service_main<S, F, Fut, E>(binary: &str, serve: F) -> ExitCode
where
    S: ServiceSettings,
    F: FnOnce(S) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let args = ServiceArgs::parse();
    let settings = match crate::settings::load::<S>(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => return refuse(binary, &err),
    };
    if let Err(err) = settings.internal().credential() {
        return refuse(binary, &err);
    }
    let _telemetry = telemetry::init(settings.telemetry(), binary);
    let _metrics = metrics::init(settings.telemetry(), binary);
    if let Err(err) = metrics::serve(settings.telemetry()).await {
        return fail(binary, &format!("telemetry.metrics_listen: {err}"));
    }
    match serve(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(binary, &err),
    }
}
