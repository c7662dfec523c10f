//! `vipcare-bench`: benchmarks of vipcare through its gateway (see `vipcare-bench --help`).

use std::process::ExitCode;

use clap::Parser;
use vipcare_bench::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    vipcare_bench::run(Cli::parse()).await
}
