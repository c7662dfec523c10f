//! `vipcare-gateway`: settings, telemetry, cache, then the gateway until SIGINT or SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use vipcare_cache::Cache;
use vipcare_gateway::App;
use vipcare_runtime::{Settings, shutdown, telemetry};

/// The vipcare gateway: API keys, scopes, routing and the customer view.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Settings file (TOML); VIPCARE_CONFIG names one too. VIPCARE__SECTION__KEY overrides.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let settings = match Settings::load(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => return fail(&err),
    };
    let _telemetry = telemetry::init(&settings.telemetry, "vipcare-gateway");
    let cache = match Cache::connect(&settings.cache).await {
        Ok(cache) => cache,
        Err(err) => return fail(&err),
    };
    let app = match App::build(&settings, cache).await {
        Ok(app) => app,
        Err(err) => return fail(&err),
    };
    match app.run(shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// One readable line, then a failing exit.
fn fail(err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("vipcare-gateway: {err}");
    ExitCode::FAILURE
}
