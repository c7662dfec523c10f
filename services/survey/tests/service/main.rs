//! Service tests: a real survey service (with a real profile, tiering, reminder and complaint
//! service beside it) on 127.0.0.1:0, driven through the generated clients, once per
//! configured backend (embedded SQLite always; PostgreSQL and Redis when
//! VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are set).

mod harness;

mod binary;
mod bursts;
mod follow_up;
mod invitations;
mod reports;
mod responses;
mod scenarios;
