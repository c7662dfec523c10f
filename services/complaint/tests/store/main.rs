//! Store tests: the complaint schema migrated on every configured backend (embedded SQLite
//! always; PostgreSQL when VIPCARE_TEST_DATABASE_URL is set), each test on a fresh database or
//! schema, driven through the store's own functions.

mod harness;

mod escalation;
mod import;
mod ledger;
mod lifecycle;
mod listing;
mod policy;
mod report;
mod reschedule;
mod schedules;
mod sweep;
mod watch;
