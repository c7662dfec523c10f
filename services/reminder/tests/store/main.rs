//! Store tests: the reminder schema migrated on every configured backend (embedded SQLite
//! always; PostgreSQL when VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are set), each
//! test on a fresh database, driven through the store's own functions.

mod harness;

mod claims;
mod delivery;
mod handovers;
mod paging;
mod rules;
mod scheduling;
mod seeding;
