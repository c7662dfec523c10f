//! `vipcare-survey`: settings, telemetry, cache, then the survey service, its roller and its outbox
//! relays until SIGINT or SIGTERM.

use std::process::ExitCode;

use vipcare_cache::Cache;
use vipcare_runtime::{cli, shutdown};
use vipcare_survey::App;

// As in every vipcare binary (see vipcare-reminder): mimalloc served many small allocations
// across threads far better than glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    cli::service_main(
        "vipcare-survey",
        |settings: vipcare_survey::Settings| async move {
            let cache = Cache::connect(&settings.cache).await?;
            let app = App::build(&settings, cache).await?;
            app.run(shutdown::signal()).await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        },
    )
    .await
}
