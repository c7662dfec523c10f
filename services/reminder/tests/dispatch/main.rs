//! Dispatch tests on every configured backend (embedded SQLite always; PostgreSQL and Redis
//! when VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are set): reminders stored as the
//! service stores them, dispatchers driven round by round with `tick` under a clock the test
//! moves, and webhook sinks standing in for the providers, so what a customer would receive —
//! which texts, in which order, when, under which idempotency key — is what is asserted. The
//! directory itself is tested over a real profile and tiering.

mod harness;

mod directory;
mod holding;
mod merging;
mod retrying;
mod views;
mod workers;
