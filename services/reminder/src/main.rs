//! `vipcare-reminder`: settings, telemetry, cache, then the reminder service and its dispatch
//! workers until SIGINT or SIGTERM.

use std::process::ExitCode;

use vipcare_cache::Cache;
use vipcare_reminder::App;
use vipcare_runtime::{cli, shutdown};

// As in every vipcare binary: dispatch rounds and event feeds allocate and free many small
// values across threads, which glibc's allocator served poorly on tier batches (half the CPU,
// measured with `vipcare-bench tier-batch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    cli::service_main(
        "vipcare-reminder",
        |settings: vipcare_reminder::Settings| async move {
            let cache = Cache::connect(&settings.cache).await?;
            let app = App::build(&settings, cache).await?;
            app.run(shutdown::signal()).await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        },
    )
    .await
}
