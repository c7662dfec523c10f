//! `vipcare`: every vipcare service and the gateway in one process.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vipcare_suite::demo::DEFAULT_CUSTOMERS;
use vipcare_suite::up::{self, UpOptions};

// Batches allocate and free millions of small values a second across threads; glibc's
// allocator spent half the process's CPU on that (measured with `vipcare-bench tier-batch`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// vipcare: VIP customer service for a telecom operator.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the gateway and every service in this process until SIGINT or SIGTERM.
    Up {
        /// Settings file (TOML); VIPCARE_CONFIG names one too. VIPCARE__SECTION__KEY overrides.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Creates API keys for every channel and loads a demo data set (once per data store).
        #[arg(long)]
        demo: bool,
        /// Customers in the demo data set.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_CUSTOMERS, requires = "demo")]
        demo_customers: usize,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Up {
            config,
            demo,
            demo_customers,
        } => {
            let options = UpOptions {
                config,
                demo,
                demo_customers,
            };
            up::run(options).await
        }
    }
}
