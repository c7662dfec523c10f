//! `vipcare-profile`: settings, telemetry, cache, then the profile service until SIGINT or SIGTERM.

use std::process::ExitCode;

use vipcare_cache::Cache;
use vipcare_profile::App;
use vipcare_runtime::{cli, shutdown};

#[tokio::main]
async fn main() -> ExitCode {
    cli::service_main("vipcare-profile", |settings| async move {
        let cache = Cache::connect(&settings.cache).await?;
        let app = App::build(&settings, cache).await?;
        app.run(shutdown::signal()).await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
    .await
}
