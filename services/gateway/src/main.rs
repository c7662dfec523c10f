//! `vipcare-gateway`: settings, telemetry, cache, then the gateway until SIGINT or SIGTERM.

use std::process::ExitCode;

use clap::Parser;
use vipcare_cache::Cache;
use vipcare_gateway::App;
use vipcare_runtime::cli::{ServiceArgs, fail};
use vipcare_runtime::{Settings, shutdown, telemetry};

const BINARY: &str = "vipcare-gateway";

#[tokio::main]
async fn main() -> ExitCode {
    let args = ServiceArgs::parse();
    let settings = match Settings::load(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => return fail(BINARY, &err),
    };
    let _telemetry = telemetry::init(&settings.telemetry, BINARY);
    let result = async {
        let cache = Cache::connect(&settings.cache).await?;
        let app = App::build(&settings, cache).await?;
        app.run(shutdown::signal()).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    match result.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(BINARY, &err),
    }
}
