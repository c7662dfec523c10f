//! `vipcare-profile`: the profile service on its own.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use vipcare_cache::Cache;
use vipcare_profile::App;
use vipcare_runtime::{Settings, shutdown, telemetry};

/// The vipcare customer profile service.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Settings file (TOML); VIPCARE__SECTION__KEY variables override it.
    #[arg(long, env = "VIPCARE_CONFIG")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let settings = match Settings::load(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("vipcare-profile: {err}");
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = telemetry::init(&settings.telemetry, "vipcare-profile");
    let result = async {
        let cache = Cache::connect(&settings.cache).await?;
        let app = App::build(&settings, cache).await?;
        app.run(shutdown::signal()).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    match result.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "vipcare-profile stopped");
            eprintln!("vipcare-profile: {err}");
            ExitCode::FAILURE
        }
    }
}
