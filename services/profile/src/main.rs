//! `vipcare-profile`: settings, telemetry, cache, then the profile service until SIGINT or SIGTERM.

use std::process::ExitCode;

use vipcare_cache::Cache;
use vipcare_profile::App;
use vipcare_runtime::{cli, shutdown};

// Batches allocate and free millions of small values a second across threads; glibc's
// allocator spent half the process's CPU on that (measured with `vipcare-bench tier-batch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    cli::service_main(
        "vipcare-profile",
        |settings: vipcare_profile::Settings| async move {
            let cache = Cache::connect(&settings.cache).await?;
            let app = App::build(&settings, cache).await?;
            app.run(shutdown::signal()).await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        },
    )
    .await
}
