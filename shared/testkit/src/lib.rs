//! Test fixtures shared by the service tests and the end-to-end tests: a fresh environment per
//! test on every backend the run is configured for (embedded SQLite and in-process cache always;
//! PostgreSQL and Redis when `VIPCARE_TEST_DATABASE_URL` and `VIPCARE_TEST_REDIS_URL` are set),
//! waiting on a server's health check instead of sleeping, running the real binaries for the
//! end-to-end tests, and the assertions on what a refused call tells its caller.

pub mod balancer;
mod env;
mod health;
pub mod inputs;
pub mod process;
pub mod redis_cluster;
pub mod status;
pub mod tcp_proxy;
pub mod webhook_sink;

pub use env::{TestEnv, plain_channel};
pub use health::wait_serving;
pub use process::{Launch, SpawnedBinary, workspace_binary};
