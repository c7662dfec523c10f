//! End-to-end fixture for vipcare: runs the real `vipcare up` binary on every backend the test
//! run is configured for (embedded SQLite always; PostgreSQL and Redis when
//! `VIPCARE_TEST_DATABASE_URL` and `VIPCARE_TEST_REDIS_URL` are set), with API clients of known
//! keys, and talks to it only through the gateway with clients generated from `proto/`, as a
//! channel system would. The flows themselves live in `tests/flows/`; when one fails, the
//! binary's log is printed with the backend it ran on.

pub mod api_client;
pub mod deployment;
pub mod grpc_web;
pub mod metrics;
pub mod otlp;
pub mod sample;
pub mod suite;

pub use api_client::ApiClient;
pub use suite::Suite;
