//! `vipcare-bench`: benchmarks of vipcare through its gateway (see `vipcare-bench --help`).

use std::process::ExitCode;

use clap::Parser;
use vipcare_bench::Cli;

// Batches allocate and free millions of small values a second across threads; glibc's
// allocator spent half the process's CPU on that (measured with `vipcare-bench tier-batch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    vipcare_bench::run(Cli::parse()).await
}
