//! Service tests: a real reminder service (with a real profile and tiering beside it) on
//! 127.0.0.1:0, driven through the generated clients, once per configured backend (embedded
//! SQLite always; PostgreSQL and Redis when VIPCARE_TEST_DATABASE_URL and
//! VIPCARE_TEST_REDIS_URL are set).

mod forward;
mod harness;

mod binary;
mod cancelling;
mod delivery;
mod listing;
mod request_ids;
mod rules;
mod scheduling;
mod templates;
mod tier_change;
