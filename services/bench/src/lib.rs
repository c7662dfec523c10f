//! `vipcare-bench`: measurements of vipcare through its only public door, the gateway. Each
//! subcommand sets up a target (its own suite in-process on a fresh store, or a running
//! gateway), loads or finds customers, then drives operations at a fixed concurrency for a fixed
//! time with the shared driver in [`load`] and prints one line per operation. `view` (the
//! customer view) and `lookup` (the hotline's caller look-up) each set a gateway read against
//! the gateway's health check, the cheapest call the same stack answers, so the ratio says what
//! the read itself costs; `reminders` measures the reminder service's dispatch, lag and event
//! feed against floors of its own; `complaints` the overdue list against the health check and
//! the escalation pass against a bare read of the rows it is due to touch; `surveys`
//! SubmitResponse against the health check, and the moment reports and the roller over a
//! loaded store. A benchmark, not a timed test: nothing here runs under `cargo test` except
//! its own unit tests.

mod baseline;
pub mod cli;
mod complaints;
mod fresh;
pub mod latency;
pub mod load;
mod lookup;
mod reminders;
mod seed;
mod surveys;
mod target;
mod tier_batch;
mod view;

pub use cli::{Cli, Command};

use std::process::ExitCode;

/// Runs one subcommand; the exit code fails when an operation saw more than 1% errors.
pub async fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::View(args) => view::run(args).await,
        Command::Lookup(args) => lookup::run(args).await,
        Command::TierBatch(args) => tier_batch::run(args).await,
        Command::Reminders(args) => reminders::run(args).await,
        Command::Complaints(args) => complaints::run(args).await,
        Command::Surveys(args) => surveys::run(args).await,
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("vipcare-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}
