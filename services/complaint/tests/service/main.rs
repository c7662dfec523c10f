//! Service tests: a real complaint service (with a real profile, tiering and reminder service
//! beside it) on 127.0.0.1:0, driven through the generated clients, once per configured backend
//! (embedded SQLite always; PostgreSQL and Redis when VIPCARE_TEST_DATABASE_URL and
//! VIPCARE_TEST_REDIS_URL are set).

mod harness;

mod after_resolution;
mod binary;
mod compensation;
mod escalation;
mod escalation_calls;
mod lifecycle;
mod lifecycle_calls;
mod opening;
mod policy;
mod policy_calls;
mod promises;
mod promises_calls;
mod report;
mod watch;
