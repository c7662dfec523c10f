//! Event tests: IngestEvent and the IngestEvents feed on every configured backend (embedded
//! SQLite always; PostgreSQL when VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are
//! set), each test on a fresh store, calling the handlers as the server does. `rate` measures
//! the feed's throughput and runs only when asked (`-- --ignored`).

mod harness;

mod feed;
mod rate;
mod state;
mod unary;
