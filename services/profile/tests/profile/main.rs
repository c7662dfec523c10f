//! Service tests: the real gRPC server on 127.0.0.1:0, driven through the generated client,
//! once per configured backend (embedded SQLite always; PostgreSQL and Redis when
//! VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are set).

mod harness;

mod caching;
mod consumption;
mod customers;
mod household;
mod lifecycle;
mod outage;
mod privacy;
mod relations;
mod request_ids;
mod summaries;
mod trust;
mod validation;
