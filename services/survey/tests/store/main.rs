//! Store tests: the survey schema migrated on every configured backend (embedded SQLite
//! always; PostgreSQL when VIPCARE_TEST_DATABASE_URL is set), each test on a fresh database or
//! schema, driven through the store's own functions.

mod harness;

mod invitations;
mod policy;
mod responses;
mod rollup;
mod scenarios;
