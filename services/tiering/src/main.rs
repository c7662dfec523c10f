//! `vipcare-tiering`: settings, telemetry, cache, then the tiering service until SIGINT or SIGTERM.

use std::process::ExitCode;

use vipcare_cache::Cache;
use vipcare_runtime::{cli, shutdown};
use vipcare_tiering::App;

// Batches allocate and free millions of small values a second across threads; glibc's
// allocator spent half the process's CPU on that (measured with `vipcare-bench tier-batch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    cli::service_main(
        "vipcare-tiering",
        |settings: vipcare_tiering::Settings| async move {
            let cache = Cache::connect(&settings.cache).await?;
            let app = App::build(&settings, cache).await?;
            app.run(shutdown::signal()).await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        },
    )
    .await
}
